// Array filters, and default / size.
#include <algorithm>

#include "site/liquid/filters_util.h"

namespace mayfly::site::liquid {

namespace {

using detail::arg;
using detail::flatten_input;
using detail::str;
using detail::to_number;

using Args = std::span<const Value>;

// Ruby's `item[property]` as Liquid 5's array filters use it. Returns false when the item
// has no [] at all (nil, booleans, floats); throws for a [] that rejects the key.
bool index_item(const Value& item, const Value& key, Value& out) {
  switch (item.type()) {
    case Value::Type::kHash:
      out = key.is_string() ? item.get(std::string_view(key.as_string())) : Value();
      if (key.is_string()) {
        const Value* v = item.as_hash().find(key.as_string());
        out = v ? *v : Value();
      }
      return true;
    case Value::Type::kDrop:
      out = key.is_nil() ? Value() : item.as_drop().get(key.to_string());
      return true;
    case Value::Type::kString:
      if (key.is_string()) {
        out = item.as_string().find(key.as_string()) != std::string::npos ? key : Value();
        return true;
      }
      if (key.is_int()) {
        out = item.get(key);
        return true;
      }
      throw RenderError("no implicit conversion of " + std::string(key.type_name()) +
                        " into string");
    case Value::Type::kInt:
      if (key.is_int()) {
        out = key.as_int() < 0 || key.as_int() >= 63 ? std::int64_t{item.as_int() < 0}
                                                     : (item.as_int() >> key.as_int()) & 1;
        return true;
      }
      throw RenderError("cannot select the property '" + key.to_string() + "' of an integer");
    case Value::Type::kArray:
    case Value::Type::kRange:
      if (key.is_int()) {
        out = item.get(key);
        return true;
      }
      throw RenderError("no implicit conversion of " + std::string(key.type_name()) +
                        " into integer");
    default:
      return false;
  }
}

enum class Mode { Select, Reject, Find, FindIndex, Has };

// Liquid 5's filter_array: where, reject, find, find_index, has.
Value filter_array(const Value& in, Args args, Mode mode) {
  Array items = flatten_input(in);
  const Value& prop = arg(args, 0);
  const Value& target = arg(args, 1);
  bool by_truth = args.size() < 2 || target.is_nil();
  if (prop.is_nil()) {
    if (mode == Mode::Has) return false;
    if (mode == Mode::Find || mode == Mode::FindIndex) return {};
    return Array{};
  }
  Array out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    Value v;
    if (!index_item(items[i], prop, v)) return {};
    bool hit = by_truth ? v.truthy() : equal(v, target);
    switch (mode) {
      case Mode::Select:
        if (hit) out.push_back(items[i]);
        break;
      case Mode::Reject:
        if (!hit) out.push_back(items[i]);
        break;
      case Mode::Find:
        if (hit) return items[i];
        break;
      case Mode::FindIndex:
        if (hit) return static_cast<std::int64_t>(i);
        break;
      case Mode::Has:
        if (hit) return true;
        break;
    }
  }
  if (mode == Mode::Has) return false;
  if (mode == Mode::Find || mode == Mode::FindIndex) return {};
  return out;
}

// Ruby's <=> with nils last; throws for incomparable values.
int nil_safe_compare(const Value& a, const Value& b) {
  if (comparable(a, b)) return compare(a, b);
  if (a.is_nil() && b.is_nil()) return 0;
  if (a.is_nil()) return 1;
  if (b.is_nil()) return -1;
  if (equal(a, b)) return 0;
  throw RenderError("cannot sort values of incompatible types (" + std::string(a.type_name()) +
                    " and " + std::string(b.type_name()) + ")");
}

int casecmp(const std::string& a, const std::string& b) {
  std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    int x = std::tolower(static_cast<unsigned char>(a[i]));
    int y = std::tolower(static_cast<unsigned char>(b[i]));
    if (x != y) return x < y ? -1 : 1;
  }
  return a.size() < b.size() ? -1 : a.size() > b.size();
}

Value sort_key(const Value& item, const Value& prop) {
  if (prop.is_nil()) return item;
  if (item.is_hash() || item.is_drop()) return detail::property(item, prop);
  return {};
}

Value sort(const Value& in, Args args, bool natural) {
  if (!in.is_array() && !in.is_range() && !in.is_hash()) {
    if (in.is_nil()) return Array{};
    return Array{in};
  }
  Array items = flatten_input(in);
  const Value& prop = arg(args, 0);
  std::vector<std::pair<Value, Value>> keyed;
  keyed.reserve(items.size());
  for (auto& i : items) keyed.emplace_back(sort_key(i, prop), i);
  if (natural) {
    std::stable_sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) {
      if (a.first.is_nil() || b.first.is_nil()) return !a.first.is_nil() && b.first.is_nil();
      return casecmp(a.first.to_string(), b.first.to_string()) < 0;
    });
  } else {
    // Check comparability up front: std::sort needs a consistent ordering.
    for (std::size_t i = 1; i < keyed.size(); ++i)
      nil_safe_compare(keyed[i - 1].first, keyed[i].first);
    for (std::size_t i = 0; i < keyed.size(); ++i) nil_safe_compare(keyed[0].first, keyed[i].first);
    std::stable_sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) {
      return nil_safe_compare(a.first, b.first) < 0;
    });
  }
  Array out;
  out.reserve(keyed.size());
  for (auto& k : keyed) out.push_back(std::move(k.second));
  return out;
}

Value uniq(const Value& in, Args args, const KwArgs&, Context&) {
  if (in.is_nil()) return Array{};
  Array items = flatten_input(in);
  const Value& prop = arg(args, 0);
  Array out, keys;
  for (auto& i : items) {
    Value k = args.empty() ? i : detail::property(i, prop);
    bool seen = std::any_of(keys.begin(), keys.end(),
                            [&](const Value& x) { return x.type() == k.type() && equal(x, k); });
    if (!seen) {
      keys.push_back(k);
      out.push_back(i);
    }
  }
  return out;
}

