#pragma once
#include <string>
#include <vector>

#include "bundle/writer.h"

namespace mayfly::bundle::testing {

inline SourceFile file(std::string path, std::string body, int64_t mtime = 1700000000) {
  SourceFile f;
  f.path = std::move(path);
  f.contents.assign(body.begin(), body.end());
  f.mtime = mtime;
  return f;
}

inline std::string repeat(std::string_view s, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

inline std::vector<SourceFile> small_site() {
  return {
      file("/index.html", "<!doctype html><title>home</title>" + repeat("<p>hello world</p>", 50)),
      file("/blog/index.html", "<p>blog</p>" + repeat("<p>post list</p>", 40)),
      file("/blog/first/index.html", "<p>first</p>"),
      file("/404.html", "<p>not here</p>"),
      file("/css/app.3f9a2c1b.css", repeat("body{color:#123}", 30)),
      file("/img/a.png", "\x89PNG not really"),
      file("/empty.txt", ""),
  };
}

inline WriteOptions quiet_options() {
  WriteOptions o;
  o.threads = 2;
  o.source_date_epoch = 1700000500;
  return o;
}

}  // namespace mayfly::bundle::testing
