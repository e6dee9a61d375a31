#include "http/date.h"

#include "core/ascii.h"

namespace mayfly::http {
namespace {

constexpr char kDays[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr char kMonths[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void put2(char* p, int v) {
  p[0] = char('0' + v / 10);
  p[1] = char('0' + v % 10);
}

void put4(char* p, int64_t v) {
  if (v < 0) v = 0;
  if (v > 9999) v = 9999;
  for (int i = 3; i >= 0; --i, v /= 10) p[i] = char('0' + v % 10);
}

bool digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (!is_digit(c)) return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

int month_index(std::string_view s) {
  for (int i = 0; i < 12; ++i)
    if (s == kMonths[i]) return i + 1;
  return 0;
}

bool parse_time(std::string_view s, size_t pos, int& h, int& m, int& sec) {
  return pos + 8 <= s.size() && digits(s, pos, 2, h) && s[pos + 2] == ':' &&
         digits(s, pos + 3, 2, m) && s[pos + 5] == ':' && digits(s, pos + 6, 2, sec) && h < 24 &&
         m < 60 && sec < 61;
}

bool valid_day(int64_t y, int m, int d) {
  static constexpr int kLen[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1 || d > kLen[m - 1]) return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return !(m == 2 && d == 29 && !leap);
}

}  // namespace

CivilTime civil_from_unix(int64_t t) {
  int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
  int64_t secs = t - days * 86400;
  CivilTime c{};
  c.hour = int(secs / 3600);
  c.minute = int(secs / 60 % 60);
  c.second = int(secs % 60);
  c.weekday = int(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  c.day = int(doy - (153 * mp + 2) / 5 + 1);
  c.month = int(mp < 10 ? mp + 3 : mp - 9);
  c.year = yoe + era * 400 + (c.month <= 2);
  return c;
}

int64_t unix_from_civil(int64_t year, int month, int day, int hour, int minute, int second) {
  return days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
}

void format_http_date(int64_t t, char* out) {
  CivilTime c = civil_from_unix(t);
  const char* d = kDays[c.weekday];
  const char* m = kMonths[c.month - 1];
  out[0] = d[0], out[1] = d[1], out[2] = d[2], out[3] = ',', out[4] = ' ';
  put2(out + 5, c.day);
  out[7] = ' ', out[8] = m[0], out[9] = m[1], out[10] = m[2], out[11] = ' ';
  put4(out + 12, c.year);
  out[16] = ' ';
  put2(out + 17, c.hour);
  out[19] = ':';
  put2(out + 20, c.minute);
  out[22] = ':';
  put2(out + 23, c.second);
  out[25] = ' ', out[26] = 'G', out[27] = 'M', out[28] = 'T';
}

void format_log_date(int64_t t, char* out) {
  CivilTime c = civil_from_unix(t);
  const char* m = kMonths[c.month - 1];
  put2(out, c.day);
  out[2] = '/', out[3] = m[0], out[4] = m[1], out[5] = m[2], out[6] = '/';
  put4(out + 7, c.year);
  out[11] = ':';
  put2(out + 12, c.hour);
  out[14] = ':';
  put2(out + 15, c.minute);
  out[17] = ':';
  put2(out + 18, c.second);
  const char tz[] = " +0000";
  for (int i = 0; i < 6; ++i) out[20 + i] = tz[i];
}

bool parse_http_date(std::string_view s, int64_t& out) {
  int day = 0, year = 0, h = 0, m = 0, sec = 0, month = 0;
  size_t comma = s.find(',');
  if (comma == 3 && s.size() == 29) {
    // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
    if (s[4] != ' ' || !digits(s, 5, 2, day) || s[7] != ' ' ||
        !(month = month_index(s.substr(8, 3))) || s[11] != ' ' || !digits(s, 12, 4, year) ||
        s[16] != ' ' || !parse_time(s, 17, h, m, sec) || s.substr(25) != " GMT")
      return false;
  } else if (comma != std::string_view::npos && comma >= 6) {
    // RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT"; two-digit years per RFC 9110 §5.6.7.
    std::string_view r = s.substr(comma + 1);
    if (r.size() != 23 || r[0] != ' ' || !digits(r, 1, 2, day) || r[3] != '-' ||
        !(month = month_index(r.substr(4, 3))) || r[7] != '-' || !digits(r, 8, 2, year) ||
        r[10] != ' ' || !parse_time(r, 11, h, m, sec) || r.substr(19) != " GMT")
      return false;
    year += year < 70 ? 2000 : 1900;
  } else if (s.size() == 24) {
    // asctime: "Sun Nov  6 08:49:37 1994"
    if (s[3] != ' ' || !(month = month_index(s.substr(4, 3))) || s[7] != ' ') return false;
    if (s[8] == ' ') {
      if (!digits(s, 9, 1, day)) return false;
    } else if (!digits(s, 8, 2, day)) {
      return false;
    }
    if (s[10] != ' ' || !parse_time(s, 11, h, m, sec) || s[19] != ' ' || !digits(s, 20, 4, year))
      return false;
  } else {
    return false;
  }
  if (!valid_day(year, month, day)) return false;
  out = unix_from_civil(year, month, day, h, m, sec);
  return true;
}

}  // namespace mayfly::http
