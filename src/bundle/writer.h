#pragma once
// Builds a bundle from a set of files. Hosted code: allocates, throws BundleError.
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace mayfly::bundle {

class BundleError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct SourceFile {
  std::string path;               // normalized request path: "/", segments, no "." or ".."
  std::string disk_path;          // read from here when contents is empty and this is set
  std::vector<uint8_t> contents;  // or held in memory
  int64_t mtime = 0;              // unix seconds
};

struct SiteConfig {
  std::string index_name = "index.html";
  std::string not_found = "/404.html";                       // used when the bundle holds this path
  std::vector<std::pair<std::string, std::string>> headers;  // extra response headers
};

struct WriteOptions {
  SiteConfig site;
  // When set, no Last-Modified is later than this and the bundle's creation time is it
  // (https://reproducible-builds.org/specs/source-date-epoch/).
  std::optional<int64_t> source_date_epoch;
  unsigned threads = 0;  // 0: one per core
  bool compress = true;
  std::function<void(size_t done, size_t total)> progress;
};

struct WriteStats {
  size_t files = 0;
  size_t redirects = 0;
  size_t unique_blobs = 0;
  size_t gzip_variants = 0;
  size_t brotli_variants = 0;
  uint64_t identity_bytes = 0;
  uint64_t bundle_bytes = 0;
};

// Returns the complete bundle image. Throws BundleError for invalid input (duplicate or
// malformed paths, invalid header names or values, unreadable files).
std::vector<uint8_t> write_bundle(std::vector<SourceFile> files, const WriteOptions& options,
                                  WriteStats* stats = nullptr);

// True for names such as "app.3f9a2c1b.css" or "main-9f86d081.js": a run of at least eight
// hex digits, one of them a digit, between separators. Such files never change under their
// name and are cached for a year.
bool is_fingerprinted(std::string_view path);

// The cache policy for a path and content type.
std::string cache_control_for(std::string_view path, std::string_view content_type);

}  // namespace mayfly::bundle
