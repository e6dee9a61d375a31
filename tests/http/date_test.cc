#include <gtest/gtest.h>

#include <string>

#include "http/date.h"

namespace mayfly::http {
namespace {

std::string fmt(int64_t t) {
  char b[kHttpDateLength];
  format_http_date(t, b);
  return {b, kHttpDateLength};
}

TEST(HttpDate, FormatsImfFixdate) {
  EXPECT_EQ(fmt(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");  // RFC 9110's example
  EXPECT_EQ(fmt(0), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(fmt(951782400), "Tue, 29 Feb 2000 00:00:00 GMT");
  EXPECT_EQ(fmt(4102444799), "Thu, 31 Dec 2099 23:59:59 GMT");
}

TEST(HttpDate, ParsesAllThreeForms) {
  int64_t t = 0;
  ASSERT_TRUE(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT", t));
  EXPECT_EQ(t, 784111777);
  ASSERT_TRUE(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT", t));
  EXPECT_EQ(t, 784111777);
  ASSERT_TRUE(parse_http_date("Sun Nov  6 08:49:37 1994", t));
  EXPECT_EQ(t, 784111777);
}

TEST(HttpDate, RoundTripsEveryDayForCenturies) {
  for (int64_t t = 0; t < 4102444800; t += 86400 * 7 + 3661) {
    int64_t back = -1;
    ASSERT_TRUE(parse_http_date(fmt(t), back)) << fmt(t);
    ASSERT_EQ(back, t);
  }
}

TEST(HttpDate, RejectsMalformed) {
  int64_t t;
  for (const char* s : {"", "yesterday", "Sun, 06 Nov 1994 08:49:37 UTC",
                        "Sun, 32 Nov 1994 08:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT",
                        "Sun, 06 Nov 1994 25:49:37 GMT", "Sun, 29 Feb 1993 08:49:37 GMT",
                        "Sun, 06 Nov 1994 08:49:37 GMT ", "Sun, 6 Nov 1994 08:49:37 GMT"})
    EXPECT_FALSE(parse_http_date(s, t)) << s;
}

TEST(LogDate, CommonLogFormat) {
  char b[kLogDateLength];
  format_log_date(971186136, b);
  EXPECT_EQ(std::string(b, kLogDateLength), "10/Oct/2000:13:55:36 +0000");
}

}  // namespace
}  // namespace mayfly::http
