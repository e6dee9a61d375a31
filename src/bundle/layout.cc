#include "bundle/layout.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <set>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>

#include "bundle/mime.h"
#include "core/ascii.h"
#include "core/bytes.h"
#include "core/xxhash64.h"

namespace mayfly::bundle {
namespace {

bool is_token_char(char c) {
  if (c >= '0' && c <= '9') return true;
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

void check_header(const std::string& name, const std::string& value) {
  if (name.empty() || !std::all_of(name.begin(), name.end(), is_token_char))
    throw BundleError("invalid header name '" + name + "'");
  for (unsigned char c : value)
    if ((c < 0x20 && c != '\t') || c == 0x7f)
      throw BundleError("header '" + name + "' has a control character in its value");
  static const std::set<std::string> kReserved = {"content-length",
                                                  "content-type",
                                                  "content-encoding",
                                                  "content-range",
                                                  "transfer-encoding",
                                                  "connection",
                                                  "date",
                                                  "etag",
                                                  "last-modified",
                                                  "vary",
                                                  "location",
                                                  "keep-alive",
                                                  "accept-ranges"};
  std::string lower = name;
  for (char& c : lower) c = ascii_lower(c);
  if (kReserved.count(lower)) throw BundleError("header '" + name + "' is set by the server");
}

}  // namespace

void check_bundle_path(const std::string& p) {
  if (p.empty() || p[0] != '/' || p.size() > 0xFFFF)
    throw BundleError("invalid bundle path '" + p + "'");
  size_t start = 1;
  while (start <= p.size()) {
    size_t end = p.find('/', start);
    if (end == std::string::npos) end = p.size();
    std::string_view seg(p.data() + start, end - start);
    if (seg.empty() || seg == "." || seg == "..")
      throw BundleError("invalid bundle path '" + p + "'");
    start = end + 1;
  }
  for (unsigned char c : p)
    if (c < 0x20 || c == 0x7f) throw BundleError("bundle path has a control character: " + p);
}

void check_site_config(const SiteConfig& site) {
  if (site.index_name.empty() || site.index_name.find('/') != std::string::npos)
    throw BundleError("invalid index file name '" + site.index_name + "'");
  for (const auto& [name, value] : site.headers) check_header(name, value);
}

namespace {

class StringTable {
 public:
  // Returns the offset of s, sharing storage with an identical earlier shared string.
  uint32_t add(std::string_view s) {
    auto it = index_.find(s);
    if (it != index_.end()) return it->second;
    uint32_t off = add_unique(s);
    index_.emplace(std::string(s), off);
    return off;
  }
  // For a string known to equal no other (a path: every path is unique, and only paths
  // start with '/'): stored without looking for a twin, which is most of the table's work.
  uint32_t add_unique(std::string_view s) {
    if (bytes_.size() + s.size() > UINT32_MAX) throw BundleError("string table exceeds 4 GiB");
    uint32_t off = uint32_t(bytes_.size());
    bytes_.insert(bytes_.end(), s.begin(), s.end());
    return off;
  }
  const std::vector<uint8_t>& bytes() const { return bytes_; }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::vector<uint8_t> bytes_;
  std::unordered_map<std::string, uint32_t, Hash, std::equal_to<>> index_;
};

void put_str(uint8_t* p, uint32_t offset, std::string_view s) {
  if (s.size() > 0xFFFF) throw BundleError("string too long for the bundle format");
  store_le32(p, offset);
  store_le16(p + 4, uint16_t(s.size()));
}

void put_str(uint8_t* p, StringTable& st, std::string_view s) {
  put_str(p, st.add(s), s);
}

std::string hex(const uint8_t* p, size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    s += kHexDigits[p[i] >> 4];
    s += kHexDigits[p[i] & 15];
  }
  return s;
}

}  // namespace

PreparedBlob prepare_blob(std::vector<uint8_t> identity) {
  PreparedBlob b;
  XXH128_hash_t h = XXH3_128bits(identity.data(), identity.size());
  b.hash_high = h.high64;
  b.hash_low = h.low64;
  uint8_t digest[16];
  store_le64(digest, h.high64);
  store_le64(digest + 8, h.low64);
  b.etag = hex(digest, 10);
  b.identity = std::move(identity);
  return b;
}

std::vector<uint8_t> read_whole_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw BundleError(path + ": cannot open for reading: " + std::strerror(errno));
  std::vector<uint8_t> data;
  struct stat st;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) data.reserve(size_t(st.st_size));
  // Read to the end rather than trusting the size: the file may grow or shrink meanwhile.
  uint8_t buf[64 * 1024];
  for (;;) {
    size_t room = data.capacity() - data.size();
    size_t old = data.size();
    ssize_t n;
    if (room > 0) {
      data.resize(data.capacity());
      n = ::read(fd, data.data() + old, room);
      data.resize(old + size_t(std::max<ssize_t>(n, 0)));
    } else {
      n = ::read(fd, buf, sizeof buf);
      if (n > 0) data.insert(data.end(), buf, buf + n);
    }
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      throw BundleError(path + ": read error: " + std::strerror(err));
    }
  }
  ::close(fd);
  return data;
}

