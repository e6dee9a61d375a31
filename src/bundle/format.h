#pragma once
// The on-disk layout of a mayfly bundle (.mfb), shared by the writer and the reader.
//
//   header (kHeaderSize bytes)
//   entries: entry_count records of kEntrySize bytes, sorted by path (bytewise)
//   hash table: hash_slots little-endian u32, each 0 (empty) or entry index + 1;
//               slot = xxhash64(path) & (hash_slots - 1), linear probing
//   strings: paths, content types, cache policies, ETags, the site's extra headers
//   data: file contents and their precompressed variants
//   trailer: u64 xxhash64 of every byte before it
//
// All integers are little-endian. Offsets in entries are relative to the start of their
// section, so each can be checked against that section's size.
#include <cstddef>
#include <cstdint>

namespace mayfly::bundle {

inline constexpr char kMagic[8] = {'M', 'A', 'Y', 'F', 'L', 'Y', 'B', 0};
inline constexpr uint32_t kVersion = 1;
inline constexpr size_t kHeaderSize = 128;
inline constexpr size_t kEntrySize = 96;
inline constexpr size_t kTrailerSize = 8;
inline constexpr uint32_t kNoEntry = 0xFFFFFFFFu;

// Header field offsets.
namespace hdr {
inline constexpr size_t magic = 0;            // 8 bytes
inline constexpr size_t version = 8;          // u32
inline constexpr size_t header_size = 12;     // u32
inline constexpr size_t file_size = 16;       // u64, trailer included
inline constexpr size_t bundle_id = 24;       // 16 bytes
inline constexpr size_t entry_count = 40;     // u32
inline constexpr size_t hash_slots = 44;      // u32, a power of two > entry_count
inline constexpr size_t entries_off = 48;     // u64
inline constexpr size_t hash_off = 56;        // u64
inline constexpr size_t strings_off = 64;     // u64
inline constexpr size_t strings_size = 72;    // u64
inline constexpr size_t data_off = 80;        // u64
inline constexpr size_t data_size = 88;       // u64
inline constexpr size_t created = 96;         // i64, unix seconds
inline constexpr size_t index_name = 104;     // u32 offset + u16 length (strings)
inline constexpr size_t not_found = 110;      // u32 entry index or kNoEntry
inline constexpr size_t extra_headers = 114;  // u32 offset + u32 length (strings)
// 122..127 reserved, zero
}  // namespace hdr

enum class EntryKind : uint16_t {
  File = 0,
  // A directory that holds an index file: a request for "/dir" answers 301 to "/dir/".
  DirectoryRedirect = 1,
};

enum class Encoding : uint8_t { Identity = 0, Gzip = 1, Brotli = 2 };
inline constexpr int kEncodingCount = 3;

// Entry field offsets.
namespace ent {
inline constexpr size_t path = 0;            // u32 offset + u16 length (strings)
inline constexpr size_t kind = 6;            // u16 EntryKind
inline constexpr size_t content_type = 8;    // u32 offset + u16 length (strings)
inline constexpr size_t cache_control = 14;  // u32 offset + u16 length (strings)
inline constexpr size_t etag = 20;           // u32 offset + u16 length (strings), unquoted
inline constexpr size_t reserved = 26;       // 6 bytes, zero
inline constexpr size_t mtime = 32;          // i64, unix seconds
inline constexpr size_t variants = 40;       // kEncodingCount x {u64 offset, u64 size} (data)
// 88..95 reserved, zero
}  // namespace ent

// A variant with size 0 is absent, except the identity variant of an empty file.

}  // namespace mayfly::bundle
