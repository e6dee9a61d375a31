#include "site/jekyll/read_tracker.h"

#include <algorithm>

namespace mayfly::site {

void ReadSet::finish() {
  std::sort(texts.begin(), texts.end());
  texts.erase(std::unique(texts.begin(), texts.end()), texts.end());
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
}

void DocumentHashes::add(const liquid::Value& v, const Document* d) {
  if (v.is_hash()) map_[&v.as_hash()] = Entry{d, v.hash_ptr()};
}

void DocumentHashes::remove(const liquid::Value& v) {
  if (v.is_hash()) map_.erase(&v.as_hash());
}

const Document* DocumentHashes::find(const liquid::Hash* h) const {
  auto it = map_.find(h);
  return it == map_.end() ? nullptr : it->second.document;
}

void DocumentHashes::sweep() {
  std::erase_if(map_, [](const auto& item) { return item.second.hash.use_count() == 1; });
}

ReadTracker::ReadTracker(const DocumentHashes& docs, const liquid::Value& site, ReadSet* out)
    : docs_(docs), out_(out), previous_(liquid::hash_read_observer) {
  if (site.is_hash()) site_ = &site.as_hash();
  if (out_) liquid::hash_read_observer = this;
}

ReadTracker::~ReadTracker() {
  if (out_) liquid::hash_read_observer = previous_;
}

void ReadTracker::text_of(const Document* d) {
  out_->documents = true;
  if (out_->texts.empty() || out_->texts.back() != d) out_->texts.push_back(d);
}

void ReadTracker::on_find(const liquid::Hash& h, std::string_view key) {
  if (&h == site_) {
    if (key == "time") out_->time = true;
    return;
  }
  if (const Document* d = docs_.find(&h)) {
    // The rest of a document's values come from its front matter and path: a body edit
    // leaves them as they were, a front matter edit changes the keys it names.
    if (key == "content" || key == "excerpt") {
      text_of(d);
    } else {
      out_->documents = true;
      out_->keys.emplace_back(d, std::string(key));
    }
  }
}

void ReadTracker::on_file(const std::string& relative_path) {
  out_->files.push_back(relative_path);
}

void ReadTracker::on_read_all(const liquid::Hash& h) {
  if (&h == site_) {
    out_->time = true;
    return;
  }
  if (const Document* d = docs_.find(&h)) text_of(d);
}

}  // namespace mayfly::site
