#pragma once
// HTTP dates (RFC 9110 §5.6.7) and the common log format's date. Freestanding.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace mayfly::http {

inline constexpr size_t kHttpDateLength = 29;  // "Sun, 06 Nov 1994 08:49:37 GMT"

// Writes the IMF-fixdate for unix time t into out (exactly kHttpDateLength bytes).
void format_http_date(int64_t t, char* out);

// Parses IMF-fixdate, the obsolete RFC 850 form and asctime's form. False when invalid.
bool parse_http_date(std::string_view s, int64_t& out);

inline constexpr size_t kLogDateLength = 26;  // "10/Oct/2000:13:55:36 +0000"
void format_log_date(int64_t t, char* out);

struct CivilTime {
  int64_t year;
  int month;  // 1..12
  int day;    // 1..31
  int hour, minute, second;
  int weekday;  // 0 = Sunday
};
CivilTime civil_from_unix(int64_t t);
int64_t unix_from_civil(int64_t year, int month, int day, int hour, int minute, int second);

}  // namespace mayfly::http
