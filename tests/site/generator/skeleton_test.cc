// `mayfly new` writes examples/blog: every file of it, and nothing of a local build.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "site/skeleton.h"

TEST(Skeleton, HoldsTheExampleBlogWithoutBuildOutput) {
  std::set<std::string> paths;
  for (const auto& f : mayfly::site::skeleton_files()) {
    paths.insert(std::string(f.path));
    EXPECT_FALSE(f.path.starts_with("_site/")) << f.path;
    EXPECT_FALSE(f.content.empty()) << f.path;
  }
  for (const char* needed : {"_config.yml", "_layouts/default.html", "_layouts/post.html",
                             "index.html", "about.md", "404.html", "assets/css/style.scss"})
    EXPECT_TRUE(paths.count(needed)) << needed;
  EXPECT_FALSE(paths.count(".gitignore"));
}
