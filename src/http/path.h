#pragma once
// Request paths: percent-decoding and dot-segment removal (RFC 3986 §5.2.4). Freestanding.
#include <cstddef>
#include <string_view>

namespace mayfly::http {

inline constexpr size_t kMaxPath = 4096;

enum class PathStatus : unsigned char {
  Ok,
  BadEncoding,
  EscapesRoot,
  TooLong,
  NulByte,
  NotAbsolute
};

// Decodes raw (the path part of a request target) and removes "." and ".." segments and
// empty segments, writing the result to out. The result starts with '/', and ends with
// '/' when the request named a directory. A ".." that would climb above the root is an
// error, not clamped: such a request is an attack or a bug, and gets 400.
PathStatus normalize_path(std::string_view raw, char* out, size_t cap, size_t& len);

// Percent-encodes a normalized path for a Location header: unreserved characters, '/',
// and the sub-delimiters stay; everything else becomes %XX. Returns the length written,
// or 0 when out is too small.
size_t encode_path(std::string_view path, char* out, size_t cap);

}  // namespace mayfly::http
