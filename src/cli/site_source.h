#pragma once
// What a PATH argument names, and how to turn it into a bundle in memory: a .mfb file
// (mapped), or a built site directory (bundled at start).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bundle/reader.h"
#include "bundle/writer.h"
#include "hosted/mapped_file.h"

namespace mayfly::cli {

struct LoadedBundle {
  hosted::MappedFile mapped;  // a .mfb file, or a bundle made in memory (memfd)
  bundle::Bundle bundle;
};

// Options shared by the commands that bundle a directory.
struct BundleFlags {
  std::vector<std::string> headers;  // "Name: value"
  std::string index_name = "index.html";
  std::string not_found = "/404.html";
  bool compress = true;
  unsigned threads = 0;
};

// SOURCE_DATE_EPOCH from the environment; throws std::runtime_error when malformed.
std::optional<int64_t> source_date_epoch();

bundle::WriteOptions write_options(const BundleFlags& flags);

// Scans and bundles a directory, printing skipped-file notices and progress on stderr.
std::vector<uint8_t> bundle_directory(const std::string& dir, const BundleFlags& flags,
                                      bundle::WriteStats* stats = nullptr);

// True when dir holds a Jekyll-layout blog (a _config.yml) rather than a built site.
bool is_blog_source(const std::string& dir);

// Loads PATH (a .mfb, a built site directory, or a blog source, which is built first). Throws
// std::runtime_error with a message for people.
void load_bundle(const std::string& path, const BundleFlags& flags, LoadedBundle& out);

}  // namespace mayfly::cli
