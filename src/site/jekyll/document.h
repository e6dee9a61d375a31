#pragma once
// What the reader finds in a site's source: documents to render (pages, posts, drafts,
// collection documents) and static files to copy.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "site/liquid/value.h"

namespace mayfly::site {

// Text a document shares with the template values that show it (page.content, the items of
// site.posts): one copy however many values hold it. Reads as a std::string.
class SharedText {
 public:
  SharedText() = default;
  SharedText& operator=(std::string s) {
    p_ = std::make_shared<const std::string>(std::move(s));
    return *this;
  }
  SharedText& operator=(std::shared_ptr<const std::string> p) {
    p_ = std::move(p);
    return *this;
  }
  const std::string& str() const { return p_ ? *p_ : empty_string(); }
  operator const std::string&() const { return str(); }
  operator std::string_view() const { return str(); }
  bool empty() const { return str().empty(); }
  size_t size() const { return str().size(); }
  const std::shared_ptr<const std::string>& ptr() const { return p_; }

 private:
  static const std::string& empty_string() {
    static const std::string kEmpty;
    return kEmpty;
  }
  std::shared_ptr<const std::string> p_;
};

enum class DocumentKind { Page, Post, Draft, CollectionDocument };

struct Document {
  DocumentKind kind = DocumentKind::Page;
  std::string collection;             // "posts" for posts and drafts, a name, or "" for pages
  std::filesystem::path source_path;  // absolute
  std::string relative_path;          // from the site source, '/'-separated ("_posts/x.md")
  std::string raw;                    // the whole file
  std::string body;                   // after the front matter
  int body_line = 1;                  // line of the file where body starts
  bool has_front_matter = false;
  liquid::Hash front_matter;  // as written
  liquid::Hash data;          // defaults, then front matter, then computed keys
  bool markdown = false;
  std::string output_ext = ".html";

  // Posts and drafts.
  std::string slug;
  int64_t date = 0;     // unix seconds
  int date_offset = 0;  // seconds east of UTC of the date as written
  std::vector<std::string> categories;
  std::vector<std::string> tags;

  std::string url;
  std::string output_path;  // relative to the destination
  bool write = true;        // false for collection documents without output

  // Filled by the renderer.
  SharedText content;   // converted (Markdown → HTML) and Liquid-rendered, before layouts
  std::string output;   // after layouts
  std::string excerpt;  // rendered excerpt (posts)
};

struct StaticFile {
  std::filesystem::path source_path;
  std::string relative_path;  // from the site source
  std::string output_path;    // relative to the destination
  std::string url;
  int64_t mtime = 0;
  std::string collection;  // for static files inside a collection
};

}  // namespace mayfly::site
