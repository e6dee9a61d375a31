#include <gtest/gtest.h>

#include <string>

#include "http/path.h"

namespace mayfly::http {
namespace {

std::string norm(std::string_view raw, PathStatus expect = PathStatus::Ok) {
  char buf[kMaxPath];
  size_t len = 0;
  PathStatus s = normalize_path(raw, buf, sizeof buf, len);
  EXPECT_EQ(s, expect) << raw;
  return s == PathStatus::Ok ? std::string(buf, len) : std::string("<error>");
}

TEST(Path, Normalizes) {
  EXPECT_EQ(norm("/"), "/");
  EXPECT_EQ(norm("/a"), "/a");
  EXPECT_EQ(norm("/a/"), "/a/");
  EXPECT_EQ(norm("//a///b"), "/a/b");
  EXPECT_EQ(norm("/a/./b"), "/a/b");
  EXPECT_EQ(norm("/a/b/.."), "/a/");
  EXPECT_EQ(norm("/a/b/../c"), "/a/c");
  EXPECT_EQ(norm("/a/."), "/a/");
  EXPECT_EQ(norm("/a/b/../../c/"), "/c/");
  EXPECT_EQ(norm("/..a/b.."), "/..a/b..");
  EXPECT_EQ(norm("/my%20file.html"), "/my file.html");
  EXPECT_EQ(norm("/caf%C3%A9"), "/caf\xc3\xa9");
  EXPECT_EQ(norm("/a%2fb"), "/a/b") << "decoded before normalizing";
}

TEST(Path, RefusesEscapesAndBadEncodings) {
  norm("/..", PathStatus::EscapesRoot);
  norm("/a/../..", PathStatus::EscapesRoot);
  norm("/%2e%2e/etc/passwd", PathStatus::EscapesRoot);
  norm("/a%2F..%2F..%2Fb", PathStatus::EscapesRoot);
  norm("/%", PathStatus::BadEncoding);
  norm("/%2", PathStatus::BadEncoding);
  norm("/%zz", PathStatus::BadEncoding);
  norm("/a%00b", PathStatus::NulByte);
  norm("a", PathStatus::NotAbsolute);
  norm("", PathStatus::NotAbsolute);
  char small[4];
  size_t len;
  EXPECT_EQ(normalize_path("/abcdef", small, sizeof small, len), PathStatus::TooLong);
}

TEST(Path, EncodesForLocation) {
  char buf[64];
  size_t n = encode_path("/my file/caf\xc3\xa9?#", buf, sizeof buf);
  EXPECT_EQ(std::string(buf, n), "/my%20file/caf%C3%A9%3F%23");
  EXPECT_EQ(encode_path("/aaaa", buf, 3), 0u);
}

}  // namespace
}  // namespace mayfly::http
