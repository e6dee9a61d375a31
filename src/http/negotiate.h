#pragma once
// Content negotiation, validators and byte ranges (RFC 9110 §12.5.3, §13, §14).
// Freestanding: pure functions over header values.
#include <cstdint>
#include <string_view>

#include "bundle/format.h"
#include "http/request.h"

namespace mayfly::http {

using bundle::Encoding;

// Picks the coding for a response from the request's Accept-Encoding fields, among the
// variants the entry has (brotli and gzip flags). Highest q-value wins; ties prefer br,
// then gzip, then identity. With no acceptable variant, identity.
Encoding choose_encoding(const Request& req, bool have_gzip, bool have_brotli);

// A representation's strong validator: the entry's tag plus the coding's suffix.
struct EntityTag {
  std::string_view base;    // from the bundle, unquoted
  std::string_view suffix;  // "" for identity, "-gz", "-br"
};
std::string_view encoding_suffix(Encoding e);

enum class Precondition : uint8_t { Proceed, NotModified, Failed };

// RFC 9110 §13.2.2 in order: If-Match, If-Unmodified-Since, If-None-Match,
// If-Modified-Since.
Precondition evaluate_preconditions(const Request& req, const EntityTag& tag, int64_t mtime);

struct ByteRange {
  enum Kind : uint8_t { None, Satisfiable, Unsatisfiable } kind = None;
  uint64_t first = 0;  // inclusive
  uint64_t last = 0;   // inclusive
};

// Parses a Range header for a representation of the given size. Syntax errors, other
// units and multiple ranges give None: the whole representation is sent (RFC 9110 §14.2).
ByteRange parse_range(std::string_view value, uint64_t size);

// True when If-Range is absent or matches, so that Range applies (RFC 9110 §13.1.5).
// An entity tag must match strongly; a date must equal Last-Modified exactly.
bool if_range_allows(const Request& req, const EntityTag& tag, int64_t mtime);

}  // namespace mayfly::http
