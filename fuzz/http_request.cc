// Fuzzes the request parser and the responder together: any bytes in, and every parsed
// request answered from a small bundle. Invariants: never a crash or an out-of-bounds
// access, and a head always ends with an empty line and fits its buffer.
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "bundle/reader.h"
#include "bundle/writer.h"
#include "http/request.h"
#include "http/responder.h"

namespace {

const mayfly::bundle::Bundle& fixture() {
  static std::vector<uint8_t> image = [] {
    std::vector<mayfly::bundle::SourceFile> files;
    auto add = [&](const char* path, std::string body) {
      mayfly::bundle::SourceFile f;
      f.path = path;
      f.contents.assign(body.begin(), body.end());
      f.mtime = 1600000000;
      files.push_back(std::move(f));
    };
    std::string page;
    for (int i = 0; i < 100; ++i) page += "<p>fuzz me</p>";
    add("/index.html", page);
    add("/a/index.html", "dir");
    add("/404.html", "missing");
    add("/x y.txt", "space");
    mayfly::bundle::WriteOptions o;
    o.threads = 1;
    o.site.headers = {{"X-Test", "1"}};
    return mayfly::bundle::write_bundle(std::move(files), o);
  }();
  static mayfly::bundle::Bundle b;
  static bool opened = (b.open(image.data(), image.size()), true);
  (void)opened;
  return b;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static mayfly::http::Responder responder(fixture());
  static std::vector<char> head(responder.head_capacity());
  std::string_view input(reinterpret_cast<const char*>(data), size);
  mayfly::http::Limits limits;
  limits.max_head = 4096;
  limits.max_request_line = 1024;
  // Walk the input as a pipeline of requests, as the server does.
  for (int i = 0; i < 16 && !input.empty(); ++i) {
    mayfly::http::Request req;
    mayfly::http::ParseResult p = mayfly::http::parse_request(input, limits, req);
    if (p.status == mayfly::http::ParseStatus::Incomplete) break;
    mayfly::http::Response r =
        p.status == mayfly::http::ParseStatus::Error
            ? responder.reject(p.error_status, 1700000000, head.data(), head.size())
            : responder.respond(req, 1700000000, head.data(), head.size());
    if (r.head.size() < 4 || r.head.substr(r.head.size() - 4) != "\r\n\r\n") __builtin_trap();
    if (r.body_size > 0 && r.body == nullptr) __builtin_trap();
    volatile uint8_t sink = 0;
    for (uint64_t k = 0; k < r.body_size; k += 97) sink = sink + r.body[k];
    if (p.status == mayfly::http::ParseStatus::Error) break;
    if (p.consumed == 0 || p.consumed > input.size()) __builtin_trap();
    input.remove_prefix(p.consumed);
  }
  return 0;
}
