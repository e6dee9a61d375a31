#include "bundle/mime.h"

#include <algorithm>
#include <array>
#include <utility>

#include "core/ascii.h"

namespace mayfly::bundle {
namespace {

struct MimeType {
  std::string_view ext;
  std::string_view type;
  bool text;
};

// Sorted by extension for binary search.
constexpr std::array kTypes = std::to_array<MimeType>({
    {"7z", "application/x-7z-compressed", false},
    {"atom", "application/atom+xml", true},
    {"avif", "image/avif", false},
    {"bin", "application/octet-stream", false},
    {"bmp", "image/bmp", false},
    {"css", "text/css", true},
    {"csv", "text/csv", true},
    {"eot", "application/vnd.ms-fontobject", false},
    {"gif", "image/gif", false},
    {"gz", "application/gzip", false},
    {"htm", "text/html", true},
    {"html", "text/html", true},
    {"ico", "image/vnd.microsoft.icon", false},
    {"ics", "text/calendar", true},
    {"jpeg", "image/jpeg", false},
    {"jpg", "image/jpeg", false},
    {"js", "text/javascript", true},
    {"json", "application/json", false},
    {"jsonld", "application/ld+json", false},
    {"map", "application/json", false},
    {"md", "text/markdown", true},
    {"mjs", "text/javascript", true},
    {"mp3", "audio/mpeg", false},
    {"mp4", "video/mp4", false},
    {"oga", "audio/ogg", false},
    {"ogg", "audio/ogg", false},
    {"ogv", "video/ogg", false},
    {"otf", "font/otf", false},
    {"pdf", "application/pdf", false},
    {"png", "image/png", false},
    {"rss", "application/rss+xml", true},
    {"svg", "image/svg+xml", true},
    {"tar", "application/x-tar", false},
    {"ttf", "font/ttf", false},
    {"txt", "text/plain", true},
    {"wasm", "application/wasm", false},
    {"wav", "audio/wav", false},
    {"webm", "video/webm", false},
    {"webmanifest", "application/manifest+json", false},
    {"webp", "image/webp", false},
    {"woff", "font/woff", false},
    {"woff2", "font/woff2", false},
    {"xml", "application/xml", true},
    {"xsl", "application/xslt+xml", true},
    {"zip", "application/zip", false},
});

static_assert(std::is_sorted(kTypes.begin(), kTypes.end(),
                             [](const MimeType& a, const MimeType& b) { return a.ext < b.ext; }));

}  // namespace

std::string content_type_for(std::string_view path) {
  size_t slash = path.rfind('/');
  std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return "application/octet-stream";
  std::string ext(name.substr(dot + 1));
  for (char& c : ext) c = ascii_lower(c);
  auto it = std::lower_bound(kTypes.begin(), kTypes.end(), ext,
                             [](const MimeType& m, const std::string& e) { return m.ext < e; });
  if (it == kTypes.end() || it->ext != ext) return "application/octet-stream";
  std::string type(it->type);
  if (it->text) type += "; charset=utf-8";
  return type;
}

bool worth_compressing(std::string_view content_type) {
  if (content_type.starts_with("text/") || content_type.starts_with("image/svg")) return true;
  constexpr std::string_view kCompressible[] = {
      "application/json",
      "application/ld+json",
      "application/xml",
      "application/atom+xml",
      "application/rss+xml",
      "application/xslt+xml",
      "application/wasm",
      "application/manifest+json",
      "application/octet-stream",
      "application/vnd.ms-fontobject",
      "font/ttf",
      "font/otf",
      "image/bmp",
      "image/vnd.microsoft.icon",
  };
  for (std::string_view t : kCompressible)
    if (content_type.starts_with(t)) return true;
  return false;
}

}  // namespace mayfly::bundle
