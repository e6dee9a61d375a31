#include "bundle/writer.h"

#include <brotli/encode.h>
#include <libdeflate.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <map>
#include <memory>
#include <thread>

#include "bundle/layout.h"
#include "bundle/mime.h"
#include "core/ascii.h"

namespace mayfly::bundle {
namespace {

// A variant is kept only when it saves at least this fraction of the identity size.
constexpr double kMinSaving = 0.05;
// Large files are sampled before the slow brotli pass: a quick gzip of the first 64 KiB
// that saves nothing means the file is not worth compressing.
constexpr size_t kSampleThreshold = 256 * 1024;
constexpr size_t kSampleSize = 64 * 1024;

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

void compress_blob(PreparedBlob& b) {
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
  // Refuse what the layout would refuse before the slow part: reading and compressing.
  check_site_config(options.site);
  for (const SourceFile& f : files) check_bundle_path(f.path);
  // Load contents and deduplicate identical files into shared blobs, in path order (the
  // layout keeps the data section in the order of first use).
  std::sort(files.begin(), files.end(),
            [](const SourceFile& a, const SourceFile& b) { return a.path < b.path; });
  std::vector<std::shared_ptr<PreparedBlob>> blobs;
  std::vector<bool> compressible;
  std::vector<LayoutFile> layout_files;
  layout_files.reserve(files.size());
  std::map<std::pair<uint64_t, uint64_t>, size_t> by_hash;
  for (SourceFile& f : files) {
    std::vector<uint8_t> data = f.contents.empty() && !f.disk_path.empty()
                                    ? read_whole_file(f.disk_path)
                                    : std::move(f.contents);
    PreparedBlob prepared = prepare_blob(std::move(data));
    bool worth = options.compress && worth_compressing(content_type_for(f.path));
    auto [it, fresh] =
        by_hash.emplace(std::make_pair(prepared.hash_high, prepared.hash_low), blobs.size());
    if (fresh) {
      blobs.push_back(std::make_shared<PreparedBlob>(std::move(prepared)));
      compressible.push_back(worth);
    } else if (worth) {
      compressible[it->second] = true;
    }
    layout_files.push_back({std::move(f.path), f.mtime, blobs[it->second]});
  }

  // Precompress in parallel: brotli at quality 11 dominates the bundle's build time.
  unsigned threads =
      options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  std::atomic<size_t> next{0}, done{0};
  auto worker = [&] {
    for (size_t i; (i = next.fetch_add(1)) < blobs.size();) {
      if (compressible[i]) compress_blob(*blobs[i]);
      done.fetch_add(1);
    }
  };
  {
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker);
    // The calling thread works too and reports progress between blobs.
    for (size_t i; (i = next.fetch_add(1)) < blobs.size();) {
      if (compressible[i]) compress_blob(*blobs[i]);
      done.fetch_add(1);
      if (options.progress) options.progress(done.load(), blobs.size());
    }
    for (auto& t : pool) t.join();
  }
  if (options.progress) options.progress(blobs.size(), blobs.size());

  BundleLayout layout(std::move(layout_files), options);
  std::vector<uint8_t> out(layout.size());
  layout.write(out.data());
  if (stats) *stats = layout.stats();
  return out;
}

}  // namespace mayfly::bundle
