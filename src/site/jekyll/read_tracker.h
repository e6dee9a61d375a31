#pragma once
// What one render read of the documents' template values and of site.time, for
// `serve --watch`: after a post's body changes, only the documents whose last render read
// that post's content or excerpt are rendered again (SiteRenderer::rerender_bodies).
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "site/jekyll/document.h"
#include "site/liquid/value.h"

namespace mayfly::site {

struct ReadSet {
  // Documents whose content or excerpt was read (or all of whose values were: jsonify, a
  // copy, iteration), sorted and unique after finish().
  std::vector<const Document*> texts;
  bool documents = false;  // any value of any document's hash was read
  // The other values read, by document and key (a front matter edit reaches these).
  std::vector<std::pair<const Document*, std::string>> keys;
  bool time = false;  // site.time (it changes with every build)
  // Source files read directly (include_relative), relative to the source.
  std::vector<std::string> files;
  void finish();
};

// Which hashes are which documents' values (items of site.posts, page.next, site.pages, …),
// by address. Each entry holds its hash, so that no other hash can be made at the address
// while the entry names a document there (a freed one's address was reused by site.tags'
// hash now and then, which a rebuild then took for a document's value and left stale).
class DocumentHashes {
 public:
  void clear() { map_.clear(); }
  void add(const liquid::Value& v, const Document* d);
  void remove(const liquid::Value& v);
  const Document* find(const liquid::Hash* h) const;
  // Forgets the hashes nothing but this map still holds (a site value built for one render
  // and dropped): no render can reach them any more.
  void sweep();
  size_t size() const { return map_.size(); }

 private:
  struct Entry {
    const Document* document;
    std::shared_ptr<const liquid::Hash> hash;
  };
  std::unordered_map<const liquid::Hash*, Entry> map_;
};

// Records into `out` while it lives, as this thread's liquid::hash_read_observer. With a
// null `out` it records nothing. `site` is the render's `site` hash, for site.time.
class ReadTracker : public liquid::HashReadObserver {
 public:
  ReadTracker(const DocumentHashes& docs, const liquid::Value& site, ReadSet* out);
  ~ReadTracker() override;
  ReadTracker(const ReadTracker&) = delete;
  ReadTracker& operator=(const ReadTracker&) = delete;

  void on_find(const liquid::Hash& h, std::string_view key) override;
  void on_read_all(const liquid::Hash& h) override;
  void on_file(const std::string& relative_path);

 private:
  void text_of(const Document* d);
  const DocumentHashes& docs_;
  const liquid::Hash* site_ = nullptr;
  ReadSet* out_;
  liquid::HashReadObserver* previous_;
};

}  // namespace mayfly::site
