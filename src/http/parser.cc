#include "core/ascii.h"
#include "http/request.h"

namespace mayfly::http {
namespace {

// RFC 9110 §5.6.2: tchar.
constexpr bool is_tchar(unsigned char c) {
  if (c >= '0' && c <= '9') return true;
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

// RFC 9110 §5.5: field-value characters are VCHAR, obs-text, SP and HTAB.
constexpr bool is_field_char(unsigned char c) {
  return c == '\t' || (c >= 0x20 && c != 0x7f);
}

// Request-target characters: visible ASCII (RFC 3986 plus the few that clients send raw).
constexpr bool is_target_char(unsigned char c) {
  return c > 0x20 && c < 0x7f;
}

ParseResult fail(uint16_t status, const char* why) {
  ParseResult r;
  r.status = ParseStatus::Error;
  r.error_status = status;
  r.error = why;
  return r;
}

// Finds the end of the next line starting at pos. Lines end in CRLF, or in a lone LF,
// which RFC 9112 §2.2 lets a recipient accept. A CR not followed by LF is an error there.
// Returns false when the line is not complete yet; sets bare_cr on a stray CR.
bool next_line(std::string_view buf, size_t pos, size_t& line_end, size_t& next, bool& bare_cr) {
  for (size_t i = pos; i < buf.size(); ++i) {
    char c = buf[i];
    if (c == '\n') {
      line_end = i;
      next = i + 1;
      return true;
    }
    if (c == '\r') {
      if (i + 1 == buf.size()) return false;
      if (buf[i + 1] != '\n') {
        bare_cr = true;
        return false;
      }
      line_end = i;
      next = i + 2;
      return true;
    }
  }
  return false;
}

bool has_token(std::string_view list, std::string_view token) {
  // A comma-separated list (RFC 9110 §5.6.1) with optional whitespace; empty elements ok.
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view item = trim_ows(list.substr(0, comma));
    if (iequals(item, token)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

// Checks the bytes of a request line that has not ended yet, so that a client speaking
// another protocol (a TLS ClientHello, binary junk) is refused at once instead of waiting
// for the header timeout. Returns false when no request line can start this way.
bool plausible_line_prefix(std::string_view prefix) {
  if (prefix == "\r") return true;  // perhaps the first half of an ignorable empty line
  size_t i = 0;
  while (i < prefix.size() && prefix[i] != ' ') {
    if (!is_tchar(static_cast<unsigned char>(prefix[i]))) return false;
    ++i;
  }
  if (i++ >= prefix.size()) return true;
  while (i < prefix.size() && prefix[i] != ' ') {
    if (!is_target_char(static_cast<unsigned char>(prefix[i]))) return false;
    ++i;
  }
  if (i++ >= prefix.size()) return true;
  std::string_view version = prefix.substr(i);
  if (version.ends_with('\r')) version.remove_suffix(1);
  std::string_view expect = "HTTP/";
  return version.size() <= 8 && expect.substr(0, std::min(version.size(), expect.size())) ==
                                    version.substr(0, std::min(version.size(), expect.size()));
}

}  // namespace

std::string_view Request::header(std::string_view name) const {
  for (size_t i = 0; i < header_count; ++i)
    if (iequals(headers[i].name, name)) return headers[i].value;
  return {};
}

ParseResult parse_request(std::string_view buf, const Limits& limits, Request& out) {
  out = Request();
  size_t pos = 0;
  // RFC 9112 §2.2: ignore at least one empty line before the request line.
  for (int i = 0; i < 4; ++i) {
    if (buf.substr(pos).starts_with("\r\n"))
      pos += 2;
    else if (buf.substr(pos).starts_with("\n"))
      pos += 1;
    else
      break;
  }

  size_t line_end = 0, next = 0;
  bool bare_cr = false;
  if (!next_line(buf, pos, line_end, next, bare_cr)) {
    if (bare_cr) return fail(400, "bare CR in request line");
    if (buf.size() - pos > limits.max_request_line) return fail(414, "request line too long");
    if (!plausible_line_prefix(buf.substr(pos))) return fail(400, "malformed request line");
    return {};
  }
  if (line_end - pos > limits.max_request_line) return fail(414, "request line too long");
  std::string_view line = buf.substr(pos, line_end - pos);
  out.request_line = line;

  // request-line = method SP request-target SP HTTP-version (RFC 9112 §3), single spaces.
  size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos || sp1 == 0) return fail(400, "malformed request line");
  size_t sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || sp2 == sp1 + 1) return fail(400, "malformed request line");
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = line.substr(sp2 + 1);
  for (char c : method)
    if (!is_tchar(static_cast<unsigned char>(c))) return fail(400, "invalid method");
  for (char c : target)
    if (!is_target_char(static_cast<unsigned char>(c))) return fail(400, "invalid request target");
  if (version.size() != 8 || !version.starts_with("HTTP/") || !is_digit(version[5]) ||
      version[6] != '.' || !is_digit(version[7]))
    return fail(400, "malformed HTTP version");
  if (version[5] != '1' || (version[7] != '0' && version[7] != '1'))
    return fail(505, "unsupported HTTP version");
  out.version_minor = uint8_t(version[7] - '0');
  out.method_text = method;
  out.method = method == "GET" ? Method::Get : method == "HEAD" ? Method::Head : Method::Other;
  out.target = target;

  // Request target forms (RFC 9112 §3.2): origin-form, or absolute-form for http(s).
  std::string_view path = target;
  if (!path.starts_with('/')) {
    size_t scheme_end = path.find("://");
    if (scheme_end == std::string_view::npos) {
      if (out.method == Method::Other) {
        path = "/";  // asterisk- or authority-form: the method will be refused anyway
      } else {
        return fail(400, "invalid request target");
      }
    } else {
      std::string_view scheme = path.substr(0, scheme_end);
      if (!iequals(scheme, "http") && !iequals(scheme, "https"))
        return fail(400, "invalid request target");
      std::string_view rest = path.substr(scheme_end + 3);
      size_t slash = rest.find_first_of("/?");
      if (slash == 0) return fail(400, "absolute URI without authority");
      path = slash == std::string_view::npos ? std::string_view("/") : rest.substr(slash);
      if (path.starts_with('?')) return fail(400, "absolute URI without path");
    }
  }
  size_t q = path.find('?');
  if (q != std::string_view::npos) {
    out.query = path.substr(q + 1);
    out.has_query = true;
    path = path.substr(0, q);
  }
  size_t hash = path.find('#');
  if (hash != std::string_view::npos) return fail(400, "fragment in request target");
  out.path = path;

  // Header fields (RFC 9112 §5).
  pos = next;
  bool saw_host = false, saw_length = false, conn_close = false, conn_keep_alive = false;
  uint64_t content_length = 0;
  for (;;) {
    if (!next_line(buf, pos, line_end, next, bare_cr)) {
      if (bare_cr) return fail(400, "bare CR in header field");
      if (buf.size() > limits.max_head) return fail(431, "request header section too large");
      return {};
    }
    if (next > limits.max_head) return fail(431, "request header section too large");
    if (line_end == pos) break;  // the empty line ends the head
    std::string_view field = buf.substr(pos, line_end - pos);
    pos = next;
    if (field[0] == ' ' || field[0] == '\t')
      return fail(400, "obsolete line folding");  // RFC 9112 §5.2: reject obs-fold
    size_t colon = field.find(':');
    if (colon == std::string_view::npos || colon == 0) return fail(400, "malformed header field");
    std::string_view name = field.substr(0, colon);
    for (char c : name)
      if (!is_tchar(static_cast<unsigned char>(c)))
        // Includes whitespace before the colon, which RFC 9112 §5.1 says to reject.
        return fail(400, "invalid header field name");
    std::string_view value = field.substr(colon + 1);
    for (char c : value)
      if (!is_field_char(static_cast<unsigned char>(c)))
        return fail(400, "invalid character in header field value");
    value = trim_ows(value);
    if (out.header_count >= limits.max_headers || out.header_count >= kMaxHeaders)
      return fail(431, "too many header fields");
    out.headers[out.header_count++] = {name, value};

    if (iequals(name, "host")) {
      if (saw_host) return fail(400, "repeated Host header");
      saw_host = true;
    } else if (iequals(name, "content-length")) {
      // RFC 9112 §6.3: a repeated or list-valued Content-Length is a framing error here.
      if (saw_length) return fail(400, "repeated Content-Length header");
      saw_length = true;
      if (!parse_u64(value, content_length)) return fail(400, "invalid Content-Length");
    } else if (iequals(name, "transfer-encoding")) {
      // A static server takes no request bodies; refusing any transfer coding removes the
      // classic CL/TE smuggling ambiguity (RFC 9112 §6.1).
      return fail(501, "Transfer-Encoding on a request");
    } else if (iequals(name, "connection")) {
      if (has_token(value, "close")) conn_close = true;
      if (has_token(value, "keep-alive")) conn_keep_alive = true;
    }
  }
  if (out.version_minor == 1 && !saw_host)
    return fail(400, "HTTP/1.1 request without Host");  // RFC 9112 §3.2
  if (content_length > 0) {
    if (out.method != Method::Other) return fail(400, "body on a GET or HEAD request");
    out.has_body = true;
  }
  out.keep_alive = out.version_minor == 1 ? !conn_close : (conn_keep_alive && !conn_close);
  if (out.has_body) out.keep_alive = false;  // the body is never read
  ParseResult r;
  r.status = ParseStatus::Complete;
  r.consumed = next;
  return r;
}

}  // namespace mayfly::http
