#include "bundle/reader.h"

#include "core/ascii.h"
#include "core/bytes.h"
#include "core/xxhash64.h"

namespace mayfly::bundle {

const char* describe(Error e) {
  switch (e) {
    case Error::None:
      return "ok";
    case Error::TooSmall:
      return "file is too small to be a mayfly bundle";
    case Error::BadMagic:
      return "not a mayfly bundle (bad magic number)";
    case Error::UnsupportedVersion:
      return "unsupported bundle format version";
    case Error::SizeMismatch:
      return "bundle is truncated or has trailing bytes";
    case Error::BadChecksum:
      return "bundle checksum mismatch (corrupt file)";
    case Error::BadLayout:
      return "bundle sections overlap or lie outside the file";
    case Error::BadEntry:
      return "bundle entry points outside its section";
    case Error::BadHashTable:
      return "bundle index is malformed";
    case Error::BadSiteData:
      return "bundle site data is malformed";
  }
  return "unknown bundle error";
}

namespace {

// True when [off, off+len) lies within [0, limit) without overflow.
constexpr bool within(uint64_t off, uint64_t len, uint64_t limit) {
  return off <= limit && len <= limit - off;
}

struct StrRef {
  uint32_t off;
  uint16_t len;
};

StrRef load_str(const uint8_t* p) {
  return {load_le32(p), load_le16(p + 4)};
}

}  // namespace

Error Bundle::open(const uint8_t* data, size_t size, Checksum checksum) {
  *this = Bundle();
  if (data == nullptr || size < kHeaderSize + kTrailerSize) return Error::TooSmall;
  for (size_t i = 0; i < sizeof(kMagic); ++i)
    if (data[i] != uint8_t(kMagic[i])) return Error::BadMagic;
  if (load_le32(data + hdr::version) != kVersion) return Error::UnsupportedVersion;
  if (load_le32(data + hdr::header_size) != kHeaderSize) return Error::BadLayout;
  if (load_le64(data + hdr::file_size) != size) return Error::SizeMismatch;
  uint64_t body = size - kTrailerSize;
  if (checksum == Checksum::Verify && xxhash64(data, body) != load_le64(data + body))
    return Error::BadChecksum;

  uint32_t count = load_le32(data + hdr::entry_count);
  uint32_t slots = load_le32(data + hdr::hash_slots);
  uint64_t entries_off = load_le64(data + hdr::entries_off);
  uint64_t hash_off = load_le64(data + hdr::hash_off);
  uint64_t strings_off = load_le64(data + hdr::strings_off);
  uint64_t strings_size = load_le64(data + hdr::strings_size);
  uint64_t data_off = load_le64(data + hdr::data_off);
  uint64_t data_size = load_le64(data + hdr::data_size);
  // Sections follow each other in a fixed order; checking that order rules out overlap.
  if (slots == 0 || (slots & (slots - 1)) != 0 || slots <= count) return Error::BadHashTable;
  if (entries_off < kHeaderSize || !within(entries_off, uint64_t(count) * kEntrySize, body) ||
      hash_off < entries_off + uint64_t(count) * kEntrySize ||
      !within(hash_off, uint64_t(slots) * 4, body) ||
      strings_off < hash_off + uint64_t(slots) * 4 || !within(strings_off, strings_size, body) ||
      strings_size > UINT32_MAX || data_off < strings_off + strings_size ||
      !within(data_off, data_size, body))
    return Error::BadLayout;

  data_ = data;
  size_ = size;
  entry_count_ = count;
  hash_slots_ = slots;
  entries_ = data + entries_off;
  hash_ = data + hash_off;
  strings_ = data + strings_off;
  strings_size_ = strings_size;
  blobs_ = data + data_off;
  blobs_size_ = data_size;
  created_ = int64_t(load_le64(data + hdr::created));

  Error e = check_entries();
  if (e == Error::None) e = check_hash_table();
  if (e == Error::None) {
    StrRef idx = load_str(data + hdr::index_name);
    uint32_t hoff = load_le32(data + hdr::extra_headers);
    uint32_t hlen = load_le32(data + hdr::extra_headers + 4);
    not_found_ = load_le32(data + hdr::not_found);
    if (idx.len == 0 || !within(idx.off, idx.len, strings_size_) ||
        !within(hoff, hlen, strings_size_) || (not_found_ != kNoEntry && not_found_ >= count)) {
      e = Error::BadSiteData;
    } else {
      index_name_ = {reinterpret_cast<const char*>(strings_ + idx.off), idx.len};
      extra_headers_ = {reinterpret_cast<const char*>(strings_ + hoff), hlen};
      for (char c : index_name_)
        if (c == '/' || c == '\0') e = Error::BadSiteData;
    }
  }
  if (e != Error::None) {
    uint32_t bad = error_entry_;
    *this = Bundle();
    error_entry_ = bad;
  }
  return e;
}

Error Bundle::check_entries() {
  std::string_view prev;
  for (uint32_t i = 0; i < entry_count_; ++i) {
    const uint8_t* p = entries_ + uint64_t(i) * kEntrySize;
    error_entry_ = i;
    const size_t str_fields[] = {ent::path, ent::content_type, ent::cache_control, ent::etag};
    for (size_t f : str_fields) {
      StrRef s = load_str(p + f);
      if (!within(s.off, s.len, strings_size_)) return Error::BadEntry;
    }
    uint16_t kind = load_le16(p + ent::kind);
    if (kind > uint16_t(EntryKind::DirectoryRedirect)) return Error::BadEntry;
    for (int v = 0; v < kEncodingCount; ++v) {
      const uint8_t* vp = p + ent::variants + 16 * v;
      if (!within(load_le64(vp), load_le64(vp + 8), blobs_size_)) return Error::BadEntry;
    }
    StrRef path = load_str(p + ent::path);
    std::string_view ps(reinterpret_cast<const char*>(strings_ + path.off), path.len);
    // Paths are absolute, unique and sorted: the writer guarantees it, the reader checks.
    if (ps.empty() || ps[0] != '/' || (i > 0 && !(prev < ps))) return Error::BadEntry;
    prev = ps;
  }
  error_entry_ = kNoEntry;
  return Error::None;
}

Error Bundle::check_hash_table() {
  uint32_t used = 0;
  for (uint32_t s = 0; s < hash_slots_; ++s) {
    uint32_t v = load_le32(hash_ + uint64_t(s) * 4);
    if (v > entry_count_) return Error::BadHashTable;
    if (v != 0) ++used;
  }
  // Every entry must be reachable; find() relies on an empty slot to stop probing.
  if (used != entry_count_) return Error::BadHashTable;
  for (uint32_t i = 0; i < entry_count_; ++i) {
    Entry e;
    if (!find(entry(i).path, e) || e.index != i) return Error::BadHashTable;
  }
  return Error::None;
}

Entry Bundle::entry(uint32_t index) const {
  Entry e;
  if (index >= entry_count_) return e;
  const uint8_t* p = entries_ + uint64_t(index) * kEntrySize;
  auto str = [&](size_t field) {
    StrRef s = load_str(p + field);
    return std::string_view(reinterpret_cast<const char*>(strings_ + s.off), s.len);
  };
  e.index = index;
  e.kind = EntryKind(load_le16(p + ent::kind));
  e.path = str(ent::path);
  e.content_type = str(ent::content_type);
  e.cache_control = str(ent::cache_control);
  e.etag = str(ent::etag);
  e.mtime = int64_t(load_le64(p + ent::mtime));
  for (int v = 0; v < kEncodingCount; ++v) {
    const uint8_t* vp = p + ent::variants + 16 * v;
    e.variants[v] = {blobs_ + load_le64(vp), load_le64(vp + 8)};
  }
  return e;
}

bool Bundle::find(std::string_view path, Entry& out) const {
  if (data_ == nullptr) return false;
  uint32_t mask = hash_slots_ - 1;
  uint32_t slot = uint32_t(xxhash64(path.data(), path.size())) & mask;
  for (uint32_t probes = 0; probes < hash_slots_; ++probes) {
    uint32_t v = load_le32(hash_ + uint64_t(slot) * 4);
    if (v == 0) return false;
    const uint8_t* p = entries_ + uint64_t(v - 1) * kEntrySize;
    StrRef s = load_str(p + ent::path);
    if (s.len == path.size() &&
        std::string_view(reinterpret_cast<const char*>(strings_ + s.off), s.len) == path) {
      out = entry(v - 1);
      return true;
    }
    slot = (slot + 1) & mask;
  }
  return false;
}

bool Bundle::not_found(Entry& out) const {
  if (data_ == nullptr || not_found_ == kNoEntry) return false;
  out = entry(not_found_);
  return true;
}

void Bundle::id_hex(char out[33]) const {
  for (int i = 0; i < 16; ++i) {
    uint8_t b = data_ ? id()[i] : 0;
    out[2 * i] = kHexDigits[b >> 4];
    out[2 * i + 1] = kHexDigits[b & 15];
  }
  out[32] = '\0';
}

}  // namespace mayfly::bundle
