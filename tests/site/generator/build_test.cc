// Builds tests/site/generator/fixture and checks what Jekyll would write.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "site/jekyll/build.h"
#include "site/jekyll/yaml_value.h"
#include "site/liquid/error.h"

namespace fs = std::filesystem;

namespace mayfly::site {
namespace {

std::string read(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

class FixtureBuild : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dest_ = fs::temp_directory_path() / ("mayfly-fixture-" + std::to_string(::getpid()));
    BuildOptions o;
    o.flags.destination = dest_;
    o.time = 1735689600;  // 2025-01-01: the 2099 post is in the future
    o.threads = 2;
    o.warn = [](const std::string& w) { warnings_.insert(w); };
    result_ = build_site(MAYFLY_FIXTURE_DIR, o);
  }
  static void TearDownTestSuite() { fs::remove_all(dest_); }
  static std::string out(const std::string& rel) { return read(dest_ / rel); }
  static bool has(const std::string& rel) { return fs::exists(dest_ / rel); }

  static inline fs::path dest_;
  static inline BuildResult result_;
  static inline std::set<std::string> warnings_;
};

TEST_F(FixtureBuild, WritesExactlyTheExpectedFiles) {
  std::set<std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(dest_))
    if (e.is_regular_file()) files.insert(fs::relative(e.path(), dest_).generic_string());
  std::set<std::string> expected = {
      "index.html",
      "page2/index.html",
      "about.html",
      "2024/01/15/first-post.html",
      "news/2024/02/01/second-post.html",
      "custom/in-blog/index.html",
      "recipes/bread/index.html",
      "assets/plain.css",
      "feed.xml",
      "sitemap.xml",
      "robots.txt",
  };
  EXPECT_EQ(files, expected);
  EXPECT_EQ(result_.posts, 3u) << "unpublished and future posts and drafts are skipped";
}

TEST_F(FixtureBuild, UnknownPluginsAreNamedInAWarning) {
  bool found = false;
  for (const auto& w : warnings_) found |= w.find("jekyll-not-a-real-plugin") != std::string::npos;
  EXPECT_TRUE(found);
}

TEST_F(FixtureBuild, PostsHaveLayoutsDefaultsExcerptsAndNeighbours) {
  std::string first = out("2024/01/15/first-post.html");
  EXPECT_NE(first.find("<title>First post - Fixture Blog</title>"), std::string::npos) << first;
  EXPECT_NE(first.find("data-layout=\"post-layout\""), std::string::npos);
  EXPECT_NE(first.find("data-author=\"Default Author\""), std::string::npos)
      << "front matter defaults";
  EXPECT_NE(first.find("class=\"next\" href=\"/news/2024/02/01/second-post.html\""),
            std::string::npos);
  EXPECT_EQ(first.find("class=\"prev\""), std::string::npos);
  EXPECT_NE(first.find("<sup id=\"fnref:note\""), std::string::npos) << "footnotes";
  EXPECT_NE(first.find("<div class=\"language-python highlighter-rouge\">"), std::string::npos);
  std::string blog = out("custom/in-blog/index.html");
  EXPECT_NE(blog.find("Section: blog. Categories: blog."), std::string::npos) << blog;
}

TEST_F(FixtureBuild, PaginationAcrossPages) {
  std::string one = out("index.html");
  std::string two = out("page2/index.html");
  EXPECT_NE(one.find("In the blog folder|/base/custom/in-blog/"), std::string::npos) << one;
  EXPECT_NE(one.find("Second post|/base/news/2024/02/01/second-post.html"), std::string::npos);
  EXPECT_NE(one.find("1/2 next=/page2/"), std::string::npos);
  EXPECT_NE(two.find("First post|/base/2024/01/15/first-post.html"), std::string::npos) << two;
  EXPECT_NE(two.find("2/2 next="), std::string::npos);
}

TEST_F(FixtureBuild, IncludesDataFilesAndLinkTags) {
  std::string about = out("about.html");
  EXPECT_NE(about.find("<span class=\"greet\">Hello, reader!</span>"), std::string::npos) << about;
  EXPECT_NE(about.find("Editors: Ada."), std::string::npos);
  EXPECT_NE(about.find("Tools: make (1976), cmake (2000)."), std::string::npos);
  EXPECT_NE(about.find("href=\"/base/2024/01/15/first-post.html\""), std::string::npos);
  EXPECT_NE(about.find("href=\"/base/about.html\""), std::string::npos);
  EXPECT_NE(about.find("<h1 id=\"about\">About</h1>"), std::string::npos);
}

TEST_F(FixtureBuild, FeedAndSitemapListThePosts) {
  std::string feed = out("feed.xml");
  EXPECT_NE(feed.find("<title type=\"html\">Fixture Blog</title>"), std::string::npos);
  // jekyll-feed's id is post.id (the URL's directory and the slug), not the URL.
  EXPECT_NE(feed.find("<id>https://example.org/base/2024/01/15/first-post</id>"), std::string::npos)
      << feed;
  EXPECT_NE(feed.find("<published>2024-02-01T08:30:00+00:00</published>"), std::string::npos)
      << "dates are shown in the site's timezone, as Jekyll's parse_date does";
  EXPECT_EQ(feed.find("Future"), std::string::npos);
  std::string sitemap = out("sitemap.xml");
  EXPECT_NE(sitemap.find("<loc>https://example.org/base/custom/in-blog/</loc>"), std::string::npos)
      << sitemap;
  EXPECT_NE(sitemap.find("<loc>https://example.org/base/recipes/bread/</loc>"), std::string::npos);
  EXPECT_EQ(out("robots.txt"), "Sitemap: https://example.org/base/sitemap.xml\n");
}

