#include <gtest/gtest.h>

#include <string>

#include "http/access_log.h"

namespace mayfly::http {
namespace {

TEST(AccessLog, CommonLogFormatLine) {
  char buf[kMaxAccessLine];
  size_t n = format_access_line(buf, "127.0.0.1", 971186136, "GET /a HTTP/1.1", 200, 2326);
  EXPECT_EQ(std::string(buf, n),
            "127.0.0.1 - - [10/Oct/2000:13:55:36 +0000] \"GET /a HTTP/1.1\" 200 2326\n");
  n = format_access_line(buf, "::1", 971186136, "HEAD / HTTP/1.1", 304, 0);
  EXPECT_EQ(std::string(buf, n),
            "::1 - - [10/Oct/2000:13:55:36 +0000] \"HEAD / HTTP/1.1\" 304 -\n");
}

TEST(AccessLog, EscapesWhatCouldForgeLines) {
  char buf[kMaxAccessLine];
  size_t n = format_access_line(buf, "1.2.3.4", 0, "GET /\"x\n\\ HTTP/1.1", 400, 5);
  std::string line(buf, n);
  EXPECT_NE(line.find("\\x22x\\x0a\\x5c"), std::string::npos) << line;
  EXPECT_EQ(line.find('\n'), line.size() - 1);
}

TEST(AccessLog, LongRequestLinesAreCut) {
  char buf[kMaxAccessLine];
  std::string huge(10000, 'a');
  size_t n = format_access_line(buf, "1.2.3.4", 0, huge, 414, 17);
  EXPECT_LE(n, kMaxAccessLine);
  std::string line(buf, n);
  EXPECT_NE(line.find("...\" 414 17\n"), std::string::npos) << line;
}

}  // namespace
}  // namespace mayfly::http
