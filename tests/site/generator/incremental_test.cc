// serve --watch's incremental rebuilds: after each kind of edit, the files an
// IncrementalSite gives are those of a clean full build of the same source, file for file;
// edits of posts' bodies and plain front matter values are partial rebuilds, the rest full.
#include "site/jekyll/incremental.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

namespace fs = std::filesystem;

namespace mayfly::site {
namespace {

std::string read(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f << text;
}

void replace(const fs::path& p, const std::string& from, const std::string& to) {
  std::string text = read(p);
  size_t at = text.find(from);
  ASSERT_NE(at, std::string::npos) << p << " lacks " << from;
  write(p, text.replace(at, from.size(), to));
}

// Files in memory, as serve --watch keeps them.
class MapSink : public OutputSink {
 public:
  void write(const std::string& path, std::string_view data) override {
    std::lock_guard<std::mutex> lock(mutex_);
    files[path] = std::string(data);
  }
  void copy(const std::string& path, const fs::path& from) override {
    std::string data = read(from);
    std::lock_guard<std::mutex> lock(mutex_);
    files[path] = std::move(data);
  }
  std::map<std::string, std::string> files;

 private:
  std::mutex mutex_;
};

constexpr int64_t kTime = 1735689600;

class IncrementalBuild : public ::testing::Test {
 protected:
  void SetUp() override {
    src_ = fs::temp_directory_path() / ("mayfly-incremental-" + std::to_string(::getpid()));
    fs::remove_all(src_);
    fs::copy(MAYFLY_FIXTURE_DIR, src_, fs::copy_options::recursive);
    // Pages that read posts' text in the ways templates do, and one that reads site.time.
    write(src_ / "excerpts.html",
          "---\n---\n{% for p in site.posts %}<li>{{ p.title }}: {{ p.excerpt }}</li>{% endfor %}");
    write(src_ / "first.json", "---\n---\n{{ site.posts.first | jsonify }}");
    write(src_ / "titles.html", "---\n---\n{{ site.posts | map: 'title' | join: ',' }}");
    write(src_ / "words.html",
          "---\n---\n{% for t in site.tags %}{{ t[0] }}{% for p in t[1] %} "
          "{{ p.content | number_of_words }}{% endfor %}{% endfor %}");
    write(src_ / "time.html", "---\n---\n{{ site.time }}");
    // A page that includes a post's file and a snippet as they are on disk.
    write(src_ / "snippet.txt", "Snippet one.");
    write(src_ / "raw.html",
          "---\n---\n{% include_relative _posts/2024-05-01-plain.md %}|"
          "{% include_relative snippet.txt %}");
    // Left out as a future post at kTime, in at kTime + 3600.
    write(src_ / "_posts/2025-01-01-soon.md",
          "---\ntitle: Soon\ndate: 2025-01-01 00:30:00 +0000\n---\nSoon.\n");
    write(src_ / "_posts/2024-04-01-neighbour.md",
          "---\ntitle: Neighbour\n---\nNeighbour text.\n\nMore.\n");
    write(src_ / "_posts/2024-05-01-plain.md",
          "---\ntitle: Plain\ntags: [solo]\n---\nPlain body.\n\nSecond paragraph.\n");
    write(src_ / "_posts/2024-06-01-liquid.md",
          "---\ntitle: Liquid\n---\nOn {{ site.title }}: {% include greet.html name=\"x\" %}\n");
    // The post layout shows the next post's excerpt: an edit reaches the post before it.
    replace(src_ / "_layouts/post.html", "{{ page.next.title }}",
            "{{ page.next.title }}{{ page.next.excerpt }}");
    // A destination inside the source (Jekyll's default) from an earlier build.
    write(src_ / "_site/old.html", "left by an earlier build");
    options_.time = kTime;
    options_.threads = 2;
    options_.sink = &sink_;
    site_ = std::make_unique<IncrementalSite>(src_, options_);
    site_->build();
  }
  void TearDown() override { fs::remove_all(src_); }

