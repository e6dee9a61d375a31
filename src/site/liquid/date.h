// Dates for the date filter, exposed so that host filters (Jekyll's date_to_xmlschema, ...)
// parse and format exactly the same way.
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

#include "site/liquid/value.h"

namespace mayfly::site::liquid {

struct DateTime {
  std::int64_t epoch = 0;  // seconds since 1970-01-01 UTC
  long nsec = 0;
  int offset = 0;    // seconds east of UTC
  std::tm tm{};      // broken down in `offset`
  std::string zone;  // zone abbreviation, when known

  // Local time (the process's TZ) unless `offset` is given.
  static DateTime from_epoch(std::int64_t epoch, std::optional<int> offset = std::nullopt);
  static DateTime now();
  // Ruby's Time.parse for the formats blogs use: ISO 8601, RFC 2822, "March 14, 2016",
  // "14 Mar 2016 10:00", "2016/03/14", with an optional time and zone.
  static std::optional<DateTime> parse(std::string_view text);
  // Ruby's Time#strftime, flags (- _ 0 ^ #) and widths included.
  std::string strftime(std::string_view format) const;
};

// What the date filter accepts: "now"/"today", epoch seconds (number or digit string), or a
// date string. nullopt when the value is not a date.
std::optional<DateTime> to_date(const Value& v);

}  // namespace mayfly::site::liquid
