// The date filter: Ruby's Time.parse (the common formats) and Time#strftime.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>
#include <ctime>
#include <optional>

#include "site/liquid/date.h"
#include "site/liquid/filters_util.h"

namespace mayfly::site::liquid {

namespace {

const char* const kMonths[] = {"january",   "february", "march",    "april",
                               "may",       "june",     "july",     "august",
                               "september", "october",  "november", "december"};
const char* const kDays[] = {"sunday",   "monday", "tuesday", "wednesday",
                             "thursday", "friday", "saturday"};

int month_of(const std::string& w) {
  if (w.size() < 3) return 0;
  for (int i = 0; i < 12; ++i) {
    std::string m = kMonths[i];
    if (w == m || (w.size() == 3 && m.compare(0, 3, w) == 0) || (w == "sept" && i == 8))
      return i + 1;
  }
  return 0;
}

bool is_day_name(const std::string& w) {
  for (const char* d : kDays) {
    std::string s = d;
    if (w == s || (w.size() == 3 && s.compare(0, 3, w) == 0)) return true;
  }
  return false;
}

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

int local_offset(std::int64_t epoch) {
  std::time_t t = static_cast<std::time_t>(epoch);
  std::tm tm{};
  localtime_r(&t, &tm);
  return static_cast<int>(tm.tm_gmtoff);
}

}  // namespace

DateTime DateTime::from_epoch(std::int64_t epoch, std::optional<int> offset) {
  DateTime d;
  d.epoch = epoch;
  d.offset = offset ? *offset : local_offset(epoch);
  std::time_t t = static_cast<std::time_t>(epoch + d.offset);
  gmtime_r(&t, &d.tm);
  if (!offset) {
    std::time_t lt = static_cast<std::time_t>(epoch);
    std::tm ltm{};
    localtime_r(&lt, &ltm);
    d.zone = ltm.tm_zone ? ltm.tm_zone : "";
  } else {
    d.zone = *offset == 0 ? "UTC" : "";
  }
  return d;
}

DateTime DateTime::now() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  DateTime d = from_epoch(ts.tv_sec);
  d.nsec = ts.tv_nsec;
  return d;
}

