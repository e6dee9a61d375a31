#include <gtest/gtest.h>

#include <string>

#include "http/request.h"

namespace mayfly::http {
namespace {

ParseResult parse(std::string_view s, Request& r, Limits lim = {}) {
  return parse_request(s, lim, r);
}

TEST(Parser, SimpleGet) {
  Request r;
  std::string s =
      "GET /a/b.html?x=1 HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: gzip\r\n\r\n";
  ParseResult p = parse(s, r);
  ASSERT_EQ(p.status, ParseStatus::Complete);
  EXPECT_EQ(p.consumed, s.size());
  EXPECT_EQ(r.method, Method::Get);
  EXPECT_EQ(r.path, "/a/b.html");
  EXPECT_EQ(r.query, "x=1");
  EXPECT_TRUE(r.has_query);
  EXPECT_EQ(r.version_minor, 1);
  EXPECT_TRUE(r.keep_alive);
  EXPECT_EQ(r.header("host"), "example.com");
  EXPECT_EQ(r.header("ACCEPT-ENCODING"), "gzip");
  EXPECT_EQ(r.header("missing").data(), nullptr);
  EXPECT_EQ(r.request_line, "GET /a/b.html?x=1 HTTP/1.1");
}

TEST(Parser, IncompleteUntilTheEmptyLine) {
  std::string s = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  for (size_t n = 0; n < s.size(); ++n) {
    Request r;
    EXPECT_EQ(parse(s.substr(0, n), r).status, ParseStatus::Incomplete) << n;
  }
}

TEST(Parser, PipelinedRequestsConsumeOneAtATime) {
  std::string s = "GET /1 HTTP/1.1\r\nHost: x\r\n\r\nHEAD /2 HTTP/1.1\r\nHost: x\r\n\r\n";
  Request r;
  ParseResult p = parse(s, r);
  ASSERT_EQ(p.status, ParseStatus::Complete);
  EXPECT_EQ(r.path, "/1");
  p = parse(std::string_view(s).substr(p.consumed), r);
  ASSERT_EQ(p.status, ParseStatus::Complete);
  EXPECT_EQ(r.method, Method::Head);
  EXPECT_EQ(r.path, "/2");
}

TEST(Parser, KeepAliveRules) {
  Request r;
  ASSERT_EQ(parse("GET / HTTP/1.0\r\n\r\n", r).status, ParseStatus::Complete);
  EXPECT_FALSE(r.keep_alive);
  ASSERT_EQ(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", r).status,
            ParseStatus::Complete);
  EXPECT_TRUE(r.keep_alive);
  ASSERT_EQ(parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, close\r\n\r\n", r).status,
            ParseStatus::Complete);
  EXPECT_FALSE(r.keep_alive);
}

TEST(Parser, LoneLineFeedsAndLeadingEmptyLines) {
  Request r;
  ASSERT_EQ(parse("\r\nGET / HTTP/1.1\nHost: a\n\n", r).status, ParseStatus::Complete);
  EXPECT_EQ(r.header("host"), "a");
}

TEST(Parser, AbsoluteFormTargets) {
  Request r;
  ASSERT_EQ(parse("GET http://example.com/x?y HTTP/1.1\r\nHost: a\r\n\r\n", r).status,
            ParseStatus::Complete);
  EXPECT_EQ(r.path, "/x");
  EXPECT_EQ(r.query, "y");
  ASSERT_EQ(parse("GET http://example.com HTTP/1.1\r\nHost: a\r\n\r\n", r).status,
            ParseStatus::Complete);
  EXPECT_EQ(r.path, "/");
}

TEST(Parser, OtherMethodsParseAndBodiesAreNoted) {
  Request r;
  ASSERT_EQ(parse("POST /f HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n", r).status,
            ParseStatus::Complete);
  EXPECT_EQ(r.method, Method::Other);
  EXPECT_TRUE(r.has_body);
  EXPECT_FALSE(r.keep_alive) << "the body is never read, so the connection must close";
  ASSERT_EQ(parse("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", r).status, ParseStatus::Complete);
}

struct Bad {
  const char* name;
  std::string request;
  uint16_t status;
};

class ParserRejects : public ::testing::TestWithParam<Bad> {};

TEST_P(ParserRejects, WithTheRightStatus) {
  Request r;
  ParseResult p = parse(GetParam().request, r);
  ASSERT_EQ(p.status, ParseStatus::Error) << GetParam().name;
  EXPECT_EQ(p.error_status, GetParam().status) << GetParam().name << ": " << p.error;
}

INSTANTIATE_TEST_SUITE_P(
    Smuggling, ParserRejects,
    ::testing::Values(
        Bad{"te", "GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", 501},
        Bad{"cl_te",
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n",
            501},
        Bad{"dup_cl", "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n",
            400},
        Bad{"list_cl", "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 0, 0\r\n\r\n", 400},
        Bad{"signed_cl", "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: +0\r\n\r\n", 400},
        Bad{"huge_cl",
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n", 400},
        Bad{"body_on_get", "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc", 400},
        Bad{"obs_fold", "GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n 2\r\n\r\n", 400},
        Bad{"space_before_colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400},
        Bad{"bare_cr_header", "GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n", 400},
        Bad{"bare_cr_line", "GET /\r HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        Bad{"nul_in_value", std::string("GET / HTTP/1.1\r\nHost: a\r\nX: a\0b\r\n\r\n", 36), 400},
        Bad{"ctl_in_name", "GET / HTTP/1.1\r\nHost: a\r\nX\x01: a\r\n\r\n", 400},
        Bad{"no_host", "GET / HTTP/1.1\r\n\r\n", 400},
        Bad{"two_hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},
        Bad{"double_space", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        Bad{"tab_separator", "GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        Bad{"http09", "GET /\r\n\r\n", 400},
        Bad{"lowercase_version", "GET / http/1.1\r\nHost: a\r\n\r\n", 400},
        Bad{"http2_preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505},
        Bad{"http12", "GET / HTTP/1.2\r\nHost: a\r\n\r\n", 505},
        Bad{"http20", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505},
        Bad{"invalid_method", "G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        Bad{"fragment", "GET /a#b HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        Bad{"relative_target", "GET a/b HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        Bad{"ftp_target", "GET ftp://x/ HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        Bad{"non_ascii_target", "GET /\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        Bad{"empty_name", "GET / HTTP/1.1\r\nHost: a\r\n: x\r\n\r\n", 400},
        Bad{"no_colon", "GET / HTTP/1.1\r\nHost: a\r\nfoo\r\n\r\n", 400}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(Parser, OtherProtocolsAreRefusedBeforeTheLineEnds) {
  Request r;
  EXPECT_EQ(parse(std::string("\x16\x03\x01\x02\x00\x01", 6), r).status, ParseStatus::Error)
      << "a TLS ClientHello";
  EXPECT_EQ(parse(std::string(8, '\0'), r).status, ParseStatus::Error);
  EXPECT_EQ(parse("G\x01T / HTTP/1.1", r).status, ParseStatus::Error);
  EXPECT_EQ(parse("GET /\x7f", r).status, ParseStatus::Error);
  EXPECT_EQ(parse("GET / FTP", r).status, ParseStatus::Error);
  // Prefixes of valid request lines wait for more.
  for (std::string_view ok : {"G", "GET", "GET ", "GET /a", "GET /a ", "GET /a HT",
                              "GET /a HTTP/1.1", "GET /a HTTP/1.1\r", "\r", "\r\n", "\r\nGE"})
    EXPECT_EQ(parse(ok, r).status, ParseStatus::Incomplete) << ok;
}

TEST(Parser, Limits) {
  Limits lim;
  lim.max_request_line = 64;
  lim.max_head = 256;
  lim.max_headers = 4;
  Request r;
  EXPECT_EQ(parse("GET /" + std::string(100, 'a') + " HTTP/1.1\r\n\r\n", r, lim).error_status, 414);
  EXPECT_EQ(parse("GET /" + std::string(100, 'a'), r, lim).error_status, 414)
      << "refused before the line ends";
  EXPECT_EQ(parse("GET / HTTP/1.1\r\nHost: a\r\nX: " + std::string(300, 'b') + "\r\n\r\n", r, lim)
                .error_status,
            431);
  EXPECT_EQ(parse("GET / HTTP/1.1\r\nHost: a\r\nX: " + std::string(300, 'b'), r, lim).error_status,
            431)
      << "refused before the head ends";
  EXPECT_EQ(parse("GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 1\r\nC: 1\r\nD: 1\r\n\r\n", r, lim)
                .error_status,
            431);
}

TEST(Parser, HeaderValuesKeepObsTextAndTrimWhitespace) {
  Request r;
  ASSERT_EQ(parse("GET / HTTP/1.1\r\nHost: a\r\nX-Name: \t caf\xc3\xa9 \t\r\n\r\n", r).status,
            ParseStatus::Complete);
  EXPECT_EQ(r.header("x-name"), "caf\xc3\xa9");
  ASSERT_EQ(parse("GET / HTTP/1.1\r\nHost: a\r\nX-Empty:\r\n\r\n", r).status,
            ParseStatus::Complete);
  EXPECT_NE(r.header("x-empty").data(), nullptr) << "present but empty";
  EXPECT_EQ(r.header("x-empty").size(), 0u);
}

}  // namespace
}  // namespace mayfly::http
