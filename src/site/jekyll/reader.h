#pragma once
// Reads a Jekyll site's source tree as Jekyll::Reader does: pages, posts, drafts,
// collections, static files, data files and layouts.
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "site/jekyll/config.h"
#include "site/jekyll/document.h"

namespace mayfly::site {

struct Layout {
  std::string name;
  std::filesystem::path path;
  std::string relative_path;
  std::string body;
  int body_line = 1;
  liquid::Hash data;  // its front matter (may name a parent layout)
};

struct SiteContent {
  std::vector<std::unique_ptr<Document>> pages;
  std::vector<std::unique_ptr<Document>> posts;  // drafts included when shown
  std::map<std::string, std::vector<std::unique_ptr<Document>>> collections;  // not posts
  std::vector<StaticFile> static_files;
  std::map<std::string, Layout> layouts;
  liquid::Value data;  // site.data
  std::vector<std::string> warnings;
  // The earliest date of the posts left out as future ones (prepare_site): from then on the
  // site is another (serve --watch rebuilds in full).
  int64_t next_future = INT64_MAX;
};

// Jekyll::EntryFilter for one directory entry: true when it is skipped.
class EntryFilter {
 public:
  explicit EntryFilter(const SiteConfig& config) : config_(config) {}
  // name: the entry's file name; relative: its path from the source, '/'-separated.
  bool skip(const std::string& name, const std::string& relative, bool is_dir) const;

 private:
  bool matches(const std::vector<std::string>& patterns, const std::string& relative,
               bool is_dir) const;
  const SiteConfig& config_;
};

// Reads everything, the posts' files on `threads` threads. Throws SourceError
// (file:line:col) for bad front matter or data files.
SiteContent read_site(const SiteConfig& config, unsigned threads = 1);

}  // namespace mayfly::site
