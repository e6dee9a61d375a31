#pragma once
// An HTTP/1.x request head as views into the caller's receive buffer. Freestanding.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/ascii.h"

namespace mayfly::http {

enum class Method : uint8_t { Get, Head, Other };

struct Header {
  std::string_view name;
  std::string_view value;  // optional whitespace removed
};

inline constexpr size_t kMaxHeaders = 64;

struct Request {
  Method method = Method::Other;
  std::string_view method_text;
  std::string_view request_line;  // as received, for the access log
  std::string_view target;        // as received
  std::string_view path;          // still percent-encoded
  std::string_view query;         // after '?', without it; empty when absent
  bool has_query = false;
  uint8_t version_minor = 1;  // HTTP/1.x
  bool keep_alive = true;     // from the version and the Connection header
  bool has_body = false;      // Content-Length > 0 on a method we refuse
  Header headers[kMaxHeaders];
  size_t header_count = 0;

  // The first field with this name (case-insensitive); absent: data() == nullptr.
  std::string_view header(std::string_view name) const;
  // Calls fn(value) for each field with this name, in order.
  template <typename Fn>
  void each_header(std::string_view name, Fn&& fn) const;
};

struct Limits {
  size_t max_request_line = 8192;    // longer: 414
  size_t max_head = 16384;           // request line and all fields; larger: 431
  size_t max_headers = kMaxHeaders;  // more fields: 431
};

enum class ParseStatus : uint8_t { Complete, Incomplete, Error };

struct ParseResult {
  ParseStatus status = ParseStatus::Incomplete;
  size_t consumed = 0;        // bytes of the head, when Complete
  uint16_t error_status = 0;  // 400, 414, 431, 501 or 505, when Error
  const char* error = "";     // why, for the log
};

// Parses one request head from the start of buf (RFC 9112). Incomplete means more bytes
// are needed; Error means answer error_status and close the connection. Strict where
// leniency lets two parsers disagree about message boundaries (request smuggling).
ParseResult parse_request(std::string_view buf, const Limits& limits, Request& out);

template <typename Fn>
void Request::each_header(std::string_view name, Fn&& fn) const {
  for (size_t i = 0; i < header_count; ++i) {
    if (iequals(headers[i].name, name)) fn(headers[i].value);
  }
}

}  // namespace mayfly::http
