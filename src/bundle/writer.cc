#include "bundle/writer.h"

#include <brotli/encode.h>
#include <libdeflate.h>
#include <xxhash.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "bundle/format.h"
#include "bundle/mime.h"
#include "core/ascii.h"
#include "core/bytes.h"
#include "core/xxhash64.h"

namespace mayfly::bundle {
namespace {

// A variant is kept only when it saves at least this fraction of the identity size.
constexpr double kMinSaving = 0.05;
// Large files are sampled before the slow brotli pass: a quick gzip of the first 64 KiB
// that saves nothing means the file is not worth compressing.
constexpr size_t kSampleThreshold = 256 * 1024;
constexpr size_t kSampleSize = 64 * 1024;

struct Blob {
  std::vector<uint8_t> identity;
  std::vector<uint8_t> gzip;
  std::vector<uint8_t> brotli;
  bool compressible = false;
  std::string etag;
  uint64_t offsets[kEncodingCount] = {};
};

bool saves_enough(size_t compressed, size_t original) {
  return compressed > 0 && double(compressed) <= double(original) * (1.0 - kMinSaving);
}

std::vector<uint8_t> gzip_best(const std::vector<uint8_t>& in, int level) {
  libdeflate_compressor* c = libdeflate_alloc_compressor(level);
  if (c == nullptr) throw BundleError("out of memory allocating a gzip compressor");
  std::vector<uint8_t> out(libdeflate_gzip_compress_bound(c, in.size()));
  size_t n = libdeflate_gzip_compress(c, in.data(), in.size(), out.data(), out.size());
  libdeflate_free_compressor(c);
  out.resize(n);
  return out;
}

std::vector<uint8_t> brotli_best(const std::vector<uint8_t>& in) {
  size_t n = BrotliEncoderMaxCompressedSize(in.size());
  if (n == 0) n = in.size() + 1024;
  std::vector<uint8_t> out(n);
  int lgwin = BROTLI_DEFAULT_WINDOW;
  while (lgwin < BROTLI_MAX_WINDOW_BITS && (size_t(1) << lgwin) < in.size()) ++lgwin;
  if (!BrotliEncoderCompress(BROTLI_MAX_QUALITY, lgwin, BROTLI_MODE_GENERIC, in.size(), in.data(),
                             &n, out.data()))
    return {};
  out.resize(n);
  return out;
}

void compress_blob(Blob& b) {
  const auto& in = b.identity;
  if (in.size() < 64) return;  // headers would outweigh any saving
  if (in.size() > kSampleThreshold) {
    std::vector<uint8_t> sample(in.begin(), in.begin() + kSampleSize);
    if (!saves_enough(gzip_best(sample, 6).size(), sample.size())) return;
  }
  auto gz = gzip_best(in, 12);
  if (saves_enough(gz.size(), in.size())) b.gzip = std::move(gz);
  auto br = brotli_best(in);
  if (saves_enough(br.size(), in.size())) b.brotli = std::move(br);
}

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw BundleError(path + ": cannot open for reading");
  std::vector<uint8_t> data((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (f.bad()) throw BundleError(path + ": read error");
  return data;
}

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

void check_path(const std::string& p) {
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

class StringTable {
 public:
  // Returns the offset of s, sharing storage with an identical earlier string.
  uint32_t add(std::string_view s) {
    auto it = index_.find(std::string(s));
    if (it != index_.end()) return it->second;
    if (bytes_.size() + s.size() > UINT32_MAX) throw BundleError("string table exceeds 4 GiB");
    uint32_t off = uint32_t(bytes_.size());
    bytes_.insert(bytes_.end(), s.begin(), s.end());
    index_.emplace(std::string(s), off);
    return off;
  }
  const std::vector<uint8_t>& bytes() const { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
  std::map<std::string, uint32_t> index_;
};

void put_str(uint8_t* p, StringTable& st, std::string_view s) {
  if (s.size() > 0xFFFF) throw BundleError("string too long for the bundle format");
  store_le32(p, st.add(s));
  store_le16(p + 4, uint16_t(s.size()));
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

bool is_fingerprinted(std::string_view path) {
  size_t slash = path.rfind('/');
  std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  size_t last_dot = name.rfind('.');
  if (last_dot == std::string_view::npos) return false;
  std::string_view stem = name.substr(0, last_dot);
  size_t i = 0;
  while (i < stem.size()) {
    size_t j = i;
    bool digit = false;
    while (j < stem.size() && std::isxdigit(static_cast<unsigned char>(stem[j]))) {
      digit |= is_digit(stem[j]);
      ++j;
    }
    bool left_ok = i > 0 && (stem[i - 1] == '.' || stem[i - 1] == '-');
    bool right_ok = j == stem.size() || stem[j] == '.' || stem[j] == '-';
    if (j - i >= 8 && digit && left_ok && right_ok) return true;
    i = j + 1;
  }
  return false;
}

std::string cache_control_for(std::string_view path, std::string_view content_type) {
  if (is_fingerprinted(path)) return "public, max-age=31536000, immutable";
  if (content_type.starts_with("text/html") || content_type.find("xml") != std::string::npos)
    return "public, no-cache";  // revalidate every time: pages and feeds change in place
  return "public, max-age=3600";
}

std::vector<uint8_t> write_bundle(std::vector<SourceFile> files, const WriteOptions& options,
                                  WriteStats* stats) {
  const SiteConfig& site = options.site;
  if (site.index_name.empty() || site.index_name.find('/') != std::string::npos)
    throw BundleError("invalid index file name '" + site.index_name + "'");
  for (const auto& [name, value] : site.headers) check_header(name, value);
  std::sort(files.begin(), files.end(),
            [](const SourceFile& a, const SourceFile& b) { return a.path < b.path; });
  for (size_t i = 0; i < files.size(); ++i) {
    check_path(files[i].path);
    if (i > 0 && files[i].path == files[i - 1].path)
      throw BundleError("duplicate path in bundle: " + files[i].path);
  }

  // Load contents and deduplicate identical files into shared blobs.
  std::vector<Blob> blobs;
  std::vector<size_t> blob_of(files.size());
  std::map<std::pair<uint64_t, uint64_t>, size_t> by_hash;
  for (size_t i = 0; i < files.size(); ++i) {
    SourceFile& f = files[i];
    std::vector<uint8_t> data =
        f.contents.empty() && !f.disk_path.empty() ? read_file(f.disk_path) : std::move(f.contents);
    XXH128_hash_t h = XXH3_128bits(data.data(), data.size());
    auto [it, fresh] = by_hash.emplace(std::make_pair(h.high64, h.low64), blobs.size());
    if (fresh) {
      Blob b;
      uint8_t digest[16];
      store_le64(digest, h.high64);
      store_le64(digest + 8, h.low64);
      b.etag = hex(digest, 10);
      b.compressible = options.compress && worth_compressing(content_type_for(f.path));
      b.identity = std::move(data);
      blobs.push_back(std::move(b));
    } else if (options.compress && worth_compressing(content_type_for(f.path))) {
      blobs[it->second].compressible = true;
    }
    blob_of[i] = it->second;
  }

  // Precompress in parallel: brotli at quality 11 dominates the bundle's build time.
  unsigned threads =
      options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  std::atomic<size_t> next{0}, done{0};
  auto worker = [&] {
    for (size_t i; (i = next.fetch_add(1)) < blobs.size();) {
      if (blobs[i].compressible) compress_blob(blobs[i]);
      done.fetch_add(1);
    }
  };
  {
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker);
    // The calling thread works too and reports progress between blobs.
    for (size_t i; (i = next.fetch_add(1)) < blobs.size();) {
      if (blobs[i].compressible) compress_blob(blobs[i]);
      done.fetch_add(1);
      if (options.progress) options.progress(done.load(), blobs.size());
    }
    for (auto& t : pool) t.join();
  }
  if (options.progress) options.progress(blobs.size(), blobs.size());

  // Directory redirects: every directory that holds the index file.
  std::set<std::string> paths;
  for (const auto& f : files) paths.insert(f.path);
  std::set<std::string> redirects;
  const std::string index_suffix = "/" + site.index_name;
  for (const auto& f : files) {
    if (f.path.size() > index_suffix.size() && f.path.ends_with(index_suffix)) {
      std::string dir = f.path.substr(0, f.path.size() - index_suffix.size());
      if (!paths.count(dir)) redirects.insert(dir);
    }
  }

  struct Row {
    std::string path;
    EntryKind kind;
    size_t file;  // index into files, for File rows
  };
  std::vector<Row> rows;
  for (size_t i = 0; i < files.size(); ++i) rows.push_back({files[i].path, EntryKind::File, i});
  for (const auto& d : redirects) rows.push_back({d, EntryKind::DirectoryRedirect, 0});
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.path < b.path; });
  if (rows.size() >= 0x40000000) throw BundleError("too many files for one bundle");

  // Data section: each blob's variants once, in blob order.
  std::vector<uint8_t> data;
  for (auto& b : blobs) {
    b.offsets[0] = data.size();
    data.insert(data.end(), b.identity.begin(), b.identity.end());
    b.offsets[1] = data.size();
    data.insert(data.end(), b.gzip.begin(), b.gzip.end());
    b.offsets[2] = data.size();
    data.insert(data.end(), b.brotli.begin(), b.brotli.end());
  }

  const std::optional<int64_t>& sde = options.source_date_epoch;
  StringTable strings;
  std::vector<uint8_t> entries(rows.size() * kEntrySize, 0);
  uint32_t not_found = kNoEntry;
  int64_t newest = 0;
  WriteStats st;
  for (size_t r = 0; r < rows.size(); ++r) {
    uint8_t* p = entries.data() + r * kEntrySize;
    const Row& row = rows[r];
    put_str(p + ent::path, strings, row.path);
    store_le16(p + ent::kind, uint16_t(row.kind));
    if (row.kind == EntryKind::DirectoryRedirect) {
      put_str(p + ent::content_type, strings, "");
      put_str(p + ent::cache_control, strings, "");
      put_str(p + ent::etag, strings, "");
      ++st.redirects;
      continue;
    }
    const SourceFile& f = files[row.file];
    const Blob& b = blobs[blob_of[row.file]];
    std::string type = content_type_for(f.path);
    put_str(p + ent::content_type, strings, type);
    put_str(p + ent::cache_control, strings, cache_control_for(f.path, type));
    put_str(p + ent::etag, strings, b.etag);
    int64_t mtime = sde ? std::min(f.mtime, *sde) : f.mtime;
    newest = std::max(newest, mtime);
    store_le64(p + ent::mtime, uint64_t(mtime));
    const std::vector<uint8_t>* v[kEncodingCount] = {&b.identity, &b.gzip, &b.brotli};
    for (int e = 0; e < kEncodingCount; ++e) {
      store_le64(p + ent::variants + 16 * e, b.offsets[e]);
      store_le64(p + ent::variants + 16 * e + 8, v[e]->size());
    }
    if (f.path == site.not_found) not_found = uint32_t(r);
    ++st.files;
    st.identity_bytes += b.identity.size();
  }
  for (const auto& b : blobs) {
    st.gzip_variants += !b.gzip.empty();
    st.brotli_variants += !b.brotli.empty();
  }
  st.unique_blobs = blobs.size();

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
  const uint64_t total = data_off + data.size() + kTrailerSize;

  std::vector<uint8_t> out(total, 0);
  uint8_t* h = out.data();
  std::copy(std::begin(kMagic), std::end(kMagic), h + hdr::magic);
  store_le32(h + hdr::version, kVersion);
  store_le32(h + hdr::header_size, kHeaderSize);
  store_le64(h + hdr::file_size, total);
  store_le32(h + hdr::entry_count, uint32_t(rows.size()));
  store_le32(h + hdr::hash_slots, slots);
  store_le64(h + hdr::entries_off, entries_off);
  store_le64(h + hdr::hash_off, hash_off);
  store_le64(h + hdr::strings_off, strings_off);
  store_le64(h + hdr::strings_size, strings.bytes().size());
  store_le64(h + hdr::data_off, data_off);
  store_le64(h + hdr::data_size, data.size());
  store_le64(h + hdr::created, uint64_t(sde ? *sde : newest));
  store_le32(h + hdr::index_name, index_off);
  store_le16(h + hdr::index_name + 4, uint16_t(site.index_name.size()));
  store_le32(h + hdr::not_found, not_found);
  store_le32(h + hdr::extra_headers, headers_off);
  store_le32(h + hdr::extra_headers + 4, uint32_t(header_lines.size()));
  std::copy(entries.begin(), entries.end(), h + entries_off);
  for (uint32_t s = 0; s < slots; ++s) store_le32(h + hash_off + 4 * s, table[s]);
  std::copy(strings.bytes().begin(), strings.bytes().end(), h + strings_off);
  std::copy(data.begin(), data.end(), h + data_off);

  // The id names the content: a hash of everything but the id and the trailer.
  uint64_t body = total - kTrailerSize;
  XXH128_hash_t id = XXH3_128bits(h, body);
  store_le64(h + hdr::bundle_id, id.high64);
  store_le64(h + hdr::bundle_id + 8, id.low64);
  store_le64(h + body, xxhash64(h, body));

  st.bundle_bytes = total;
  if (stats) *stats = st;
  return out;
}

}  // namespace mayfly::bundle