BundleLayout::BundleLayout(std::vector<LayoutFile> files, const WriteOptions& options)
    : files_(std::move(files)) {
  const SiteConfig& site = options.site;
  check_site_config(site);
  auto by_path = [](const LayoutFile& a, const LayoutFile& b) { return a.path < b.path; };
  if (!std::is_sorted(files_.begin(), files_.end(), by_path))
    std::sort(files_.begin(), files_.end(), by_path);
  for (size_t i = 0; i < files_.size(); ++i) {
    check_bundle_path(files_[i].path);
    if (i > 0 && files_[i].path == files_[i - 1].path)
      throw BundleError("duplicate path in bundle: " + files_[i].path);
  }

  // Identical contents share one place in the data section, in the order of first use.
  std::vector<uint64_t> blob_offset;  // per unique blob: its identity's offset in data
  std::vector<size_t> blob_of(files_.size());
  std::map<std::pair<uint64_t, uint64_t>, size_t> by_hash;
  uint64_t data_size = 0;
  for (size_t i = 0; i < files_.size(); ++i) {
    if (!files_[i].blob) throw BundleError("no bytes for bundle path " + files_[i].path);
    const PreparedBlob& b = *files_[i].blob;
    auto [it, fresh] = by_hash.emplace(std::make_pair(b.hash_high, b.hash_low), blobs_.size());
    if (fresh) {
      blobs_.push_back(&b);
      blob_offset.push_back(data_size);
      data_size += b.identity.size() + b.gzip.size() + b.brotli.size();
    }
    blob_of[i] = it->second;
  }

  // Directory redirects: every directory that holds the index file.
  std::set<std::string_view> paths;
  for (const auto& f : files_) paths.insert(f.path);
  std::set<std::string> redirects;
  const std::string index_suffix = "/" + site.index_name;
  for (const auto& f : files_) {
    if (f.path.size() > index_suffix.size() && f.path.ends_with(index_suffix)) {
      std::string dir = f.path.substr(0, f.path.size() - index_suffix.size());
      if (!paths.count(dir)) redirects.insert(dir);
    }
  }

  struct Row {
    std::string_view path;
    EntryKind kind;
    size_t file;  // index into files_, for File rows
  };
  std::vector<Row> rows;
  rows.reserve(files_.size() + redirects.size());
  for (size_t i = 0; i < files_.size(); ++i) rows.push_back({files_[i].path, EntryKind::File, i});
  for (const auto& d : redirects) rows.push_back({d, EntryKind::DirectoryRedirect, 0});
  // Two sorted runs: the files, then the redirects.
  std::inplace_merge(rows.begin(), rows.begin() + ptrdiff_t(files_.size()), rows.end(),
                     [](const Row& a, const Row& b) { return a.path < b.path; });
  if (rows.size() >= 0x40000000) throw BundleError("too many files for one bundle");

  const std::optional<int64_t>& sde = options.source_date_epoch;
  StringTable strings;
  std::vector<uint8_t> entries(rows.size() * kEntrySize, 0);
  uint32_t not_found = kNoEntry;
  int64_t newest = 0;
  for (size_t r = 0; r < rows.size(); ++r) {
    uint8_t* p = entries.data() + r * kEntrySize;
    const Row& row = rows[r];
    put_str(p + ent::path, strings.add_unique(row.path), row.path);
    store_le16(p + ent::kind, uint16_t(row.kind));
    if (row.kind == EntryKind::DirectoryRedirect) {
      put_str(p + ent::content_type, strings, "");
      put_str(p + ent::cache_control, strings, "");
      put_str(p + ent::etag, strings, "");
      ++stats_.redirects;
      continue;
    }
    const LayoutFile& f = files_[row.file];
    const PreparedBlob& b = *blobs_[blob_of[row.file]];
    uint64_t off = blob_offset[blob_of[row.file]];
    std::string type = content_type_for(f.path);
    put_str(p + ent::content_type, strings, type);
    put_str(p + ent::cache_control, strings, cache_control_for(f.path, type));
    put_str(p + ent::etag, strings, b.etag);
    int64_t mtime = sde ? std::min(f.mtime, *sde) : f.mtime;
    newest = std::max(newest, mtime);
    store_le64(p + ent::mtime, uint64_t(mtime));
    const std::vector<uint8_t>* v[kEncodingCount] = {&b.identity, &b.gzip, &b.brotli};
    for (int e = 0; e < kEncodingCount; ++e) {
      store_le64(p + ent::variants + 16 * e, off);
      store_le64(p + ent::variants + 16 * e + 8, v[e]->size());
      off += v[e]->size();
    }
    if (f.path == site.not_found) not_found = uint32_t(r);
    ++stats_.files;
    stats_.identity_bytes += b.identity.size();
  }
  for (const PreparedBlob* b : blobs_) {
    stats_.gzip_variants += !b->gzip.empty();
    stats_.brotli_variants += !b->brotli.empty();
  }
  stats_.unique_blobs = blobs_.size();

  uint32_t slots = 1;
  while (slots <= rows.size() * 2) slots <<= 1;
  std::vector<uint32_t> table(slots, 0);
  for (size_t r = 0; r < rows.size(); ++r) {
    uint32_t s = uint32_t(xxhash64(rows[r].path.data(), rows[r].path.size())) & (slots - 1);
    while (table[s] != 0) s = (s + 1) & (slots - 1);
    table[s] = uint32_t(r + 1);
  }

  std::string header_lines;
  for (const auto& [name, value] : site.headers) header_lines += name + ": " + value + "\r\n";
  uint32_t headers_off = strings.add(header_lines);
  uint32_t index_off = strings.add(site.index_name);

  const uint64_t entries_off = kHeaderSize;
  const uint64_t hash_off = entries_off + entries.size();
  const uint64_t strings_off = hash_off + uint64_t(slots) * 4;
  const uint64_t data_off = strings_off + strings.bytes().size();
  total_ = data_off + data_size + kTrailerSize;

  index_.assign(data_off, 0);
  uint8_t* h = index_.data();
  std::copy(std::begin(kMagic), std::end(kMagic), h + hdr::magic);
  store_le32(h + hdr::version, kVersion);
  store_le32(h + hdr::header_size, kHeaderSize);
  store_le64(h + hdr::file_size, total_);
  store_le32(h + hdr::entry_count, uint32_t(rows.size()));
  store_le32(h + hdr::hash_slots, slots);
  store_le64(h + hdr::entries_off, entries_off);
  store_le64(h + hdr::hash_off, hash_off);
  store_le64(h + hdr::strings_off, strings_off);
  store_le64(h + hdr::strings_size, strings.bytes().size());
  store_le64(h + hdr::data_off, data_off);
  store_le64(h + hdr::data_size, data_size);
  store_le64(h + hdr::created, uint64_t(sde ? *sde : newest));
  store_le32(h + hdr::index_name, index_off);
  store_le16(h + hdr::index_name + 4, uint16_t(site.index_name.size()));
  store_le32(h + hdr::not_found, not_found);
  store_le32(h + hdr::extra_headers, headers_off);
  store_le32(h + hdr::extra_headers + 4, uint32_t(header_lines.size()));
  std::copy(entries.begin(), entries.end(), h + entries_off);
  for (uint32_t s = 0; s < slots; ++s) store_le32(h + hash_off + 4 * s, table[s]);
  std::copy(strings.bytes().begin(), strings.bytes().end(), h + strings_off);
  stats_.bundle_bytes = total_;
}

