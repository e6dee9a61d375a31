// examples/blog is what `mayfly new` writes: they must not drift apart.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "site/skeleton.h"

namespace fs = std::filesystem;

TEST(Skeleton, ExampleBlogIsTheSkeleton) {
  fs::path root = MAYFLY_EXAMPLE_BLOG;
  std::set<std::string> expected;
  for (const auto& f : mayfly::site::skeleton_files()) {
    expected.insert(std::string(f.path));
    std::ifstream in(root / std::string(f.path), std::ios::binary);
    ASSERT_TRUE(in) << "examples/blog lacks " << f.path
                    << " (run: mayfly new --force examples/blog)";
    std::ostringstream s;
    s << in.rdbuf();
    EXPECT_EQ(s.str(), f.content) << f.path << " differs from src/site/skeleton/";
  }
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator();
       ++it) {
    std::string rel = fs::relative(it->path(), root).generic_string();
    if (rel.starts_with("_site") || rel == ".gitignore" || rel.starts_with(".jekyll-cache")) {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file()) {
      EXPECT_TRUE(expected.count(rel)) << "examples/blog has an extra file " << rel;
    }
  }
}
