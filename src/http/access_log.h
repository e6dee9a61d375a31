#pragma once
// One line per request in the Common Log Format:
//   host ident authuser [date] "request line" status bytes
// Freestanding: formats into the caller's buffer.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace mayfly::http {

// The longest line format_access_line() writes (request lines are cut to fit).
inline constexpr size_t kMaxAccessLine = 1024;

// Writes the line with a trailing '\n' into out (at least kMaxAccessLine bytes) and
// returns its length. Bytes outside printable ASCII, '"' and '\\' in the request line are
// written as \xHH so that a client cannot forge log lines.
size_t format_access_line(char* out, std::string_view client, int64_t now,
                          std::string_view request_line, uint16_t status, uint64_t body_bytes);

}  // namespace mayfly::http
