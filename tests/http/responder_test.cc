// The responder end to end in memory: bytes of a request in, a response out.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "bundle/writer.h"
#include "http/responder.h"

namespace mayfly::http {
namespace {

struct Answer {
  int status = 0;
  std::multimap<std::string, std::string> fields;
  std::string body;
  bool close = false;
  std::string field(const std::string& name) const {
    auto it = fields.find(name);
    return it == fields.end() ? std::string("<absent>") : it->second;
  }
  bool has(const std::string& name) const { return fields.count(name) > 0; }
};

class ResponderTest : public ::testing::Test {
 protected:
  static constexpr int64_t kNow = 1700000000;
  static constexpr int64_t kMtime = 1600000000;

  void SetUp() override { build({}); }

  void build(std::vector<std::pair<std::string, std::string>> headers, bool with_404 = true) {
    std::vector<bundle::SourceFile> files;
    auto add = [&](std::string path, std::string body) {
      bundle::SourceFile f;
      f.path = std::move(path);
      f.contents.assign(body.begin(), body.end());
      f.mtime = kMtime;
      files.push_back(std::move(f));
    };
    std::string big;
    for (int i = 0; i < 200; ++i) big += "<p>line " + std::to_string(i) + " of the page</p>\n";
    add("/index.html", big);
    add("/docs/index.html", "<p>docs</p>");
    add("/my file.txt", "spaces");
    add("/app.3f9a2c1b.css", std::string(2000, 'a'));
    if (with_404) add("/404.html", "<p>custom not found</p>" + std::string(300, ' '));
    bundle::WriteOptions o;
    o.site.headers = std::move(headers);
    o.threads = 1;
    image = bundle::write_bundle(std::move(files), o);
    ASSERT_EQ(b.open(image.data(), image.size()), bundle::Error::None);
    responder = std::make_unique<Responder>(b);
    index_size = big.size();
  }

  Answer send(const std::string& raw) {
    Request req;
    ParseResult p = parse_request(raw, Limits{}, req);
    std::vector<char> head(responder->head_capacity());
    Response r = p.status == ParseStatus::Error
                     ? responder->reject(p.error_status, kNow, head.data(), head.size())
                     : responder->respond(req, kNow, head.data(), head.size());
    EXPECT_NE(p.status, ParseStatus::Incomplete) << raw;
    Answer a;
    std::string h(r.head);
    EXPECT_TRUE(h.ends_with("\r\n\r\n")) << h;
    a.status = std::stoi(h.substr(9, 3));
    EXPECT_EQ(a.status, r.status);
    size_t pos = h.find("\r\n") + 2;
    while (pos < h.size() - 2) {
      size_t end = h.find("\r\n", pos);
      std::string line = h.substr(pos, end - pos);
      size_t colon = line.find(": ");
      a.fields.emplace(line.substr(0, colon), line.substr(colon + 2));
      pos = end + 2;
    }
    a.body.assign(reinterpret_cast<const char*>(r.body), r.body_size);
    a.close = r.close;
    return a;
  }

  Answer get(const std::string& target, const std::string& headers = "") {
    return send("GET " + target + " HTTP/1.1\r\nHost: t\r\n" + headers + "\r\n");
  }

  std::string etag(const std::string& path) {
    bundle::Entry e;
    EXPECT_TRUE(b.find(path, e));
    return "\"" + std::string(e.etag) + "\"";
  }

