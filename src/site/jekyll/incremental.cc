#include "site/jekyll/incremental.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>
#include <set>
#include <sstream>

#include "core/xxhash64.h"
#include "site/jekyll/front_matter.h"
#include "site/jekyll/site_state.h"

namespace mayfly::site {
namespace fs = std::filesystem;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

std::string read_text(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  if (!f) throw std::runtime_error(p.string() + ": cannot read");
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

// A post's file split as the reader splits it: the front matter block as written, the body.
struct PostText {
  std::string header;
  std::string body;
};

PostText split_post(const fs::path& path, const std::string& relative) {
  std::string raw = read_text(path);
  PostText t;
  if (auto fm = parse_front_matter(raw, relative)) {
    t.body = std::string(fm->content);
    t.header = raw.substr(0, raw.size() - t.body.size());
  } else {
    t.body = std::move(raw);
  }
  return t;
}

// Front matter keys that decide a post's date, URL, place in lists, layout or excerpt: an
// edit of one builds the site in full.
bool structural(std::string_view key) {
  static const std::set<std::string, std::less<>> kKeys = {
      "date", "slug", "permalink", "published", "category",          "categories",
      "tag",  "tags", "layout",    "excerpt",   "excerpt_separator", "render_with_liquid"};
  return kKeys.count(key) > 0;
}

// The values an edit of d's front matter changed, when it changed only values that d's data
// shows as written (not computed over, not falling back when nil) and no structural key;
// nullopt when the edit needs a full build.
std::optional<std::vector<std::pair<std::string, liquid::Value>>> value_edits(
    const Document& d, const PostText& text, const std::string& relative) {
  auto fm = parse_front_matter(text.header, relative);
  if (!fm || !fm->data.is_hash() || !d.has_front_matter) return std::nullopt;
  const auto& before = d.front_matter.entries();
  const auto& after = fm->data.as_hash().entries();
  if (before.size() != after.size()) return std::nullopt;
  std::vector<std::pair<std::string, liquid::Value>> out;
  for (size_t i = 0; i < before.size(); ++i) {
    const auto& [key, old_value] = before[i];
    const auto& [new_key, new_value] = after[i];
    if (key != new_key) return std::nullopt;
    std::string was = liquid::inspect(old_value);
    if (was == liquid::inspect(new_value)) continue;
    const liquid::Value* shown = d.data.find(key);
    if (structural(key) || new_value.is_nil() || !shown || liquid::inspect(*shown) != was)
      return std::nullopt;
    out.emplace_back(key, new_value);
  }
  return out;
}

}  // namespace

IncrementalSite::IncrementalSite(fs::path source, BuildOptions options)
    : source_(std::move(source)), options_(std::move(options)) {}

IncrementalSite::~IncrementalSite() = default;

// Every file under the source but dotfiles and the destination (the watcher sees no more):
// a change the watcher reported late or merged is found here too.
IncrementalSite::Snapshot IncrementalSite::scan() const {
  // With the directory calls themselves rather than std::filesystem: this runs before every
  // rebuild, and at a thousand posts the iterator's paths and status calls cost several ms.
  Snapshot out;
  struct stat dest {};
  bool has_dest = state_ && ::stat(state_->config.destination.c_str(), &dest) == 0;
  int root = ::open(source_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) return out;
  // Folders still to read: their descriptor and their path relative to the source ("" or
  // ending in '/').
  std::vector<std::pair<int, std::string>> folders = {{root, ""}};
  while (!folders.empty()) {
    auto [fd, prefix] = std::move(folders.back());
    folders.pop_back();
    DIR* dir = ::fdopendir(fd);
    if (dir == nullptr) {
      ::close(fd);
      continue;
    }
    while (const dirent* e = ::readdir(dir)) {
      if (e->d_name[0] == '.') continue;  // dotfiles, dot folders, "." and ".."
      struct stat st;
      if (::fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
      if (S_ISDIR(st.st_mode)) {
        if (has_dest && st.st_dev == dest.st_dev && st.st_ino == dest.st_ino) continue;
        int sub = ::openat(fd, e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (sub >= 0) folders.emplace_back(sub, prefix + e->d_name + "/");
        continue;
      }
      // A link counts as what it points to; links to folders are not followed, so that a
      // cycle of links cannot loop.
      if (S_ISLNK(st.st_mode) && (::fstatat(fd, e->d_name, &st, 0) != 0 || S_ISDIR(st.st_mode)))
        continue;
      Stamp s;
      s.size = uint64_t(st.st_size);
      s.mtime_ns = int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
      s.inode = uint64_t(st.st_ino);
      out.emplace(prefix + e->d_name, s);
    }
    ::closedir(dir);
  }
  return out;
}

IncrementalSite::Outcome IncrementalSite::build(const std::vector<std::string>& touched) {
  Snapshot snapshot = scan();
  std::string why;
  if (!state_) {
    why = "first build";
  } else if (std::find(touched.begin(), touched.end(), "*") != touched.end()) {
    why = "changes unknown";
  } else {
    try {
      if (auto done = partial_build(snapshot, touched, why)) {
        snapshot_ = std::move(snapshot);
        return std::move(*done);
      }
    } catch (...) {
      state_.reset();  // half updated: the next build starts afresh
      throw;
    }
  }
  return full_build(std::move(snapshot), why == "first build" ? "" : why);
}

IncrementalSite::Outcome IncrementalSite::full_build(Snapshot snapshot, std::string why) {
  state_.reset();
  Outcome o;
  o.result = build_site(source_, options_, &state_);
  o.why_full = std::move(why);
  // Before the first build the destination was not known, and scan() went into it when it
  // is inside the source (Jekyll's default, SRC/_site): its files are not the source's.
  std::string dest =
      fs::path(state_->config.destination).lexically_relative(source_).generic_string();
  if (!dest.empty() && dest != "." && !dest.starts_with("..")) {
    for (auto it = snapshot.lower_bound(dest + "/");
         it != snapshot.end() && it->first.starts_with(dest + "/");)
      it = snapshot.erase(it);
  }
  snapshot_ = std::move(snapshot);
  return o;
}

std::optional<IncrementalSite::Outcome> IncrementalSite::partial_build(
    const Snapshot& snapshot, const std::vector<std::string>& touched, std::string& why) {
  auto t0 = std::chrono::steady_clock::now();
  // What changed: the watcher's paths and every file whose stamp moved, appeared or went.
  std::set<std::string> changed;
  // A touched path that is a file in neither snapshot (an editor's temporary file, a
  // directory) cannot change the build; files inside a new or deleted directory show below.
  for (const auto& t : touched)
    if (snapshot.count(t) || snapshot_.count(t)) changed.insert(t);
  for (const auto& [path, stamp] : snapshot) {
    auto old = snapshot_.find(path);
    if (old == snapshot_.end() || !(old->second == stamp)) changed.insert(path);
  }
  for (const auto& [path, stamp] : snapshot_)
    if (!snapshot.count(path)) changed.insert(path);

  SiteState& s = *state_;
  int64_t now = options_.time ? *options_.time : int64_t(std::time(nullptr));
  if (now >= s.content.next_future) {
    why = "a future post's date has come";
    return std::nullopt;
  }
  struct Edit {
    PostSource* post;
    PostText text;
    std::vector<std::pair<std::string, liquid::Value>> values;  // front matter changes
  };
  std::vector<Edit> edits;
  for (const auto& path : changed) {
    auto post = s.posts.find(path);
    if (post == s.posts.end() || !snapshot.count(path)) {
      why = path + " is not a post read before";
      return std::nullopt;
    }
    PostText text = split_post(source_ / path, path);
    std::vector<std::pair<std::string, liquid::Value>> values;
    if (text.header != post->second.header) {
      auto v = value_edits(*post->second.document, text, path);
      if (!v) {
        why = path + ": front matter changed";
        return std::nullopt;
      }
      values = std::move(*v);
    } else if (xxhash64(text.body.data(), text.body.size()) == post->second.body_hash) {
      continue;
    }
    edits.push_back({&post->second, std::move(text), std::move(values)});
  }

  std::vector<SiteRenderer::PostEdit> docs;
  for (Edit& e : edits) {
    Document& d = *e.post->document;
    e.post->body_hash = xxhash64(e.text.body.data(), e.text.body.size());
    e.post->header = std::move(e.text.header);
    for (const auto& [key, value] : e.values) d.front_matter.set(key, value);
    d.body = std::move(e.text.body);
    docs.push_back({&d, std::move(e.values)});
  }
  OutputSink& sink = *options_.sink;
  Outcome o;
  o.full = false;
  o.result.source = s.config.source;
  o.result.destination = s.config.destination;
  o.result.read_seconds = seconds_since(t0);
  auto t1 = std::chrono::steady_clock::now();
  bool done =
      s.renderer->rerender_bodies(docs, now, s.threads, [&sink](Document& d, std::string_view out) {
        if (d.write) sink.write(d.output_path, out);
      });
  if (!done) {
    why = "a post's body reads other documents";
    state_.reset();
    return std::nullopt;
  }
  s.now = now;
  for (const auto& w : s.renderer->warnings())
    if (options_.warn) options_.warn(w);
  // Feeds and sitemaps show the posts' content: made again, written when they differ.
  std::vector<GeneratedFile> generated = s.plugins->after_render(*s.renderer, s.content);
  o.result.render_seconds = seconds_since(t1);
  auto t2 = std::chrono::steady_clock::now();
  std::map<std::string, const std::string*> before;
  for (const auto& g : s.generated) before[g.path] = &g.content;
  std::set<std::string> claimed;
  for (Document* d : s.renderer->outputs())
    if (d->write) claimed.insert(d->output_path);
  for (const auto& st : s.content.static_files) claimed.insert(st.output_path);
  for (const auto& g : generated) {
    auto b = before.find(g.path);
    if (claimed.count(g.path) || (b != before.end() && *b->second == g.content)) continue;
    sink.write(g.path, g.content);
  }
  s.generated = std::move(generated);
  o.result.write_seconds = seconds_since(t2);
  o.result.posts = s.content.posts.size();
  o.result.pages = s.content.pages.size();
  o.rerendered = s.renderer->rerendered();
  o.result.files_written = o.rerendered;
  return o;
}

}  // namespace mayfly::site
