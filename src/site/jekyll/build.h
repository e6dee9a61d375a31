#pragma once
// `mayfly build`: the whole generator, from a Jekyll site's source to its destination.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "site/jekyll/config.h"

namespace mayfly::site {

class ConversionCache;
struct SiteState;

// Where a build's files go: the staged destination folder, or memory (`serve --watch`).
// Paths are relative to the site's root ("blog/x/index.html"). Called from several threads.
class OutputSink {
 public:
  virtual ~OutputSink() = default;
  virtual void write(const std::string& path, std::string_view data) = 0;
  virtual void copy(const std::string& path, const std::filesystem::path& from) = 0;
};

struct BuildOptions {
  BuildFlags flags;
  unsigned threads = 0;  // 0: one per core
  std::optional<int64_t>
      time;  // site.time; default now (SOURCE_DATE_EPOCH for reproducible builds)
  std::function<void(const std::string&)>
      warn;  // build warnings (missing layouts, unknown plugins)
  // Markdown conversions kept from one build to the next (`serve --watch`); may be null.
  ConversionCache* cache = nullptr;
  // When set, the files go here and the destination is not touched.
  OutputSink* sink = nullptr;
};

struct BuildResult {
  std::filesystem::path source;
  std::filesystem::path destination;
  size_t pages = 0;
  size_t posts = 0;
  size_t documents = 0;
  size_t static_files = 0;
  size_t files_written = 0;
  double read_seconds = 0, render_seconds = 0, write_seconds = 0;
};

// Builds into a temporary folder beside the destination and swaps it in at the end: a
// failed build leaves the destination as it was. Throws SourceError / liquid::LiquidError
// ("file:line:col: ...") or std::runtime_error for I/O problems.
// With keep, what the build read and rendered stays there for an incremental rebuild
// (incremental.h), and renders record what they read.
BuildResult build_site(const std::filesystem::path& source, const BuildOptions& options,
                       std::unique_ptr<SiteState>* keep = nullptr);

// The plugins mayfly has built in, by their gem names; others get a warning.
bool is_builtin_plugin(const std::string& name);

}  // namespace mayfly::site
