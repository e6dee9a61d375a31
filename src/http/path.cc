#include "http/path.h"

#include "core/ascii.h"

namespace mayfly::http {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = ascii_lower(c);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

PathStatus normalize_path(std::string_view raw, char* out, size_t cap, size_t& len) {
  len = 0;
  if (raw.empty() || raw[0] != '/') return PathStatus::NotAbsolute;
  // Decode first, then remove dot segments (the order the issue and RFC 3986 §2.4 give):
  // "%2e%2e" is a ".." segment and "%2F" a separator, so no encoding hides a climb.
  size_t n = 0;
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '%') {
      if (raw.size() - i < 3) return PathStatus::BadEncoding;
      int hi = hex_value(raw[i + 1]), lo = hex_value(raw[i + 2]);
      if (hi < 0 || lo < 0) return PathStatus::BadEncoding;
      c = char(hi * 16 + lo);
      if (c == '\0') return PathStatus::NulByte;
      i += 2;
    }
    if (n >= cap) return PathStatus::TooLong;
    out[n++] = c;
  }
  // In place: the write position never passes the read position. Invariant: out[0..w)
  // starts with '/' and ends with '/'.
  size_t w = 1, r = 1;
  while (r <= n) {
    size_t end = r;
    while (end < n && out[end] != '/') ++end;
    std::string_view seg(out + r, end - r);
    bool last = end >= n;
    if (seg.empty() || seg == ".") {
      // nothing to keep; a trailing one leaves the path naming a directory
    } else if (seg == "..") {
      if (w == 1) return PathStatus::EscapesRoot;
      size_t k = w - 1;  // the '/' that ends the previous segment
      while (out[k - 1] != '/') --k;
      w = k;
    } else {
      for (size_t i = 0; i < seg.size(); ++i) out[w + i] = seg[i];
      w += seg.size();
      if (!last) out[w++] = '/';
    }
    r = end + 1;
  }
  len = w;
  return PathStatus::Ok;
}

size_t encode_path(std::string_view path, char* out, size_t cap) {
  size_t n = 0;
  for (char ch : path) {
    unsigned char c = static_cast<unsigned char>(ch);
    bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '.' || c == '_' || c == '~' || c == '/' || c == '!' || c == '$' ||
                c == '&' || c == '\'' || c == '(' || c == ')' || c == '*' || c == '+' || c == ',' ||
                c == ';' || c == '=' || c == ':' || c == '@';
    if (keep) {
      if (n + 1 > cap) return 0;
      out[n++] = char(c);
    } else {
      if (n + 3 > cap) return 0;
      out[n++] = '%';
      out[n++] = "0123456789ABCDEF"[c >> 4];
      out[n++] = "0123456789ABCDEF"[c & 15];
    }
  }
  return n;
}

}  // namespace mayfly::http
