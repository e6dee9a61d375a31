#include "site/liquid/value.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "site/liquid/error.h"

namespace mayfly::site::liquid {

constinit thread_local HashReadObserver* hash_read_observer = nullptr;

void Hash::set(std::string key, Value value) {
  if (const Value* existing = find(key)) {
    const_cast<Value&>(*existing) = std::move(value);
    return;
  }
  entries_.emplace_back(std::move(key), std::move(value));
  if (!index_.empty()) {
    index_.emplace(entries_.back().first, entries_.size() - 1);
  } else if (entries_.size() > kIndexThreshold) {
    for (std::size_t i = 0; i < entries_.size(); ++i) index_.emplace(entries_[i].first, i);
  }
}

const Value* Hash::find(std::string_view key) const {
  if (hash_read_observer) hash_read_observer->on_find(*this, key);
  if (!index_.empty()) {
    auto it = index_.find(key);
    return it == index_.end() ? nullptr : &entries_[it->second].second;
  }
  for (const auto& e : entries_) {
    if (e.first == key) return &e.second;
  }
  return nullptr;
}

std::string format_float(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d < 0 ? "-Infinity" : "Infinity";
  if (d == 0) return std::signbit(d) ? "-0.0" : "0.0";
  // Shortest round-trip digits, then laid out as Ruby's Float#to_s does.
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  bool neg = sci[0] == '-';
  if (neg) sci.erase(0, 1);
  auto epos = sci.find('e');
  std::string digits = sci.substr(0, epos);
  int exp = std::stoi(sci.substr(epos + 1));
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  std::string out = neg ? "-" : "";
  if (exp < -4 || exp >= 16) {
    out += digits[0];
    out += '.';
    out += digits.size() > 1 ? digits.substr(1) : "0";
    out += 'e';
    out += exp < 0 ? '-' : '+';
    int a = exp < 0 ? -exp : exp;
    if (a < 10) out += '0';
    out += std::to_string(a);
    return out;
  }
  if (exp < 0) {
    out += "0.";
    out.append(static_cast<std::size_t>(-exp - 1), '0');
    out += digits;
    return out;
  }
  auto int_len = static_cast<std::size_t>(exp) + 1;
  if (digits.size() <= int_len) {
    out += digits;
    out.append(int_len - digits.size(), '0');
    out += ".0";
  } else {
    out += digits.substr(0, int_len);
    out += '.';
    out += digits.substr(int_len);
  }
  return out;
}

namespace {

void inspect(const Value& v, std::string& out);

void inspect_string(const std::string& s, std::string& out) {
  out += '"';
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += c;
    }
  }
  out += '"';
}

// Ruby's #inspect, used when a hash is printed or nested in a printed hash.
void inspect(const Value& v, std::string& out) {
  switch (v.type()) {
    case Value::Type::kNil:
      out += "nil";
      break;
    case Value::Type::kString:
      inspect_string(v.as_string(), out);
      break;
    case Value::Type::kArray: {
      out += '[';
      bool first = true;
      for (const auto& e : v.as_array()) {
        if (!first) out += ", ";
        first = false;
        inspect(e, out);
      }
      out += ']';
      break;
    }
    case Value::Type::kHash: {
      out += '{';
      bool first = true;
      for (const auto& [k, e] : v.as_hash()) {
        if (!first) out += ", ";
        first = false;
        inspect_string(k, out);
        out += "=>";
        inspect(e, out);
      }
      out += '}';
      break;
    }
    default:
      v.append_to(out);
  }
}

}  // namespace

std::string inspect(const Value& v) {
  std::string out;
  inspect(v, out);
  return out;
}

void Value::append_to(std::string& out) const {
  switch (type()) {
    case Type::kNil:
    case Type::kEmpty:
    case Type::kBlank:
      break;
    case Type::kBool:
      out += as_bool() ? "true" : "false";
      break;
    case Type::kInt: {
      char buf[24];
      auto r = std::to_chars(buf, buf + sizeof buf, as_int());
      out.append(buf, r.ptr);
      break;
    }
    case Type::kFloat:
      out += format_float(as_float());
      break;
    case Type::kString:
      out += as_string();
      break;
    case Type::kArray:
      for (const auto& e : as_array()) e.append_to(out);
      break;
    case Type::kHash:
      inspect(*this, out);
      break;
    case Type::kRange:
      out += std::to_string(as_range().first);
      out += "..";
      out += std::to_string(as_range().last);
      break;
    case Type::kDrop:
      out += as_drop().to_string();
      break;
  }
}

std::string Value::to_string() const {
  if (is_string()) return as_string();
  std::string s;
  append_to(s);
  return s;
}

Array Value::to_array() const {
  if (is_array()) return as_array();
  if (is_range()) {
    Array a;
    const auto& r = as_range();
    for (auto i = r.first; i <= r.last; ++i) a.emplace_back(i);
    return a;
  }
  if (is_nil()) return {};
  return {*this};
}

std::string_view Value::type_name() const {
  switch (type()) {
    case Type::kNil:
      return "nil";
    case Type::kBool:
      return "bool";
    case Type::kInt:
      return "integer";
    case Type::kFloat:
      return "float";
    case Type::kString:
      return "string";
    case Type::kArray:
      return "array";
    case Type::kHash:
      return "hash";
    case Type::kRange:
      return "range";
    case Type::kDrop:
      return "drop";
    case Type::kEmpty:
      return "empty";
    case Type::kBlank:
      return "blank";
  }
  return "?";
}