Value compact(const Value& in, Args args, const KwArgs&, Context&) {
  Array items = flatten_input(in);
  Array out;
  for (auto& i : items) {
    Value k = args.empty() ? i : detail::property(i, args[0]);
    if (!k.is_nil()) out.push_back(i);
  }
  return out;
}

Value map(const Value& in, Args args, const KwArgs&, Context&) {
  Array items = flatten_input(in);
  Array out;
  for (auto& i : items) {
    Value v;
    if (!index_item(i, args[0], v)) v = Value();
    out.push_back(v);
  }
  return out;
}

Value join(const Value& in, Args args, const KwArgs&, Context&) {
  if (in.is_string()) return in;
  std::string glue = args.empty() ? " " : str(args[0]);
  Array items = flatten_input(in);
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += glue;
    items[i].append_to(out);
  }
  return out;
}

Value concat(const Value& in, Args args, const KwArgs&, Context&) {
  if (!args[0].is_array() && !args[0].is_range()) {
    throw RenderError("concat filter requires an array argument");
  }
  Array out = flatten_input(in);
  Array more = args[0].to_array();
  out.insert(out.end(), more.begin(), more.end());
  return out;
}

Value sum(const Value& in, Args args, const KwArgs&, Context&) {
  Array items = flatten_input(in);
  std::int64_t isum = 0;
  double fsum = 0;
  bool is_float = false;
  int places = 0;
  for (auto& i : items) {
    Value v = i;
    if (!args.empty() && !args[0].is_nil()) {
      if (!index_item(i, args[0], v)) v = std::int64_t{0};
    }
    Array parts = flatten_input(v);
    for (auto& p : parts) {
      Value n = to_number(p);
      if (n.is_float()) {
        is_float = true;
        fsum += n.as_float();
        std::string s = format_float(n.as_float());
        auto dot = s.find('.');
        if (dot != std::string::npos)
          places = std::max(places, static_cast<int>(s.size() - dot - 1));
      } else {
        isum += n.as_int();
      }
    }
  }
  if (!is_float) return isum;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", places, fsum + static_cast<double>(isum));
  return std::strtod(buf, nullptr);
}

Value first_or_last(const Value& in, bool first) {
  if (in.is_array()) {
    const Array& a = in.as_array();
    if (a.empty()) return {};
    return first ? a.front() : a.back();
  }
  if (in.is_range()) return in.get(first ? "first" : "last");
  if (in.is_hash() && first) return in.get("first");
  return {};
}

}  // namespace

void register_array_filters(Environment& env) {
  env.register_filter("join", join, 0, 1);
  env.register_filter(
      "first",
      [](const Value& in, Args, const KwArgs&, Context&) { return first_or_last(in, true); }, 0, 0);
  env.register_filter(
      "last",
      [](const Value& in, Args, const KwArgs&, Context&) { return first_or_last(in, false); }, 0,
      0);
  env.register_filter(
      "reverse",
      [](const Value& in, Args, const KwArgs&, Context&) -> Value {
        Array a = flatten_input(in);
        std::reverse(a.begin(), a.end());
        return a;
      },
      0, 0);
  env.register_filter(
      "sort",
      [](const Value& in, Args args, const KwArgs&, Context&) { return sort(in, args, false); }, 0,
      1);
  env.register_filter(
      "sort_natural",
      [](const Value& in, Args args, const KwArgs&, Context&) { return sort(in, args, true); }, 0,
      1);
  env.register_filter("uniq", uniq, 0, 1);
  env.register_filter("compact", compact, 0, 1);
  env.register_filter("map", map, 1, 1);
  env.register_filter("concat", concat, 1, 1);
  env.register_filter("sum", sum, 0, 1);
  env.register_filter(
      "where",
      [](const Value& in, Args args, const KwArgs&, Context&) {
        return filter_array(in, args, Mode::Select);
      },
      1, 2);
  env.register_filter(
      "reject",
      [](const Value& in, Args args, const KwArgs&, Context&) {
        return filter_array(in, args, Mode::Reject);
      },
      1, 2);
  env.register_filter(
      "find",
      [](const Value& in, Args args, const KwArgs&, Context&) {
        return filter_array(in, args, Mode::Find);
      },
      1, 2);
  env.register_filter(
      "find_index",
      [](const Value& in, Args args, const KwArgs&, Context&) {
        return filter_array(in, args, Mode::FindIndex);
      },
      1, 2);
  env.register_filter(
      "has",
      [](const Value& in, Args args, const KwArgs&, Context&) {
        return filter_array(in, args, Mode::Has);
      },
      1, 2);
  env.register_filter(
      "size",
      [](const Value& in, Args, const KwArgs&, Context&) -> Value {
        if (in.is_string()) {
          std::int64_t n = 0;
          for (char c : in.as_string()) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
          return n;
        }
        if (in.is_array() || in.is_hash() || in.is_range() || in.is_drop()) return in.get("size");
        return std::int64_t{0};
      },
      0, 0);
  env.register_filter(
      "default",
      [](const Value& in, Args args, const KwArgs& kw, Context&) -> Value {
        const Value* af = kw.find("allow_false");
        bool allow_false = af && af->truthy();
        bool use_default = allow_false ? in.is_nil() : !in.truthy();
        if (!use_default && (in.is_string() || in.is_array() || in.is_hash()))
          use_default = is_empty(in);
        if (use_default) return args.empty() ? Value(std::string()) : args[0];
        return in;
      },
      0, 1);
}

}  // namespace mayfly::site::liquid
