#pragma once
// Reads a bundle held in memory (a mapped file on the host, a boot module in the kernel).
// Freestanding: no exceptions, no heap, no OS calls. open() checks the whole layout and
// the checksum once; after that every lookup stays inside the checked bounds.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "bundle/format.h"

namespace mayfly::bundle {

enum class Error : uint8_t {
  None,
  TooSmall,
  BadMagic,
  UnsupportedVersion,
  SizeMismatch,
  BadChecksum,
  BadLayout,
  BadEntry,
  BadHashTable,
  BadSiteData,
};

// A short English sentence for an error, for logs and the kernel's console.
const char* describe(Error e);

struct Blob {
  const uint8_t* data = nullptr;
  uint64_t size = 0;
};

struct Entry {
  uint32_t index = 0;
  EntryKind kind = EntryKind::File;
  std::string_view path;
  std::string_view content_type;
  std::string_view cache_control;
  std::string_view etag;  // unquoted; the identity representation's strong validator
  int64_t mtime = 0;
  Blob variants[kEncodingCount];
  bool has(Encoding e) const { return e == Encoding::Identity || variants[int(e)].size != 0; }
  const Blob& variant(Encoding e) const { return variants[int(e)]; }
};

// Whether open() reads every byte to verify the trailer. Only bytes this process has just
// written and checksummed itself may skip it (`serve --watch` after each rebuild); the
// layout is checked either way.
enum class Checksum : uint8_t { Verify, Skip };

class Bundle {
 public:
  // Checks and adopts the bundle at data[0..size). On error the bundle stays empty and
  // error_entry() names the offending entry where there is one.
  Error open(const uint8_t* data, size_t size, Checksum checksum = Checksum::Verify);

  bool is_open() const { return data_ != nullptr; }
  uint32_t entry_count() const { return entry_count_; }
  uint32_t error_entry() const { return error_entry_; }
  const uint8_t* id() const { return data_ + hdr::bundle_id; }  // 16 bytes
  // The id as 32 lowercase hex digits plus a terminating NUL.
  void id_hex(char out[33]) const;
  int64_t created() const { return created_; }
  std::string_view index_name() const { return index_name_; }
  // Preformatted "Name: value\r\n" lines from the site's configuration.
  std::string_view extra_headers() const { return extra_headers_; }
  bool not_found(Entry& out) const;

  Entry entry(uint32_t index) const;
  // Exact lookup of a normalized path ("/a/b.html"). O(1) expected, no allocation.
  bool find(std::string_view path, Entry& out) const;

  const uint8_t* bytes() const { return data_; }
  size_t size() const { return size_; }

 private:
  Error check_entries();
  Error check_hash_table();

  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  uint32_t entry_count_ = 0;
  uint32_t hash_slots_ = 0;
  uint32_t error_entry_ = kNoEntry;
  uint32_t not_found_ = kNoEntry;
  int64_t created_ = 0;
  const uint8_t* entries_ = nullptr;
  const uint8_t* hash_ = nullptr;
  const uint8_t* strings_ = nullptr;
  uint64_t strings_size_ = 0;
  const uint8_t* blobs_ = nullptr;
  uint64_t blobs_size_ = 0;
  std::string_view index_name_;
  std::string_view extra_headers_;
};

}  // namespace mayfly::bundle