  // Rebuilds as the watcher would after `touched` changed; expects a partial or full
  // rebuild, and the files of a clean build.
  void rebuild(const std::vector<std::string>& touched, bool partial, int64_t time = kTime) {
    SCOPED_TRACE("rebuild #" + std::to_string(++rebuilds_) + " of this test");
    site_->set_time(time);
    IncrementalSite::Outcome r = site_->build(touched);
    EXPECT_EQ(!r.full, partial) << (r.full ? "full: " + r.why_full : "partial");
    MapSink clean;
    BuildOptions c = options_;
    c.time = time;
    c.sink = &clean;
    build_site(src_, c);
    if (r.full) {
      files_ = sink_.files;
    } else {
      for (auto& [path, data] : sink_.files) files_[path] = data;
    }
    sink_.files.clear();
    ASSERT_EQ(files_.size(), clean.files.size());
    for (const auto& [path, data] : clean.files) {
      auto it = files_.find(path);
      ASSERT_NE(it, files_.end()) << path << " missing";
      EXPECT_EQ(it->second, data) << path << " differs from a clean build";
    }
  }

  void first_files() {
    files_ = sink_.files;
    sink_.files.clear();
  }

  fs::path src_;
  BuildOptions options_;
  MapSink sink_;
  std::unique_ptr<IncrementalSite> site_;
  std::map<std::string, std::string> files_;
  int rebuilds_ = 0;
};

TEST_F(IncrementalBuild, BodyEditsArePartialAndExact) {
  first_files();
  const std::string plain = "_posts/2024-05-01-plain.md";
  replace(src_ / plain, "Plain body.", "Plain body, edited.");
  rebuild({plain}, true);
  replace(src_ / plain, "Second paragraph.", "Second paragraph, edited.");
  rebuild({plain}, true);
  // Found by its stamp (size) without the watcher's word.
  replace(src_ / "_posts/2024-04-01-neighbour.md", "Neighbour text.", "Neighbour text, longer.");
  rebuild({}, true);
  // A body with Liquid that reads no document.
  replace(src_ / "_posts/2024-06-01-liquid.md", "On ", "Now on ");
  rebuild({"_posts/2024-06-01-liquid.md"}, true);
  // The fixture's first post (footnotes, code, excerpt, tags).
  replace(src_ / "_posts/2024-01-15-first-post.md", "The first paragraph",
          "The very first paragraph");
  rebuild({"_posts/2024-01-15-first-post.md"}, true);
  // Neighbours edited together (each one's next or previous shows the other).
  replace(src_ / plain, "Plain body", "Plain body together");
  replace(src_ / "_posts/2024-04-01-neighbour.md", "Neighbour text", "Neighbour text together");
  replace(src_ / "_posts/2024-06-01-liquid.md", "Now on ", "Together on ");
  rebuild({plain, "_posts/2024-04-01-neighbour.md", "_posts/2024-06-01-liquid.md"}, true);
  // Touched, unchanged; then a new time (site.time readers render again).
  rebuild({plain}, true);
  replace(src_ / plain, "edited", "edited twice");
  rebuild({plain}, true, kTime + 60);
  // An editor's temporary file that is gone again.
  rebuild({"_posts/.plain.md.swp", "_posts/4913"}, true, kTime + 60);
  // The future post's time has come: the site is another.
  replace(src_ / plain, "edited twice", "edited thrice");
  rebuild({plain}, false, kTime + 3600);
}

TEST_F(IncrementalBuild, FrontMatterValueEditsArePartialAndExact) {
  first_files();
  const std::string plain = "_posts/2024-05-01-plain.md";
  // The title: list pages, neighbours' next/previous, feed and sitemap show it.
  replace(src_ / plain, "title: Plain", "title: Plain Title");
  rebuild({plain}, true);
  // With the body in the same edit.
  replace(src_ / plain, "title: Plain Title", "title: Plain Again");
  replace(src_ / plain, "Plain body.", "Plain body, with the title.");
  rebuild({plain}, true);
  // A key of the blog's own, read through a filter; and one the defaults give a value.
  write(src_ / "moods.html",
        "---\n---\n{{ site.posts | where: 'mood', 'sad' | map: 'title' | join: ',' }}");
  replace(src_ / plain, "tags: [solo]", "tags: [solo]\nmood: happy\nauthor: Someone");
  rebuild({plain, "moods.html"}, false);
  replace(src_ / plain, "mood: happy", "mood: sad");
  rebuild({plain}, true);
  replace(src_ / plain, "author: Someone", "author: Someone Else");
  rebuild({plain}, true);
  // A value the post's data computes over, a nil title (the slug's instead), a new key:
  // full builds.
  replace(src_ / plain, "mood: sad", "mood: sad\nid: mine");
  rebuild({plain}, false);
  replace(src_ / plain, "id: mine", "id: yours");
  rebuild({plain}, false);
  replace(src_ / plain, "title: Plain Again", "title:");
  rebuild({plain}, false);
  replace(src_ / plain, "title:", "title: Back");
  rebuild({plain}, false);
}

TEST_F(IncrementalBuild, OtherEditsAreFullAndExact) {
  first_files();
  const std::string plain = "_posts/2024-05-01-plain.md";
  replace(src_ / plain, "title: Plain", "title: Plain\ndate: 2024-05-02 10:00:00");
  rebuild({plain}, false);
  replace(src_ / plain, "tags: [solo]", "tags: [solo, intro]");
  rebuild({plain}, false);
  replace(src_ / "_layouts/default.html", "<body>", "<body class=\"x\">");
  rebuild({"_layouts/default.html"}, false);
  replace(src_ / "_includes/greet.html", "Hello", "Hi");
  rebuild({"_includes/greet.html"}, false);
  replace(src_ / "_config.yml", "title: Fixture Blog", "title: Fixture Blog Two");
  rebuild({"_config.yml"}, false);
  write(src_ / "_posts/2024-07-01-new.md", "---\ntitle: New\n---\nNew post.\n");
  rebuild({"_posts/2024-07-01-new.md"}, false);
  fs::remove(src_ / "_posts/2024-04-01-neighbour.md");
  rebuild({"_posts/2024-04-01-neighbour.md"}, false);
  // A file included as it is (include_relative) that is no post: parsed afresh.
  write(src_ / "snippet.txt", "Snippet two.");
  rebuild({"snippet.txt"}, false);
  EXPECT_NE(files_["raw.html"].find("Snippet two."), std::string::npos) << files_["raw.html"];
  // After full rebuilds, body edits are partial again.
  replace(src_ / plain, "Plain body.", "Plain body again.");
  rebuild({plain}, true);
  rebuild({"*"}, false);
}

// Before each rebuild every file's stamp is read again, so a change the watcher did not
// report is found; what no build reads is not looked at.
TEST_F(IncrementalBuild, ChangesAreFoundWithoutTheWatchersWord) {
  first_files();
  // Dot folders and the destination are not looked into.
  write(src_ / ".git/HEAD", "ref: refs/heads/main\n");
  write(src_ / "_site/another.html", "written by a build beside the server");
  rebuild({}, true);
  // A file in a new folder, a file in a folder that goes away.
  write(src_ / "notes/deep/a.txt", "a note");
  rebuild({}, false);
  EXPECT_EQ(files_["notes/deep/a.txt"], "a note");
  fs::remove_all(src_ / "notes");
  rebuild({}, false);
  EXPECT_EQ(files_.count("notes/deep/a.txt"), 0u);
  // A linked file counts as what it points to.
  write(src_ / "target.txt", "one");
  fs::create_symlink("target.txt", src_ / "linked.txt");
  rebuild({}, false);
  write(src_ / "target.txt", "three");
  rebuild({}, false);
  EXPECT_EQ(files_["linked.txt"], "three");
}

TEST_F(IncrementalBuild, BodyReadingOtherPostsBuildsInFull) {
  first_files();
  const std::string reader = "_posts/2024-06-01-liquid.md";
  // (Its title: which content it would see is not fixed even in a full build, as the
  // posts' bodies render in parallel.)
  write(src_ / reader, "---\ntitle: Liquid\n---\nOldest: {{ site.posts.last.title }}\n");
  rebuild({reader}, false);
  // From now on a post's body reads other documents: every body edit builds in full.
  replace(src_ / "_posts/2024-05-01-plain.md", "Plain body.", "Plain body changed.");
  rebuild({"_posts/2024-05-01-plain.md"}, false);
}

TEST_F(IncrementalBuild, BadBodyKeepsNothingHalfDone) {
  first_files();
  const std::string plain = "_posts/2024-05-01-plain.md";
  replace(src_ / plain, "Plain body.", "Plain {% if %} body.");
  site_->set_time(kTime);
  EXPECT_ANY_THROW(site_->build({plain}));
  sink_.files.clear();
  replace(src_ / plain, "Plain {% if %} body.", "Plain body, fixed.");
  rebuild({plain}, false);
}

}  // namespace
}  // namespace mayfly::site