void BundleLayout::write(uint8_t* out) const {
  // Two sequential hashes cover every byte: the id (XXH3-128 of everything but the id, zero
  // while hashing, and the trailer), then the trailer (XXH64 of everything before it, the
  // id included). Both read the prepared bytes where they lie, on this thread, while a
  // second thread copies the data section into out; the copy is done before the hashes.
  std::thread copier([this, out] {
    uint8_t* at = out + index_.size();
    for (const PreparedBlob* b : blobs_)
      for (const std::vector<uint8_t>* v : {&b->identity, &b->gzip, &b->brotli}) {
        if (!v->empty()) std::memcpy(at, v->data(), v->size());
        at += v->size();
      }
  });
  std::vector<uint8_t> header(index_.begin(), index_.begin() + kHeaderSize);
  auto hash_all = [&](auto&& update) {
    update(header.data(), header.size());
    update(index_.data() + kHeaderSize, index_.size() - kHeaderSize);
    for (const PreparedBlob* b : blobs_)
      for (const std::vector<uint8_t>* v : {&b->identity, &b->gzip, &b->brotli})
        if (!v->empty()) update(v->data(), v->size());
  };
  XXH3_state_t* id_state = XXH3_createState();
  XXH64_state_t* sum_state = XXH64_createState();
  if (id_state == nullptr || sum_state == nullptr) {
    copier.join();
    XXH3_freeState(id_state);
    XXH64_freeState(sum_state);
    throw BundleError("out of memory hashing the bundle");
  }
  XXH3_128bits_reset(id_state);
  hash_all([&](const uint8_t* p, size_t n) { XXH3_128bits_update(id_state, p, n); });
  XXH128_hash_t id = XXH3_128bits_digest(id_state);
  store_le64(header.data() + hdr::bundle_id, id.high64);
  store_le64(header.data() + hdr::bundle_id + 8, id.low64);
  XXH64_reset(sum_state, 0);
  hash_all([&](const uint8_t* p, size_t n) { XXH64_update(sum_state, p, n); });
  uint64_t sum = XXH64_digest(sum_state);
  XXH3_freeState(id_state);
  XXH64_freeState(sum_state);
  copier.join();
  std::memcpy(out, header.data(), header.size());
  std::memcpy(out + kHeaderSize, index_.data() + kHeaderSize, index_.size() - kHeaderSize);
  store_le64(out + total_ - kTrailerSize, sum);
}

}  // namespace mayfly::bundle
