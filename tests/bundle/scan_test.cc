#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "bundle/scan.h"

namespace fs = std::filesystem;

namespace mayfly::bundle {
namespace {

class ScanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root = fs::temp_directory_path() /
           ("mayfly-scan-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root);
    fs::create_directories(root / "site" / "blog");
    fs::create_directories(root / "site" / ".git");
    fs::create_directories(root / "site" / ".well-known");
    write("site/index.html", "home");
    write("site/blog/index.html", "blog");
    write("site/blog/post.html~", "backup");
    write("site/.htaccess", "secret");
    write("site/.git/config", "secret");
    write("site/.well-known/security.txt", "contact");
    write("outside.txt", "outside");
  }
  void TearDown() override { fs::remove_all(root); }
  void write(const std::string& rel, const std::string& body) { std::ofstream(root / rel) << body; }
  fs::path root;
};

TEST_F(ScanTest, SkipsDotfilesAndBackupsWithNotices) {
  ScanResult r = scan_site(root / "site");
  std::vector<std::string> paths;
  for (const auto& f : r.files) paths.push_back(f.path);
  std::sort(paths.begin(), paths.end());
  EXPECT_EQ(paths, (std::vector<std::string>{"/.well-known/security.txt", "/blog/index.html",
                                             "/index.html"}));
  EXPECT_EQ(r.notices.size(), 3u);
}

TEST_F(ScanTest, FollowsSymlinksInsideTheTree) {
  fs::create_symlink("index.html", root / "site" / "home.html");
  ScanResult r = scan_site(root / "site");
  bool found = false;
  for (const auto& f : r.files) found |= f.path == "/home.html";
  EXPECT_TRUE(found);
}

TEST_F(ScanTest, RefusesSymlinksThatLeaveTheTree) {
  fs::create_symlink(root / "outside.txt", root / "site" / "leak.txt");
  try {
    scan_site(root / "site");
    FAIL() << "expected an error";
  } catch (const BundleError& e) {
    EXPECT_NE(std::string(e.what()).find("symlink leaves the site directory"), std::string::npos);
  }
}

TEST_F(ScanTest, RefusesSymlinkLoops) {
  fs::create_symlink(".", root / "site" / "blog" / "loop");
  try {
    scan_site(root / "site");
    FAIL() << "expected an error";
  } catch (const BundleError& e) {
    EXPECT_NE(std::string(e.what()).find("symlink makes a loop"), std::string::npos) << e.what();
  }
}

TEST_F(ScanTest, MissingDirectoryIsAnError) {
  EXPECT_THROW(scan_site(root / "nope"), BundleError);
}

}  // namespace
}  // namespace mayfly::bundle
