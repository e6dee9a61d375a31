#include "http/access_log.h"

#include "core/ascii.h"
#include "http/date.h"

namespace mayfly::http {

size_t format_access_line(char* out, std::string_view client, int64_t now,
                          std::string_view request_line, uint16_t status, uint64_t body_bytes) {
  size_t n = 0;
  auto put = [&](std::string_view s) {
    for (char c : s)
      if (n < kMaxAccessLine - 1) out[n++] = c;
  };
  put(client.substr(0, 64));
  put(" - - [");
  char date[kLogDateLength];
  format_log_date(now, date);
  put({date, kLogDateLength});
  put("] \"");
  // Leave room for the status, size and newline (at most 30 bytes).
  const size_t limit = kMaxAccessLine - 40;
  for (char ch : request_line) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (n + 4 > limit) {
      put("...");
      break;
    }
    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
      char esc[4] = {'\\', 'x', kHexDigits[c >> 4], kHexDigits[c & 15]};
      put({esc, 4});
    } else {
      out[n++] = char(c);
    }
  }
  put("\" ");
  char num[20];
  put({num, format_u64(num, status)});
  put(" ");
  if (body_bytes == 0)
    put("-");
  else
    put({num, format_u64(num, body_bytes)});
  out[n++] = '\n';
  return n;
}

}  // namespace mayfly::http
