#include "site/jekyll/yaml_value.h"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstdlib>

namespace mayfly::site {
namespace {

bool lower_equals(std::string_view s, std::initializer_list<std::string_view> options) {
  std::string l(s);
  for (char& c : l) c = char(std::tolower(static_cast<unsigned char>(c)));
  for (std::string_view o : options)
    if (l == o) return true;
  return false;
}

liquid::Value scalar(const YAML::Node& node) {
  const std::string& s = node.Scalar();
  // A quoted scalar ("..." or '...') has the non-specific tag "!": always a string.
  if (node.Tag() == "!") return s;
  if (s.empty() || s == "~" || lower_equals(s, {"null"})) return nullptr;
  if (lower_equals(s, {"true", "yes", "on"})) return true;
  if (lower_equals(s, {"false", "no", "off"})) return false;
  // Integers: decimal with optional sign and underscores, 0x hex, 0o/0 octal as YAML 1.1.
  {
    std::string digits;
    bool ok = !s.empty();
    size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
    if (i == s.size()) ok = false;
    for (size_t k = i; ok && k < s.size(); ++k) {
      if (std::isdigit(static_cast<unsigned char>(s[k])))
        digits += s[k];
      else if (s[k] != '_')
        ok = false;
    }
    if (ok && !digits.empty()) {
      errno = 0;
      long long v = std::strtoll(digits.c_str(), nullptr, 10);
      if (errno == 0) return liquid::Value(s[0] == '-' ? -v : v);
    }
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
      char* end = nullptr;
      long long v = std::strtoll(s.c_str() + 2, &end, 16);
      if (end && *end == '\0') return liquid::Value(v);
    }
  }
  // Floats: digits with one dot and/or an exponent; .inf and .nan are left as text.
  {
    bool has_digit = false, ok = true;
    for (char c : s) {
      if (std::isdigit(static_cast<unsigned char>(c)))
        has_digit = true;
      else if (!(c == '.' || c == 'e' || c == 'E' || c == '-' || c == '+' || c == '_'))
        ok = false;
    }
    if (ok && has_digit && s.find_first_of(".eE") != std::string::npos) {
      char* end = nullptr;
      double d = std::strtod(s.c_str(), &end);
      if (end && *end == '\0') return d;
    }
  }
  return s;
}

}  // namespace

liquid::Value yaml_to_value(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return nullptr;
    case YAML::NodeType::Scalar:
      return scalar(node);
    case YAML::NodeType::Sequence: {
      liquid::Array a;
      a.reserve(node.size());
      for (const auto& child : node) a.push_back(yaml_to_value(child));
      return a;
    }
    case YAML::NodeType::Map: {
      liquid::Hash h;
      for (const auto& kv : node) {
        std::string key = kv.first.IsScalar() ? kv.first.Scalar() : YAML::Dump(kv.first);
        h.set(std::move(key), yaml_to_value(kv.second));
      }
      return h;
    }
  }
  return nullptr;
}

liquid::Value parse_yaml(std::string_view text, const std::string& file, int first_line) {
  try {
    YAML::Node node = YAML::Load(std::string(text));
    return yaml_to_value(node);
  } catch (const YAML::Exception& e) {
    int line = e.mark.is_null() ? first_line : e.mark.line + first_line;
    int col = e.mark.is_null() ? 1 : e.mark.column + 1;
    throw SourceError(file, line, col, "invalid YAML: " + e.msg);
  }
}

}  // namespace mayfly::site
