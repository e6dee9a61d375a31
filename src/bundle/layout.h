#pragma once
// The bundle's index and data laid out from files whose bytes are already prepared, and
// written into memory the caller provides. write_bundle() uses it once per bundle;
// `serve --watch` keeps each file's prepared bytes from one rebuild to the next and lays
// out a new bundle from them, so a rebuild hashes only the files that changed and writes
// straight into the file it serves from. Hosted code: allocates, throws BundleError.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bundle/format.h"
#include "bundle/writer.h"

namespace mayfly::bundle {

// One file's bytes as the bundle stores them.
struct PreparedBlob {
  std::vector<uint8_t> identity;
  std::vector<uint8_t> gzip;    // empty when absent
  std::vector<uint8_t> brotli;  // empty when absent
  uint64_t hash_high = 0;       // XXH3-128 of identity: identical files share storage
  uint64_t hash_low = 0;
  std::string etag;  // unquoted, from the hash
};

// Hashes identity and names its ETag; no compressed variants.
PreparedBlob prepare_blob(std::vector<uint8_t> identity);

// Throw BundleError for what no bundle can hold: a path that is not normalized ("/",
// segments, none empty, "." or ".."), an index name with a slash, a header the server sets
// itself or one with control characters.
void check_bundle_path(const std::string& path);
void check_site_config(const SiteConfig& site);

// Reads a whole file; throws BundleError naming it.
std::vector<uint8_t> read_whole_file(const std::string& path);

struct LayoutFile {
  std::string path;  // normalized request path
  int64_t mtime = 0;
  std::shared_ptr<const PreparedBlob> blob;
};

class BundleLayout {
 public:
  // Checks the paths (no duplicates, no empty, "." or ".." segments) and the site's headers,
  // adds the directory redirects, and places every section. Throws BundleError.
  BundleLayout(std::vector<LayoutFile> files, const WriteOptions& options);

  uint64_t size() const { return total_; }
  const WriteStats& stats() const { return stats_; }

  // Writes the complete bundle, id and checksum included, into out[0..size()).
  void write(uint8_t* out) const;

 private:
  std::vector<LayoutFile> files_;           // sorted by path
  std::vector<const PreparedBlob*> blobs_;  // unique contents, in data order
  std::vector<uint8_t> index_;              // header, entries, hash table, strings
  uint64_t total_ = 0;
  WriteStats stats_;
};

}  // namespace mayfly::bundle
