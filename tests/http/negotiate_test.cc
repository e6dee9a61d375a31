#include <gtest/gtest.h>

#include <string>

#include "http/date.h"
#include "http/negotiate.h"

namespace mayfly::http {
namespace {

// Builds a request from header lines; the storage lives in the fixture.
class Negotiate : public ::testing::Test {
 protected:
  const Request& req(std::string headers, std::string method = "GET") {
    raw = method + " / HTTP/1.1\r\nHost: a\r\n" + headers + "\r\n";
    ParseResult p = parse_request(raw, Limits{}, r);
    EXPECT_EQ(p.status, ParseStatus::Complete) << raw;
    return r;
  }
  std::string raw;
  Request r;
};

TEST_F(Negotiate, AcceptEncoding) {
  EXPECT_EQ(choose_encoding(req(""), true, true), Encoding::Identity);
  EXPECT_EQ(choose_encoding(req("Accept-Encoding: gzip, deflate, br\r\n"), true, true),
            Encoding::Brotli);
  EXPECT_EQ(choose_encoding(req("Accept-Encoding: gzip, br\r\n"), true, false), Encoding::Gzip);
  EXPECT_EQ(choose_encoding(req("Accept-Encoding: br;q=0.5, gzip;q=0.8\r\n"), true, true),
            Encoding::Gzip);
  EXPECT_EQ(choose_encoding(req("Accept-Encoding: br;q=0, gzip;q=0\r\n"), true, true),
            Encoding::Identity);
  EXPECT_EQ(choose_encoding(req("Accept-Encoding: *\r\n"), true, true), Encoding::Brotli);
  EXPECT_EQ(choose_encoding(req("Accept-Encoding: *;q=0.5, identity;q=1\r\n"), true, true),
            Encoding::Identity);
  EXPECT_EQ(choose_encoding(req("Accept-Encoding: x-gzip\r\n"), true, true), Encoding::Gzip);
  EXPECT_EQ(choose_encoding(req("Accept-Encoding: GZIP;Q=1.000\r\n"), true, true), Encoding::Gzip);
  EXPECT_EQ(choose_encoding(req("Accept-Encoding: gzip;q=2\r\n"), true, true), Encoding::Identity)
      << "an invalid weight drops the member";
  EXPECT_EQ(choose_encoding(req("Accept-Encoding: \r\n"), true, true), Encoding::Identity);
  EXPECT_EQ(choose_encoding(req("Accept-Encoding: gzip\r\nAccept-Encoding: br\r\n"), true, true),
            Encoding::Brotli)
      << "repeated fields form one list";
  EXPECT_EQ(choose_encoding(req("Accept-Encoding: br\r\n"), false, false), Encoding::Identity);
}

TEST_F(Negotiate, PreconditionsInRfcOrder) {
  EntityTag tag{"abc", ""};
  const int64_t mtime = 784111777;
  EXPECT_EQ(evaluate_preconditions(req(""), tag, mtime), Precondition::Proceed);
  EXPECT_EQ(evaluate_preconditions(req("If-None-Match: \"abc\"\r\n"), tag, mtime),
            Precondition::NotModified);
  EXPECT_EQ(evaluate_preconditions(req("If-None-Match: W/\"abc\"\r\n"), tag, mtime),
            Precondition::NotModified)
      << "weak comparison";
  EXPECT_EQ(evaluate_preconditions(req("If-None-Match: \"x\", \"abc\"\r\n"), tag, mtime),
            Precondition::NotModified);
  EXPECT_EQ(evaluate_preconditions(req("If-None-Match: *\r\n"), tag, mtime),
            Precondition::NotModified);
  EXPECT_EQ(evaluate_preconditions(req("If-None-Match: \"abc-gz\"\r\n"), tag, mtime),
            Precondition::Proceed);
  EXPECT_EQ(evaluate_preconditions(req("If-Match: \"abc\"\r\n"), tag, mtime),
            Precondition::Proceed);
  EXPECT_EQ(evaluate_preconditions(req("If-Match: W/\"abc\"\r\n"), tag, mtime),
            Precondition::Failed)
      << "If-Match uses strong comparison";
  EXPECT_EQ(evaluate_preconditions(req("If-Match: \"zzz\"\r\n"), tag, mtime), Precondition::Failed);
  EXPECT_EQ(evaluate_preconditions(req("If-Match: *\r\n"), tag, mtime), Precondition::Proceed);
  EXPECT_EQ(evaluate_preconditions(req("If-Unmodified-Since: Sun, 06 Nov 1994 08:49:36 GMT\r\n"),
                                   tag, mtime),
            Precondition::Failed);
  EXPECT_EQ(evaluate_preconditions(req("If-Unmodified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n"),
                                   tag, mtime),
            Precondition::Proceed);
  EXPECT_EQ(evaluate_preconditions(req("If-Unmodified-Since: garbage\r\n"), tag, mtime),
            Precondition::Proceed)
      << "an invalid date is ignored";
  EXPECT_EQ(evaluate_preconditions(req("If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n"), tag,
                                   mtime),
            Precondition::NotModified);
  EXPECT_EQ(evaluate_preconditions(req("If-Modified-Since: Sun, 06 Nov 1994 08:49:36 GMT\r\n"), tag,
                                   mtime),
            Precondition::Proceed);
  // If-None-Match takes precedence over If-Modified-Since (RFC 9110 §13.2.2 step 4).
  EXPECT_EQ(
      evaluate_preconditions(
          req("If-None-Match: \"other\"\r\nIf-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n"),
          tag, mtime),
      Precondition::Proceed);
  // If-Match is evaluated before If-None-Match.
  EXPECT_EQ(
      evaluate_preconditions(req("If-Match: \"zzz\"\r\nIf-None-Match: \"abc\"\r\n"), tag, mtime),
      Precondition::Failed);
  // If-Match present: If-Unmodified-Since is not evaluated.
  EXPECT_EQ(evaluate_preconditions(
                req("If-Match: \"abc\"\r\nIf-Unmodified-Since: Sun, 06 Nov 1994 08:49:36 GMT\r\n"),
                tag, mtime),
            Precondition::Proceed);
}

TEST(Range, Parses) {
  auto r = parse_range("bytes=0-99", 1000);
  EXPECT_EQ(r.kind, ByteRange::Satisfiable);
  EXPECT_EQ(r.first, 0u);
  EXPECT_EQ(r.last, 99u);
  r = parse_range("bytes=-100", 1000);
  EXPECT_EQ(r.first, 900u);
  EXPECT_EQ(r.last, 999u);
  r = parse_range("bytes=-5000", 1000);
  EXPECT_EQ(r.first, 0u);
  r = parse_range("bytes=990-", 1000);
  EXPECT_EQ(r.first, 990u);
  EXPECT_EQ(r.last, 999u);
  r = parse_range("bytes=5-100000", 1000);
  EXPECT_EQ(r.last, 999u);
  r = parse_range("Bytes = 1-1", 1000);
  EXPECT_EQ(r.kind, ByteRange::Satisfiable);
  EXPECT_EQ(parse_range("bytes=1000-", 1000).kind, ByteRange::Unsatisfiable);
  EXPECT_EQ(parse_range("bytes=-0", 1000).kind, ByteRange::Unsatisfiable);
  EXPECT_EQ(parse_range("bytes=0-", 0).kind, ByteRange::Unsatisfiable);
  EXPECT_EQ(parse_range("bytes=0-1,5-6", 1000).kind, ByteRange::None) << "several: whole body";
  EXPECT_EQ(parse_range("bytes=5-1", 1000).kind, ByteRange::None);
  EXPECT_EQ(parse_range("items=0-1", 1000).kind, ByteRange::None);
  EXPECT_EQ(parse_range("bytes=a-b", 1000).kind, ByteRange::None);
  EXPECT_EQ(parse_range("bytes=", 1000).kind, ByteRange::None);
  EXPECT_EQ(parse_range("bytes=-", 1000).kind, ByteRange::None);
  EXPECT_EQ(parse_range("bytes=99999999999999999999-", 1000).kind, ByteRange::None);
}

TEST_F(Negotiate, IfRange) {
  EntityTag tag{"abc", ""};
  EXPECT_TRUE(if_range_allows(req(""), tag, 784111777));
  EXPECT_TRUE(if_range_allows(req("If-Range: \"abc\"\r\n"), tag, 784111777));
  EXPECT_FALSE(if_range_allows(req("If-Range: W/\"abc\"\r\n"), tag, 784111777));
  EXPECT_FALSE(if_range_allows(req("If-Range: \"old\"\r\n"), tag, 784111777));
  EXPECT_TRUE(if_range_allows(req("If-Range: Sun, 06 Nov 1994 08:49:37 GMT\r\n"), tag, 784111777));
  EXPECT_FALSE(if_range_allows(req("If-Range: Sun, 06 Nov 1994 08:49:38 GMT\r\n"), tag, 784111777));
}

}  // namespace
}  // namespace mayfly::http