  std::vector<uint8_t> image;
  bundle::Bundle b;
  std::unique_ptr<Responder> responder;
  size_t index_size = 0;
};

TEST_F(ResponderTest, ServesIndexWithAllHeaders) {
  Answer a = get("/");
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.body.size(), index_size);
  EXPECT_EQ(a.field("Content-Length"), std::to_string(index_size));
  EXPECT_EQ(a.field("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(a.field("Server"), "mayfly");
  EXPECT_EQ(a.field("Date"), "Tue, 14 Nov 2023 22:13:20 GMT");
  EXPECT_EQ(a.field("Last-Modified"), "Sun, 13 Sep 2020 12:26:40 GMT");
  EXPECT_EQ(a.field("ETag"), etag("/index.html"));
  EXPECT_EQ(a.field("Cache-Control"), "public, no-cache");
  EXPECT_EQ(a.field("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(a.field("Vary"), "Accept-Encoding");
  EXPECT_EQ(a.field("Accept-Ranges"), "bytes");
  EXPECT_FALSE(a.has("Connection"));
  EXPECT_FALSE(a.close);
  EXPECT_EQ(get("/index.html").body, a.body);
  EXPECT_EQ(get("/?utm=1").body, a.body) << "the query is ignored for lookup";
}

TEST_F(ResponderTest, HeadHasHeadersWithoutBody) {
  Answer a = send("HEAD / HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.field("Content-Length"), std::to_string(index_size));
  EXPECT_TRUE(a.body.empty());
}

TEST_F(ResponderTest, DirectoriesRedirectWithTheQuery) {
  Answer a = get("/docs?x=1&y=2");
  EXPECT_EQ(a.status, 301);
  EXPECT_EQ(a.field("Location"), "/docs/?x=1&y=2");
  EXPECT_EQ(get("/docs").field("Location"), "/docs/");
  EXPECT_EQ(get("/docs/").body, "<p>docs</p>");
  EXPECT_EQ(get("/x/../docs").field("Location"), "/docs/");
}

TEST_F(ResponderTest, PercentDecodingAndEscapes) {
  EXPECT_EQ(get("/my%20file.txt").body, "spaces");
  EXPECT_EQ(get("/../index.html").status, 400);
  EXPECT_EQ(get("/%2e%2e/etc/passwd").status, 400);
  EXPECT_EQ(get("/bad%zz").status, 400);
  EXPECT_EQ(get("/a%00").status, 400);
  EXPECT_EQ(get("/" + std::string(5000, 'a')).status, 414);
}

TEST_F(ResponderTest, NotFoundUsesTheSitePage) {
  Answer a = get("/nope");
  EXPECT_EQ(a.status, 404);
  EXPECT_NE(a.body.find("custom not found"), std::string::npos);
  EXPECT_EQ(a.field("Content-Type"), "text/html; charset=utf-8");
  EXPECT_FALSE(a.has("ETag")) << "an error page is no representation of the URL";
  EXPECT_EQ(get("/nope", "Accept-Encoding: gzip\r\n").field("Content-Encoding"), "gzip");
  EXPECT_EQ(get("/nope", "If-None-Match: *\r\n").status, 404);
  build({}, false);
  a = get("/nope");
  EXPECT_EQ(a.status, 404);
  EXPECT_EQ(a.body, "404 Not Found\n");
  EXPECT_EQ(a.field("Content-Type"), "text/plain; charset=utf-8");
}

TEST_F(ResponderTest, MethodsOtherThanGetAndHead) {
  Answer a = send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\n");
  EXPECT_EQ(a.status, 405);
  EXPECT_EQ(a.field("Allow"), "GET, HEAD");
  EXPECT_TRUE(a.close) << "the body was not read";
  a = send("DELETE / HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(a.status, 405);
  EXPECT_FALSE(a.close);
}

TEST_F(ResponderTest, ConditionalRequests) {
  std::string tag = etag("/index.html");
  Answer a = get("/", "If-None-Match: " + tag + "\r\n");
  EXPECT_EQ(a.status, 304);
  EXPECT_TRUE(a.body.empty());
  EXPECT_EQ(a.field("ETag"), tag);
  EXPECT_FALSE(a.has("Content-Length"));
  EXPECT_EQ(get("/", "If-Modified-Since: Sun, 13 Sep 2020 12:26:40 GMT\r\n").status, 304);
  EXPECT_EQ(get("/", "If-Modified-Since: Sun, 13 Sep 2020 12:26:39 GMT\r\n").status, 200);
  EXPECT_EQ(get("/", "If-Match: \"nope\"\r\n").status, 412);
  EXPECT_EQ(get("/", "If-Unmodified-Since: Sat, 12 Sep 2020 00:00:00 GMT\r\n").status, 412);
  // The gzip representation has its own validator.
  Answer gz = get("/", "Accept-Encoding: gzip\r\n");
  EXPECT_EQ(gz.field("Content-Encoding"), "gzip");
  std::string gz_tag = gz.field("ETag");
  EXPECT_NE(gz_tag, tag);
  EXPECT_EQ(get("/", "Accept-Encoding: gzip\r\nIf-None-Match: " + gz_tag + "\r\n").status, 304);
  EXPECT_EQ(get("/", "If-None-Match: " + gz_tag + "\r\n").status, 200);
}

TEST_F(ResponderTest, Ranges) {
  Answer full = get("/");
  Answer a = get("/", "Range: bytes=0-9\r\nAccept-Encoding: br, gzip\r\n");
  EXPECT_EQ(a.status, 206);
  EXPECT_EQ(a.body, full.body.substr(0, 10));
  EXPECT_EQ(a.field("Content-Range"), "bytes 0-9/" + std::to_string(index_size));
  EXPECT_EQ(a.field("Content-Length"), "10");
  EXPECT_FALSE(a.has("Content-Encoding")) << "ranges address the identity bytes";
  a = get("/", "Range: bytes=-5\r\n");
  EXPECT_EQ(a.body, full.body.substr(index_size - 5));
  a = get("/", "Range: bytes=" + std::to_string(index_size) + "-\r\n");
  EXPECT_EQ(a.status, 416);
  EXPECT_EQ(a.field("Content-Range"), "bytes */" + std::to_string(index_size));
  EXPECT_EQ(get("/", "Range: bytes=0-1,4-5\r\n").status, 200);
  EXPECT_EQ(get("/", "Range: bytes=0-1\r\nIf-Range: " + etag("/index.html") + "\r\n").status, 206);
  EXPECT_EQ(get("/", "Range: bytes=0-1\r\nIf-Range: \"stale\"\r\n").status, 200);
  EXPECT_EQ(get("/", "Range: bytes=0-1\r\nIf-Range: Sun, 13 Sep 2020 12:26:40 GMT\r\n").status,
            206);
  EXPECT_EQ(send("HEAD / HTTP/1.1\r\nHost: t\r\nRange: bytes=0-1\r\n\r\n").status, 200);
}

TEST_F(ResponderTest, EncodingNegotiation) {
  Answer br = get("/", "Accept-Encoding: gzip, br\r\n");
  EXPECT_EQ(br.field("Content-Encoding"), "br");
  EXPECT_LT(br.body.size(), index_size);
  Answer id = get("/", "Accept-Encoding: identity\r\n");
  EXPECT_FALSE(id.has("Content-Encoding"));
  EXPECT_EQ(id.field("Vary"), "Accept-Encoding");
  Answer css = get("/app.3f9a2c1b.css", "Accept-Encoding: gzip\r\n");
  EXPECT_EQ(css.field("Cache-Control"), "public, max-age=31536000, immutable");
}

TEST_F(ResponderTest, KeepAliveAndClose) {
  EXPECT_TRUE(send("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").close);
  EXPECT_EQ(send("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").field("Connection"),
            "close");
  EXPECT_TRUE(send("GET / HTTP/1.0\r\n\r\n").close);
  Answer a = send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  EXPECT_FALSE(a.close);
  EXPECT_EQ(a.field("Connection"), "keep-alive");
}

TEST_F(ResponderTest, ParseErrorsCloseTheConnection) {
  Answer a = send("GET / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n");
  EXPECT_EQ(a.status, 501);
  EXPECT_TRUE(a.close);
  EXPECT_EQ(a.field("Connection"), "close");
  EXPECT_EQ(send("GET / HTTP/1.1\r\n\r\n").status, 400);
  EXPECT_EQ(send("GET / HTTP/3.0\r\nHost: t\r\n\r\n").status, 505);
}

TEST_F(ResponderTest, SiteHeadersOnEveryResponse) {
  build({{"Content-Security-Policy", "default-src 'self'"}});
  for (std::string target : {"/", "/nope", "/docs"})
    EXPECT_EQ(get(target).field("Content-Security-Policy"), "default-src 'self'") << target;
}

}  // namespace
}  // namespace mayfly::http