std::optional<DateTime> DateTime::parse(std::string_view text) {
  std::string s;
  for (char c : text) s += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  int year = -1, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  long nsec = 0;
  std::optional<int> offset;
  bool have_time = false;
  std::vector<int> loose;  // numbers not yet placed
  std::size_t i = 0;
  const std::size_t n = s.size();
  auto digits = [&](std::size_t from, std::size_t& end) {
    end = from;
    while (end < n && std::isdigit(static_cast<unsigned char>(s[end]))) ++end;
    return end - from;
  };
  while (i < n) {
    char c = s[i];
    if (std::isdigit(static_cast<unsigned char>(c))) {
      std::size_t e;
      std::size_t len = digits(i, e);
      int v = std::atoi(s.substr(i, len).c_str());
      // YYYY-MM-DD or YYYY/MM/DD
      if (len == 4 && e < n && (s[e] == '-' || s[e] == '/') && year < 0) {
        std::size_t e2, e3;
        std::size_t l2 = digits(e + 1, e2);
        if (l2 >= 1 && l2 <= 2 && e2 < n && s[e2] == s[e]) {
          std::size_t l3 = digits(e2 + 1, e3);
          if (l3 >= 1 && l3 <= 2) {
            year = v;
            month = std::atoi(s.substr(e + 1, l2).c_str());
            day = std::atoi(s.substr(e2 + 1, l3).c_str());
            i = e3;
            continue;
          }
        }
      }
      // HH:MM[:SS[.frac]]
      if (len <= 2 && e < n && s[e] == ':' && !have_time) {
        std::size_t e2;
        std::size_t l2 = digits(e + 1, e2);
        if (l2 == 2) {
          have_time = true;
          hour = v;
          minute = std::atoi(s.substr(e + 1, 2).c_str());
          i = e2;
          if (i < n && s[i] == ':') {
            std::size_t e3;
            std::size_t l3 = digits(i + 1, e3);
            if (l3 == 2) {
              second = std::atoi(s.substr(i + 1, 2).c_str());
              i = e3;
              if (i < n && (s[i] == '.' || s[i] == ',')) {
                std::size_t e4;
                std::size_t l4 = digits(i + 1, e4);
                std::string frac = s.substr(i + 1, std::min<std::size_t>(l4, 9));
                while (frac.size() < 9) frac += '0';
                nsec = std::atol(frac.c_str());
                i = e4;
              }
            }
          }
          // am/pm
          std::size_t k = i;
          while (k < n && s[k] == ' ') ++k;
          if (s.compare(k, 2, "pm") == 0 || s.compare(k, 2, "am") == 0) {
            if (s[k] == 'p' && hour < 12) hour += 12;
            if (s[k] == 'a' && hour == 12) hour = 0;
            i = k + 2;
          }
          continue;
        }
      }
      // MM/DD/YYYY
      if (len <= 2 && e < n && s[e] == '/') {
        std::size_t e2, e3;
        std::size_t l2 = digits(e + 1, e2);
        if (l2 >= 1 && l2 <= 2 && e2 < n && s[e2] == '/') {
          std::size_t l3 = digits(e2 + 1, e3);
          if (l3 == 4 || l3 == 2) {
            month = v;
            day = std::atoi(s.substr(e + 1, l2).c_str());
            year = std::atoi(s.substr(e2 + 1, l3).c_str());
            if (l3 == 2) year += year < 69 ? 2000 : 1900;
            i = e3;
            continue;
          }
        }
      }
      if (len > 4) return std::nullopt;
      loose.push_back(v);
      if (len >= 3 && year < 0) {
        year = v;
        loose.pop_back();
      }
      i = e;
      // ordinal suffixes
      if (s.compare(i, 2, "st") == 0 || s.compare(i, 2, "nd") == 0 || s.compare(i, 2, "rd") == 0 ||
          s.compare(i, 2, "th") == 0) {
        i += 2;
      }
      continue;
    }
    if ((c == '+' || c == '-') && have_time && !offset) {
      std::size_t e;
      std::size_t len = digits(i + 1, e);
      int hh = 0, mm = 0;
      bool ok = false;
      if (len == 4) {
        hh = std::atoi(s.substr(i + 1, 2).c_str());
        mm = std::atoi(s.substr(i + 3, 2).c_str());
        ok = true;
      } else if (len == 2 || len == 1) {
        hh = std::atoi(s.substr(i + 1, len).c_str());
        if (e < n && s[e] == ':') {
          std::size_t e2;
          if (digits(e + 1, e2) == 2) {
            mm = std::atoi(s.substr(e + 1, 2).c_str());
            e = e2;
          }
        }
        ok = true;
      }
      if (ok) {
        offset = (c == '-' ? -1 : 1) * (hh * 3600 + mm * 60);
        i = e;
        continue;
      }
    }
    if (std::isalpha(static_cast<unsigned char>(c))) {
      std::size_t e = i;
      while (e < n && std::isalpha(static_cast<unsigned char>(s[e]))) ++e;
      std::string w = s.substr(i, e - i);
      if (int m = month_of(w); m && month == 0) {
        month = m;
      } else if (w == "z" || w == "utc" || w == "gmt") {
        offset = 0;
      } else if (w == "t" || is_day_name(w) || w == "at" || w == "of") {
        // separators and weekday names carry nothing
      } else {
        return std::nullopt;
      }
      i = e;
      continue;
    }
    ++i;
  }
  // Place loose numbers: day, then year.
  for (int v : loose) {
    if (day == 0 && v >= 1 && v <= 31) {
      day = v;
    } else if (year < 0) {
      year = v < 100 ? v + (v < 69 ? 2000 : 1900) : v;
    } else if (month == 0 && v >= 1 && v <= 12) {
      month = v;
    }
  }
  if (year < 0 && month == 0 && day == 0 && !have_time) return std::nullopt;
  if (year < 0 || month == 0 || day == 0) {
    // Missing parts come from today, as Ruby's Time.parse does.
    DateTime now = DateTime::now();
    if (year < 0) year = now.tm.tm_year + 1900;
    if (month == 0) month = day ? 1 : now.tm.tm_mon + 1;
    if (day == 0) day = (year >= 0 && !have_time) ? 1 : now.tm.tm_mday;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  std::int64_t local_secs =
      days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400 +
      hour * 3600 + minute * 60 + second;
  DateTime d;
  if (offset) {
    d = from_epoch(local_secs - *offset, offset);
  } else {
    // Local time: guess with the offset at that instant, then correct once.
    int off = local_offset(local_secs);
    off = local_offset(local_secs - off);
    d = from_epoch(local_secs - off);
  }
  d.nsec = nsec;
  return d;
}

namespace {

std::string pad(std::int64_t v, int width, char padc) {
  bool neg = v < 0;
  std::string s = std::to_string(neg ? -v : v);
  if (padc != 0) {
    while (static_cast<int>(s.size()) < width - (neg ? 1 : 0)) s.insert(s.begin(), padc);
  }
  return neg ? "-" + s : s;
}

// ISO 8601 week-based year and week number (%G, %V): weeks start on Monday, and week 1 is the
// one with the year's first Thursday.
bool leap_year(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}
int iso_weeks_in_year(int y) {
  // 53 weeks when January 1st is a Thursday, or a Wednesday in a leap year.
  int jan1 = int((days_from_civil(y, 1, 1) + 4) % 7);  // 1970-01-01 was a Thursday (4)
  if (jan1 < 0) jan1 += 7;
  return jan1 == 4 || (jan1 == 3 && leap_year(y)) ? 53 : 52;
}
void iso_week(const std::tm& tm, int& year, int& week) {
  year = tm.tm_year + 1900;
  int monday_based = (tm.tm_wday + 6) % 7;
  week = (tm.tm_yday - monday_based + 10) / 7;
  if (week < 1) {
    --year;
    week = iso_weeks_in_year(year);
  } else if (week > iso_weeks_in_year(year)) {
    ++year;
    week = 1;
  }
}

std::string cap(const char* w) {
  std::string s = w;
  s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
  return s;
}

}  // namespace

std::string DateTime::strftime(std::string_view fmt) const {
  std::string out;
  for (std::size_t i = 0; i < fmt.size(); ++i) {
    if (fmt[i] != '%' || i + 1 >= fmt.size()) {
      out += fmt[i];
      continue;
    }
    std::size_t start = i;
    ++i;
    char flag_pad = 0;  // '-', '_', '0'
    bool upper = false, swap = false;
    int colons = 0;
    for (; i < fmt.size(); ++i) {
      char f = fmt[i];
      if (f == '-' || f == '_' || f == '0')
        flag_pad = f;
      else if (f == '^')
        upper = true;
      else if (f == '#')
        swap = true;
      else
        break;
    }
    int width = -1;
    while (i < fmt.size() && std::isdigit(static_cast<unsigned char>(fmt[i]))) {
      width = (width < 0 ? 0 : width * 10) + (fmt[i] - '0');
      ++i;
    }
    while (i < fmt.size() && fmt[i] == ':') {
      ++colons;
      ++i;
    }
    if (i >= fmt.size()) {
      out.append(fmt.substr(start));
      break;
    }
    char c = fmt[i];
    auto num = [&](std::int64_t v, int w, char defpad) {
      char p = flag_pad == '-' ? 0 : flag_pad == '_' ? ' ' : flag_pad == '0' ? '0' : defpad;
      return pad(v, width >= 0 ? width : w, p);
    };
    std::string r;
    bool text = false;
    int hour12 = tm.tm_hour % 12 == 0 ? 12 : tm.tm_hour % 12;
    switch (c) {
      case 'Y':
        r = num(tm.tm_year + 1900, 4, '0');
        if (width < 0 && flag_pad == 0) r = std::to_string(tm.tm_year + 1900);
        break;
      case 'C':
        r = num((tm.tm_year + 1900) / 100, 2, '0');
        break;
      case 'y':
        r = num((tm.tm_year + 1900) % 100, 2, '0');
        break;
      case 'm':
        r = num(tm.tm_mon + 1, 2, '0');
        break;
      case 'd':
        r = num(tm.tm_mday, 2, '0');
        break;
      case 'e':
        r = num(tm.tm_mday, 2, ' ');
        break;
      case 'j':
        r = num(tm.tm_yday + 1, 3, '0');
        break;
      case 'H':
        r = num(tm.tm_hour, 2, '0');
        break;
      case 'k':
        r = num(tm.tm_hour, 2, ' ');
        break;
      case 'I':
        r = num(hour12, 2, '0');
        break;
      case 'l':
        r = num(hour12, 2, ' ');
        break;
      case 'M':
        r = num(tm.tm_min, 2, '0');
        break;
      case 'S':
        r = num(tm.tm_sec, 2, '0');
        break;
      case 'L':
        r = pad(nsec / 1000000, 3, '0');
        break;
      case 'N': {
        int w = width > 0 ? width : 9;
        std::string ns = pad(nsec, 9, '0');
        r = w <= 9 ? ns.substr(0, static_cast<std::size_t>(w))
                   : ns + std::string(static_cast<std::size_t>(w - 9), '0');
        break;
      }
      case 's':
        r = std::to_string(epoch);
        break;
      case 'u':
        r = num(tm.tm_wday == 0 ? 7 : tm.tm_wday, 1, '0');
        break;
      case 'w':
        r = num(tm.tm_wday, 1, '0');
        break;
      case 'V':
      case 'G':
      case 'g': {
        int iso_year = 0, week = 0;
        iso_week(tm, iso_year, week);
        r = c == 'V'   ? num(week, 2, '0')
            : c == 'G' ? num(iso_year, 4, '0')
                       : num(iso_year % 100, 2, '0');
        break;
      }
      case 'U':
        r = num((tm.tm_yday + 7 - tm.tm_wday) / 7, 2, '0');
        break;
      case 'W':
        r = num((tm.tm_yday + 7 - (tm.tm_wday + 6) % 7) / 7, 2, '0');
        break;
      case 'a':
        r = cap(kDays[tm.tm_wday]).substr(0, 3);
        text = true;
        break;
      case 'A':
        r = cap(kDays[tm.tm_wday]);
        text = true;
        break;
      case 'b':
      case 'h':
        r = cap(kMonths[tm.tm_mon]).substr(0, 3);
        text = true;
        break;
      case 'B':
        r = cap(kMonths[tm.tm_mon]);
        text = true;
        break;
      case 'p':
        r = tm.tm_hour < 12 ? "AM" : "PM";
        text = true;
        if (swap) {
          swap = false;
          r = tm.tm_hour < 12 ? "am" : "pm";
        }
        break;
      case 'P':
        r = tm.tm_hour < 12 ? "am" : "pm";
        text = true;
        break;
      case 'Z':
        r = zone;
        text = true;
        break;
      case 'z': {
        int o = offset < 0 ? -offset : offset;
        std::string sign = offset < 0 ? "-" : "+";
        std::string hh = pad(o / 3600, 2, '0'), mm = pad((o % 3600) / 60, 2, '0');
        if (colons == 1)
          r = sign + hh + ":" + mm;
        else if (colons == 2)
          r = sign + hh + ":" + mm + ":" + pad(o % 60, 2, '0');
        else
          r = sign + hh + mm;
        break;
      }
      case 'F':
        r = DateTime(*this).strftime("%Y-%m-%d");
        break;
      case 'D':
      case 'x':
        r = strftime("%m/%d/%y");
        break;
      case 'T':
      case 'X':
        r = strftime("%H:%M:%S");
        break;
      case 'R':
        r = strftime("%H:%M");
        break;
      case 'r':
        r = strftime("%I:%M:%S %p");
        break;
      case 'c':
        r = strftime("%a %b %e %H:%M:%S %Y");
        break;
      case 'v':
        r = strftime("%e-%^b-%Y");
        break;
      case '+':
        r = strftime("%a %b %e %H:%M:%S %Z %Y");
        break;
      case 'n':
        r = "\n";
        break;
      case 't':
        r = "\t";
        break;
      case '%':
        r = "%";
        break;
      default:
        r = std::string(fmt.substr(start, i - start + 1));
        break;
    }
    if (text && width > 0 && static_cast<int>(r.size()) < width) {
      r.insert(0, static_cast<std::size_t>(width) - r.size(), flag_pad == '0' ? '0' : ' ');
    }
    if (upper || (swap && text)) {
      for (char& ch : r) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    }
    out += r;
  }
  return out;
}

std::optional<DateTime> to_date(const Value& v) {
  if (v.is_int()) return DateTime::from_epoch(v.as_int());
  if (v.is_float()) return DateTime::from_epoch(to_int64(v.as_float()));
  if (!v.is_string() && !v.is_drop()) return std::nullopt;
  std::string s = v.to_string();
  if (s.empty()) return std::nullopt;
  std::string low = s;
  for (char& c : low) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (low == "now" || low == "today") return DateTime::now();
  if (std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    std::int64_t epoch = 0;
    auto r = std::from_chars(s.data(), s.data() + s.size(), epoch);
    if (r.ec != std::errc()) return std::nullopt;
    return DateTime::from_epoch(epoch);
  }
  return DateTime::parse(s);
}

void register_date_filters(Environment& env) {
  env.register_filter(
      "date",
      [](const Value& in, std::span<const Value> args, const KwArgs&, Context&) -> Value {
        std::string fmt = detail::str(args[0]);
        if (fmt.empty()) return in;
        auto d = to_date(in);
        if (!d) return in;
        return d->strftime(fmt);
      },
      1, 1);
}

}  // namespace mayfly::site::liquid
