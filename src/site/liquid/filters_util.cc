#include "site/liquid/filters_util.h"

#include <charconv>
#include <cstdlib>

namespace mayfly::site::liquid::detail {

std::string str(const Value& v) {
  return v.to_string();
}

namespace {
bool is_decimal(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && s[i] == '-') ++i;
  std::size_t d = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  if (i == d || i >= s.size() || s[i] != '.') return false;
  ++i;
  std::size_t f = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  return i > f && i == s.size();
}

std::string_view strip(std::string_view s) {
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}
}  // namespace

Value to_number(const Value& v) {
  if (v.is_number()) return v;
  if (v.is_string()) {
    std::string_view s = strip(v.as_string());
    if (is_decimal(s)) return std::strtod(std::string(s).c_str(), nullptr);
    // Ruby's String#to_i: optional sign and leading digits.
    std::size_t i = 0;
    bool neg = false;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) {
      neg = s[i] == '-';
      ++i;
    }
    std::int64_t x = 0;
    auto r = std::from_chars(s.data() + i, s.data() + s.size(), x);
    if (r.ec != std::errc()) x = 0;
    return neg ? -x : x;
  }
  return std::int64_t{0};
}

std::int64_t to_integer(const Value& v, std::string_view what) {
  if (v.is_int()) return v.as_int();
  if (v.is_string()) {
    std::string_view s = strip(v.as_string());
    std::int64_t x = 0;
    const char* b = s.data();
    if (!s.empty() && s.front() == '+') ++b;
    auto r = std::from_chars(b, s.data() + s.size(), x);
    if (r.ec == std::errc() && r.ptr == s.data() + s.size() && !s.empty()) return x;
  }
  throw RenderError(std::string(what) + ": invalid integer '" + v.to_string() + "'");
}

namespace {
void flatten_into(const Value& v, Array& out) {
  if (v.is_array()) {
    for (const auto& e : v.as_array()) flatten_into(e, out);
  } else {
    out.push_back(v);
  }
}
}  // namespace

Array flatten_input(const Value& v) {
  Array out;
  if (v.is_nil()) return out;
  if (v.is_range()) return v.to_array();
  flatten_into(v, out);
  return out;
}

Value property(const Value& item, const Value& key) {
  if (item.is_hash() || item.is_drop()) return item.get(key);
  return {};
}

}  // namespace mayfly::site::liquid::detail
