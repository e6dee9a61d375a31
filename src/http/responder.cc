#include "http/responder.h"

#include "core/ascii.h"
#include "http/date.h"
#include "http/negotiate.h"
#include "http/path.h"

namespace mayfly::http {

using bundle::Entry;
using bundle::EntryKind;

namespace {
constexpr size_t kFixedFields = 1024;
constexpr size_t kMaxLocation = 2048;
}  // namespace

// Appends to the caller's head buffer; a write past the end marks it overflowed instead.
struct Responder::Head {
  char* buf;
  size_t cap;
  size_t len = 0;
  bool overflow = false;
  void add(std::string_view s) {
    if (overflow || s.size() > cap - len) {
      overflow = true;
      return;
    }
    for (size_t i = 0; i < s.size(); ++i) buf[len + i] = s[i];
    len += s.size();
  }
  void add_u64(uint64_t v) {
    char tmp[20];
    add({tmp, format_u64(tmp, v)});
  }
  void field(std::string_view name, std::string_view value) {
    add(name);
    add(": ");
    add(value);
    add("\r\n");
  }
};

std::string_view reason_phrase(uint16_t status) {
  switch (status) {
    case 200:
      return "OK";
    case 206:
      return "Partial Content";
    case 301:
      return "Moved Permanently";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 412:
      return "Precondition Failed";
    case 414:
      return "URI Too Long";
    case 416:
      return "Range Not Satisfiable";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "";
  }
}

Responder::Responder(const bundle::Bundle& bundle, std::string_view server_name)
    : bundle_(bundle), server_(server_name) {}

size_t Responder::head_capacity() const {
  return kFixedFields + kMaxLocation + server_.size() + bundle_.extra_headers().size();
}

std::string_view Responder::date(int64_t now) {
  if (now != date_second_) {
    format_http_date(now, date_);
    date_second_ = now;
  }
  return {date_, kHttpDateLength};
}

void Responder::common_fields(Head& h, uint16_t status) {
  h.add("HTTP/1.1 ");
  h.add_u64(status);
  h.add(" ");
  h.add(reason_phrase(status));
  h.add("\r\n");
  h.field("Server", server_);
  h.field("Date", date(now_));
}

void Responder::finish(Head& h, Response& r, bool close, uint8_t version_minor) {
  h.field("X-Content-Type-Options", "nosniff");
  h.add(bundle_.extra_headers());
  if (close)
    h.add("Connection: close\r\n");
  else if (version_minor == 0)
    h.add("Connection: keep-alive\r\n");
  h.add("\r\n");
  r.close = close;
  r.head = {h.buf, h.len};
}

// A response with a short text body (errors, redirects, the plain 404).
Response Responder::simple(uint16_t status, const Request* req, Head& h,
                           std::string_view extra_field) {
  static constexpr std::string_view kBodies[][2] = {
      {"301", "Moved Permanently\n"},
      {"400", "400 Bad Request\n"},
      {"404", "404 Not Found\n"},
      {"405", "405 Method Not Allowed\n"},
      {"412", "412 Precondition Failed\n"},
      {"414", "414 URI Too Long\n"},
      {"416", "416 Range Not Satisfiable\n"},
      {"431", "431 Request Header Fields Too Large\n"},
      {"500", "500 Internal Server Error\n"},
      {"501", "501 Not Implemented\n"},
      {"505", "505 HTTP Version Not Supported\n"},
  };
  char code[4] = {char('0' + status / 100), char('0' + status / 10 % 10), char('0' + status % 10),
                  0};
  std::string_view body = "\n";
  for (const auto& b : kBodies)
    if (b[0] == std::string_view(code, 3)) body = b[1];
  Response r;
  r.status = status;
  common_fields(h, status);
  h.field("Content-Type", "text/plain; charset=utf-8");
  h.add("Content-Length: ");
  h.add_u64(body.size());
  h.add("\r\n");
  if (!extra_field.empty()) h.add(extra_field);
  bool close = req == nullptr || !req->keep_alive || status == 400 || status >= 500;
  finish(h, r, close, req ? req->version_minor : 1);
  bool head_only = req != nullptr && req->method == Method::Head;
  r.body = reinterpret_cast<const uint8_t*>(body.data());
  r.body_size = head_only ? 0 : body.size();
  return r;
}

Response Responder::reject(uint16_t status, int64_t now, char* buf, size_t cap) {
  now_ = now;
  Head h{buf, cap};
  return simple(status, nullptr, h);
}

Response Responder::serve_entry(const Request& req, const Entry& e, uint16_t status, Head& h) {
  bool have_gzip = e.has(Encoding::Gzip), have_br = e.has(Encoding::Brotli);
  Encoding enc = choose_encoding(req, have_gzip, have_br);
  EntityTag tag{e.etag, encoding_suffix(enc)};
  bool is_error_page = status != 200;
  Response r;
  r.status = status;

  const bundle::Blob* blob = &e.variant(enc);
  uint64_t first = 0, length = blob->size;
  bool partial = false;
  if (!is_error_page) {
    switch (evaluate_preconditions(req, tag, e.mtime)) {
      case Precondition::Failed:
        return simple(412, &req, h);
      case Precondition::NotModified: {
        r.status = 304;
        common_fields(h, 304);
        h.add("ETag: \"");
        h.add(e.etag);
        h.add(tag.suffix);
        h.add("\"\r\n");
        char lm[kHttpDateLength];
        format_http_date(e.mtime, lm);
        h.field("Last-Modified", {lm, kHttpDateLength});
        h.field("Cache-Control", e.cache_control);
        if (have_gzip || have_br) h.add("Vary: Accept-Encoding\r\n");
        finish(h, r, !req.keep_alive, req.version_minor);
        return r;
      }
      case Precondition::Proceed:
        break;
    }
    std::string_view range = req.header("range");
    if (range.data() != nullptr && req.method == Method::Get) {
      // Ranges address the identity bytes, whatever coding the client would accept.
      const bundle::Blob& id = e.variant(Encoding::Identity);
      EntityTag id_tag{e.etag, ""};
      ByteRange br = parse_range(range, id.size);
      if (br.kind != ByteRange::None && if_range_allows(req, id_tag, e.mtime)) {
        if (br.kind == ByteRange::Unsatisfiable) {
          char field[64] = "Content-Range: bytes */";
          size_t n = 23 + format_u64(field + 23, id.size);
          field[n++] = '\r';
          field[n++] = '\n';
          return simple(416, &req, h, {field, n});
        }
        enc = Encoding::Identity;
        tag = id_tag;
        blob = &id;
        first = br.first;
        length = br.last - br.first + 1;
        partial = true;
        r.status = 206;
      }
    }
  }

  common_fields(h, r.status);
  h.field("Content-Type", e.content_type);
  h.add("Content-Length: ");
  h.add_u64(length);
  h.add("\r\n");
  if (enc == Encoding::Brotli) h.add("Content-Encoding: br\r\n");
  if (enc == Encoding::Gzip) h.add("Content-Encoding: gzip\r\n");
  if (partial) {
    h.add("Content-Range: bytes ");
    h.add_u64(first);
    h.add("-");
    h.add_u64(first + length - 1);
    h.add("/");
    h.add_u64(blob->size);
    h.add("\r\n");
  }
  if (is_error_page) {
    h.field("Cache-Control", "no-cache");
  } else {
    h.add("ETag: \"");
    h.add(e.etag);
    h.add(tag.suffix);
    h.add("\"\r\n");
    char lm[kHttpDateLength];
    format_http_date(e.mtime, lm);
    h.field("Last-Modified", {lm, kHttpDateLength});
    h.field("Cache-Control", e.cache_control);
    h.add("Accept-Ranges: bytes\r\n");
  }
  if (have_gzip || have_br) h.add("Vary: Accept-Encoding\r\n");
  finish(h, r, !req.keep_alive, req.version_minor);
  if (req.method != Method::Head) {
    r.body = blob->data + first;
    r.body_size = length;
  }
  return r;
}

Response Responder::respond(const Request& req, int64_t now, char* buf, size_t cap) {
  now_ = now;
  Head h{buf, cap};
  Response r = [&]() -> Response {
    if (req.method == Method::Other) return simple(405, &req, h, "Allow: GET, HEAD\r\n");
    char path[kMaxPath + 1];
    size_t len = 0;
    PathStatus ps = normalize_path(req.path, path, kMaxPath, len);
    if (ps == PathStatus::TooLong) return simple(414, &req, h);
    if (ps != PathStatus::Ok) return simple(400, &req, h);
    Entry e;
    if (path[len - 1] == '/') {
      std::string_view index = bundle_.index_name();
      if (len + index.size() > kMaxPath) return simple(414, &req, h);
      for (size_t i = 0; i < index.size(); ++i) path[len + i] = index[i];
      if (bundle_.find({path, len + index.size()}, e) && e.kind == EntryKind::File)
        return serve_entry(req, e, 200, h);
    } else if (bundle_.find({path, len}, e)) {
      if (e.kind == EntryKind::File) return serve_entry(req, e, 200, h);
      // RFC 9110 §15.4.2: a directory's canonical URL ends in '/'.
      char loc[kMaxLocation];
      const char prefix[] = "Location: ";
      size_t n = sizeof(prefix) - 1;
      for (size_t i = 0; i < n; ++i) loc[i] = prefix[i];
      size_t enc = encode_path({path, len}, loc + n, kMaxLocation - n);
      if (enc == 0 || n + enc + 4 + req.query.size() > kMaxLocation) return simple(414, &req, h);
      n += enc;
      loc[n++] = '/';
      if (req.has_query) {
        loc[n++] = '?';
        for (char c : req.query) loc[n++] = c;
      }
      loc[n++] = '\r';
      loc[n++] = '\n';
      return simple(301, &req, h, {loc, n});
    }
    if (bundle_.not_found(e)) return serve_entry(req, e, 404, h);
    return simple(404, &req, h);
  }();
  if (h.overflow) {
    // Only an oversized site header set can get here; never send a truncated head.
    Head fallback{buf, cap};
    r = simple(500, &req, fallback);
    r.close = true;
  }
  return r;
}

}  // namespace mayfly::http