TEST(BuildErrors, BadTemplateLeavesTheDestinationUntouched) {
  fs::path root = fs::temp_directory_path() / ("mayfly-bad-" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root / "_site");
  std::ofstream(root / "_config.yml") << "title: t\n";
  std::ofstream(root / "_site" / "keep.html") << "old";
  std::ofstream(root / "index.md") << "---\ntitle: x\n---\nline\n{% if true %}\n";
  BuildOptions o;
  try {
    build_site(root, o);
    FAIL() << "expected an error";
  } catch (const liquid::LiquidError& e) {
    EXPECT_TRUE(std::string(e.what()).starts_with("index.md:5:1: ")) << e.what();
  }
  EXPECT_EQ(read(root / "_site" / "keep.html"), "old");
  std::set<std::string> left;
  for (const auto& e : fs::directory_iterator(root)) left.insert(e.path().filename().string());
  EXPECT_EQ(left, (std::set<std::string>{"_config.yml", "_site", "index.md"}))
      << "no staging folder left";
  fs::remove_all(root);
}

// Posts are read on every core; of several bad ones, the first in the posts' order is the
// one reported, on every build.
TEST(BuildErrors, TheFirstBadPostIsNamedWhateverTheThreadsDo) {
  fs::path root = fs::temp_directory_path() / ("mayfly-badposts-" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root / "_posts");
  std::ofstream(root / "_config.yml") << "title: t\n";
  for (int i = 10; i < 70; ++i) {
    std::string name = "2024-01-" + std::to_string(i % 28 + 1) + "-p" + std::to_string(i) + ".md";
    bool bad = i == 23 || i == 41 || i == 66;
    std::ofstream(root / "_posts" / name)
        << (bad ? "---\ntitle: [unclosed\n---\nbody\n" : "---\ntitle: ok\n---\nbody\n");
  }
  BuildOptions o;
  o.threads = 2;
  for (int round = 0; round < 5; ++round) {
    try {
      build_site(root, o);
      FAIL() << "expected an error";
    } catch (const SourceError& e) {
      // Sorted by name: p23 is "2024-01-24-p23.md", p41 "2024-01-14-p41.md", p66
      // "2024-01-11-p66.md": the last comes first.
      EXPECT_TRUE(std::string(e.what()).starts_with("_posts/2024-01-11-p66.md:")) << e.what();
    }
  }
  EXPECT_FALSE(fs::exists(root / "_site")) << "nothing written";
  fs::remove_all(root);
}

// A link back to a folder above it is not followed (the walk would write the site again at
// every level until the path is too long); a warning names it. Other links are followed.
TEST(BuildLinks, ALinkToAnEnclosingFolderIsNamedAndNotFollowed) {
  fs::path root = fs::temp_directory_path() / ("mayfly-links-" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root / "notes");
  fs::create_directories(root / "elsewhere");
  std::ofstream(root / "_config.yml") << "title: t\nexclude: [elsewhere]\n";
  std::ofstream(root / "notes" / "a.txt") << "a";
  std::ofstream(root / "elsewhere" / "b.txt") << "b";
  fs::create_directory_symlink("..", root / "notes" / "up");
  fs::create_directory_symlink("../elsewhere", root / "notes" / "linked");
  std::vector<std::string> warnings;
  BuildOptions o;
  o.warn = [&](const std::string& w) { warnings.push_back(w); };
  build_site(root, o);
  std::set<std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(root / "_site"))
    if (e.is_regular_file()) files.insert(fs::relative(e.path(), root / "_site").generic_string());
  EXPECT_EQ(files, (std::set<std::string>{"notes/a.txt", "notes/linked/b.txt"}));
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0], "notes/up: a link to a folder that contains it; not followed");
  fs::remove_all(root);
}

// A post body that reads other posts' content sees their source text, the same on every
// build whatever the threads do (it once depended on which bodies had rendered first).
TEST(BuildReproducible, BodiesReadingOtherPostsAreTheSameEveryTime) {
  fs::path root = fs::temp_directory_path() / ("mayfly-reread-" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root / "_posts");
  std::ofstream(root / "_config.yml") << "title: t\n";
  for (int i = 1; i <= 16; ++i) {
    char name[64];
    std::snprintf(name, sizeof name, "2026-01-%02d-p%d.md", i, i);
    std::ofstream(root / "_posts" / name)
        << "---\ntitle: p" << i << "\n---\n{{ site.posts.last.content }}|"
        << "{{ site.posts.first.content | size }}\n\n*post " << i << "*\n";
  }
  std::string first;
  for (int round = 0; round < 6; ++round) {
    BuildOptions o;
    o.flags.destination = root / ("out" + std::to_string(round));
    o.threads = 4;
    build_site(root, o);
    std::string all;
    for (int i = 1; i <= 16; ++i) {
      char rel[64];
      std::snprintf(rel, sizeof rel, "2026/01/%02d/p%d.html", i, i);
      all += read(*o.flags.destination / rel);
    }
    if (round == 0) {
      first = all;
      EXPECT_NE(first.find("{{ site.posts.last.content }}"), std::string::npos) << first;
    } else {
      EXPECT_EQ(all, first) << "round " << round;
    }
  }
  fs::remove_all(root);
}

}  // namespace
}  // namespace mayfly::site