Value Value::get(std::string_view key) const {
  switch (type()) {
    case Type::kHash: {
      if (const Value* v = as_hash().find(key)) return *v;
      if (key == "size") return static_cast<std::int64_t>(as_hash().size());
      if (key == "first" && !as_hash().empty()) {
        const auto& e = *as_hash().begin();
        return Array{Value(e.first), e.second};
      }
      return {};
    }
    case Type::kArray: {
      const auto& a = as_array();
      if (key == "size") return static_cast<std::int64_t>(a.size());
      if (key == "first") return a.empty() ? Value() : a.front();
      if (key == "last") return a.empty() ? Value() : a.back();
      return {};
    }
    case Type::kRange: {
      const auto& r = as_range();
      if (key == "size") return r.size();
      if (key == "first") return r.first;
      if (key == "last") return r.last;
      return {};
    }
    case Type::kString:
      if (key == "size") {
        std::int64_t n = 0;  // characters, not bytes
        for (char c : as_string()) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
        return n;
      }
      return {};
    case Type::kDrop:
      return as_drop().get(key);
    default:
      return {};
  }
}

Value Value::get(const Value& key) const {
  if (key.is_string()) return get(std::string_view(key.as_string()));
  if (key.is_int() || key.is_float()) {
    if (is_array() || is_range()) {
      auto i = key.is_int() ? key.as_int() : to_int64(key.as_float());
      if (is_range()) {
        auto n = as_range().size();
        if (i < 0) i += n;
        if (i < 0 || i >= n) return {};
        return as_range().first + i;
      }
      const auto& a = as_array();
      auto n = static_cast<std::int64_t>(a.size());
      if (i < 0) i += n;
      if (i < 0 || i >= n) return {};
      return a[static_cast<std::size_t>(i)];
    }
    if (is_hash() || is_drop()) return get(std::string_view(key.to_string()));
  }
  return {};
}

namespace {
bool is_empty_string_like(const Value& v) {
  return (v.is_string() && v.as_string().empty()) || (v.is_array() && v.as_array().empty()) ||
         (v.is_hash() && v.as_hash().empty());
}
}  // namespace

bool is_empty(const Value& v) {
  return is_empty_string_like(v) || (v.is_range() && v.as_range().size() == 0);
}

bool is_blank(const Value& v) {
  if (v.is_nil()) return true;
  if (v.is_bool()) return !v.as_bool();
  if (v.is_string()) {
    for (char c : v.as_string()) {
      if (!(c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'))
        return false;
    }
    return true;
  }
  return is_empty(v);
}

bool equal(const Value& a, const Value& b) {
  using T = Value::Type;
  if (a.type() == T::kEmpty) return b.type() == T::kEmpty || is_empty(b);
  if (b.type() == T::kEmpty) return is_empty(a);
  if (a.type() == T::kBlank) return b.type() == T::kBlank || is_blank(b);
  if (b.type() == T::kBlank) return is_blank(a);
  if (a.is_number() && b.is_number()) {
    if (a.is_int() && b.is_int()) return a.as_int() == b.as_int();
    return a.number() == b.number();
  }
  if (a.type() != b.type()) {
    if (a.is_range() && b.is_array()) return equal(Value(a.to_array()), b);
    if (b.is_range() && a.is_array()) return equal(a, Value(b.to_array()));
    return false;
  }
  switch (a.type()) {
    case T::kNil:
      return true;
    case T::kBool:
      return a.as_bool() == b.as_bool();
    case T::kString:
      return a.as_string() == b.as_string();
    case T::kArray: {
      const auto& x = a.as_array();
      const auto& y = b.as_array();
      if (&x == &y) return true;
      if (x.size() != y.size()) return false;
      for (std::size_t i = 0; i < x.size(); ++i) {
        if (!equal(x[i], y[i])) return false;
      }
      return true;
    }
    case T::kHash: {
      const auto& x = a.as_hash();
      const auto& y = b.as_hash();
      if (&x == &y) return true;
      if (x.size() != y.size()) return false;
      for (const auto& [k, v] : x) {
        const Value* o = y.find(k);
        if (!o || !equal(v, *o)) return false;
      }
      return true;
    }
    case T::kRange:
      return a.as_range() == b.as_range();
    case T::kDrop:
      return &a.as_drop() == &b.as_drop();
    default:
      return false;
  }
}

bool comparable(const Value& a, const Value& b) {
  return (a.is_number() && b.is_number()) || (a.is_string() && b.is_string());
}

int compare(const Value& a, const Value& b) {
  if (a.is_int() && b.is_int()) return a.as_int() < b.as_int() ? -1 : a.as_int() > b.as_int();
  if (a.is_number() && b.is_number()) {
    double x = a.number(), y = b.number();
    return x < y ? -1 : x > y;
  }
  if (a.is_string() && b.is_string()) {
    int c = a.as_string().compare(b.as_string());
    return c < 0 ? -1 : c > 0;
  }
  throw RenderError("comparison of " + std::string(a.type_name()) + " with " +
                    std::string(b.type_name()) + " failed");
}

}  // namespace mayfly::site::liquid
