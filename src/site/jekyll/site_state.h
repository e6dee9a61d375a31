#pragma once
// What a build keeps in memory for the next one (`serve --watch`, incremental.h): the
// configuration, the documents as read and rendered, the renderer with what each page read,
// and each post's front matter text and body hash to tell a body edit from anything else.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "site/jekyll/config.h"
#include "site/jekyll/plugins.h"
#include "site/jekyll/reader.h"
#include "site/jekyll/render.h"

namespace mayfly::site {

struct PostSource {
  Document* document = nullptr;
  std::string header;  // the file up to its body: the front matter block as written
  uint64_t body_hash = 0;
};

struct SiteState {
  SiteConfig config;
  SiteContent content;
  std::unique_ptr<SiteRenderer> renderer;
  std::unique_ptr<Plugins> plugins;
  std::vector<GeneratedFile> generated;
  std::map<std::string, PostSource> posts;  // by relative path; posts only (not drafts)
  int64_t now = 0;
  unsigned threads = 1;
};

}  // namespace mayfly::site
