// Jekyll::Filters: the filters Jekyll adds to Liquid's standard set.
#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <random>

#include "site/jekyll/host.h"
#include "site/jekyll/url.h"
#include "site/liquid/liquid.h"

namespace mayfly::site {
using liquid::Array;
using liquid::Context;
using liquid::Environment;
using liquid::Hash;
using liquid::KwArgs;
using liquid::RenderError;
using liquid::Value;
using Args = std::span<const Value>;

const RenderHost& render_host(Context& ctx) {
  if (auto* h = std::any_cast<const RenderHost*>(&ctx.host())) return **h;
  throw RenderError("this filter needs a site (it is Jekyll's)");
}

namespace {

bool has_scheme(std::string_view s) {
  // An absolute URL: scheme ":" (RFC 3986 §3.1), e.g. https:, mailto:.
  size_t colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  for (size_t i = 0; i < colon; ++i) {
    char c = s[i];
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.'))
      return false;
  }
  return std::isalpha(static_cast<unsigned char>(s[0]));
}

std::string ensure_leading_slash(std::string_view s) {
  if (s.empty() || s.front() != '/') return "/" + std::string(s);
  return std::string(s);
}

std::string cgi_escape(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '_' || c == '.' || c == '-' || c == '~') {
      out += char(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      static constexpr char kHex[] = "0123456789ABCDEF";
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::optional<liquid::DateTime> date_of(const Value& v) {
  return liquid::to_date(v);
}

std::string ordinal(int day) {
  int mod100 = day % 100;
  const char* suffix = (mod100 >= 11 && mod100 <= 13) ? "th"
                       : day % 10 == 1                ? "st"
                       : day % 10 == 2                ? "nd"
                       : day % 10 == 3                ? "rd"
                                                      : "th";
  return std::to_string(day) + suffix;
}

// date_to_string / date_to_long_string with Jekyll's optional "ordinal" and "US" style.
Value date_string(const Value& in, Args args, bool long_month) {
  auto d = date_of(in);
  if (!d) return in;
  std::string month = d->strftime(long_month ? "%B" : "%b");
  std::string type = args.size() > 0 ? args[0].to_string() : "";
  std::string style = args.size() > 1 ? args[1].to_string() : "";
  if (type == "ordinal") {
    std::string day = ordinal(d->tm.tm_mday);
    if (style == "US") return month + " " + day + ", " + d->strftime("%Y");
    return day + " " + month + " " + d->strftime("%Y");
  }
  return d->strftime(long_month ? "%d %B %Y" : "%d %b %Y");
}

void json_string(std::string& out, std::string_view s) {
  out += '"';
  for (unsigned char c : s) {
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
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += char(c);
        }
    }
  }
  out += '"';
}

void json(std::string& out, const Value& v, int depth) {
  if (depth > 64) throw RenderError("jsonify: value nested too deeply");
  switch (v.type()) {
    case Value::Type::kNil:
      out += "null";
      break;
    case Value::Type::kBool:
      out += v.as_bool() ? "true" : "false";
      break;
    case Value::Type::kInt:
      out += std::to_string(v.as_int());
      break;
    case Value::Type::kFloat:
      out += liquid::format_float(v.as_float());
      break;
    case Value::Type::kArray:
    case Value::Type::kRange: {
      out += '[';
      bool first = true;
      for (const Value& e : v.to_array()) {
        if (!first) out += ',';
        first = false;
        json(out, e, depth + 1);
      }
      out += ']';
      break;
    }
    case Value::Type::kHash: {
      out += '{';
      bool first = true;
      for (const auto& [k, e] : v.as_hash()) {
        if (!first) out += ',';
        first = false;
        json_string(out, k);
        out += ':';
        json(out, e, depth + 1);
      }
      out += '}';
      break;
    }
    default:
      json_string(out, v.to_string());
  }
}

// item[property] as Jekyll reads it: hash keys, or "a.b" paths.
Value property(const Value& item, std::string_view prop) {
  Value cur = item;
  size_t start = 0;
  while (start <= prop.size()) {
    size_t dot = prop.find('.', start);
    std::string_view key =
        prop.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    cur = cur.get(key);
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return cur;
}

// where: the property equals the value (as text), or, for a list property, holds it.
bool where_matches(const Value& item, std::string_view prop, const Value& target) {
  Value v = property(item, prop);
  std::string t = target.to_string();
  if (v.is_array()) {
    for (const Value& e : v.as_array())
      if (e.to_string() == t) return true;
    return false;
  }
  if (target.is_nil()) return v.is_nil() || v.to_string().empty();
  return v.to_string() == t;
}

// Evaluates a Liquid condition for an item by rendering `{% if expr %}` with the item bound.
class ConditionCache {
 public:
  std::shared_ptr<const liquid::Template> get(std::string_view expr, const Environment& env) {
    std::lock_guard<std::mutex> lock(mutex_);
    std::string key(expr);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
    auto tpl = liquid::Template::parse("{% if " + key + " %}1{% endif %}", "where_exp", env);
    cache_.emplace(key, tpl);
    return tpl;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const liquid::Template>> cache_;
};

ConditionCache& conditions() {
  static ConditionCache c;
  return c;
}

bool condition(Context& ctx, const std::string& var, std::string_view expr, const Value& item) {
  auto tpl = conditions().get(expr, ctx.env());
  ctx.push_scope();
  ctx.set_local(var, item);
  std::string r = tpl->render(ctx);
  ctx.pop_scope();
  return r == "1";
}

Array input_array(const Value& in) {
  if (in.is_hash()) {
    Array a;
    for (const auto& [k, v] : in.as_hash()) a.push_back(v);
    return a;
  }
  return in.to_array();
}

uint64_t fnv1a(std::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

}  // namespace

std::string relative_url(const SiteConfig& config, std::string_view input) {
  if (has_scheme(input)) return std::string(input);
  std::string base = config.baseurl;
  while (!base.empty() && base.back() == '/') base.pop_back();
  std::string url = (base.empty() ? "" : ensure_leading_slash(base)) + ensure_leading_slash(input);
  return normalize_url(url);
}

std::string absolute_url(const SiteConfig& config, std::string_view input) {
  if (has_scheme(input)) return std::string(input);
  std::string site_url = config.url;
  while (!site_url.empty() && site_url.back() == '/') site_url.pop_back();
  return site_url + relative_url(config, input);
}

std::string xmlschema(const Value& date) {
  auto d = date_of(date);
  if (!d) return "";
  std::string z = d->strftime("%z");  // +0100 → +01:00
  if (z.size() == 5) z.insert(3, ":");
  return d->strftime("%Y-%m-%dT%H:%M:%S") + z;
}

std::string to_json(const Value& v) {
  std::string out;
  json(out, v, 0);
  return out;
}

void register_jekyll_filters(Environment& env) {
  env.register_filter(
      "relative_url",
      [](const Value& in, Args, const KwArgs&, Context& ctx) -> Value {
        if (in.is_nil()) return nullptr;
        return relative_url(*render_host(ctx).config, in.to_string());
      },
      0, 0);
  env.register_filter(
      "absolute_url",
      [](const Value& in, Args, const KwArgs&, Context& ctx) -> Value {
        if (in.is_nil()) return nullptr;
        return absolute_url(*render_host(ctx).config, in.to_string());
      },
      0, 0);
  env.register_filter(
      "date_to_xmlschema",
      [](const Value& in, Args, const KwArgs&, Context&) -> Value {
        std::string s = xmlschema(in);
        return s.empty() ? in : Value(s);
      },
      0, 0);
  env.register_filter(
      "date_to_rfc822",
      [](const Value& in, Args, const KwArgs&, Context&) -> Value {
        auto d = date_of(in);
        return d ? Value(d->strftime("%a, %d %b %Y %H:%M:%S %z")) : in;
      },
      0, 0);
  env.register_filter(
      "date_to_string",
      [](const Value& in, Args a, const KwArgs&, Context&) { return date_string(in, a, false); }, 0,
      2);
  env.register_filter(
      "date_to_long_string",
      [](const Value& in, Args a, const KwArgs&, Context&) { return date_string(in, a, true); }, 0,
      2);
  env.register_filter(
      "xml_escape",
      [](const Value& in, Args, const KwArgs&, Context&) -> Value {
        return in.is_nil() ? Value(nullptr) : Value(xml_escape(in.to_string()));
      },
      0, 0);
  env.register_filter(
      "cgi_escape",
      [](const Value& in, Args, const KwArgs&, Context&) -> Value {
        return cgi_escape(in.to_string());
      },
      0, 0);
  env.register_filter(
      "uri_escape",
      [](const Value& in, Args, const KwArgs&, Context&) -> Value {
        return normalize_url(in.to_string());
      },
      0, 0);
  env.register_filter(
      "slugify",
      [](const Value& in, Args a, const KwArgs&, Context&) -> Value {
        if (in.is_nil()) return nullptr;
        SlugMode mode = a.empty() ? SlugMode::Default : slug_mode(a[0].to_string());
        return slugify(in.to_string(), mode);
      },
      0, 1);
  env.register_filter(
      "markdownify",
      [](const Value& in, Args, const KwArgs&, Context& ctx) -> Value {
        return render_host(ctx).markdownify(in.to_string());
      },
      0, 0);
  env.register_filter(
      "smartify",
      [](const Value& in, Args, const KwArgs&, Context&) -> Value {
        // kramdown's SmartyPants: quotes, dashes and ellipses, as characters.
        std::string s = in.to_string(), out;
        for (size_t i = 0; i < s.size(); ++i) {
          char c = s[i];
          char prev = i > 0 ? s[i - 1] : ' ';
          bool open = std::isspace(static_cast<unsigned char>(prev)) || prev == '(' ||
                      prev == '[' || i == 0;
          if (s.compare(i, 3, "---") == 0) {
            out += "\u2014";
            i += 2;
          } else if (s.compare(i, 2, "--") == 0) {
            out += "\u2013";
            i += 1;
          } else if (s.compare(i, 3, "...") == 0) {
            out += "\u2026";
            i += 2;
          } else if (c == '"')
            out += open ? "\u201C" : "\u201D";
          else if (c == '\'')
            out += open ? "\u2018" : "\u2019";
          else
            out += c;
        }
        return out;
      },
      0, 0);
  env.register_filter(
      "jsonify",
      [](const Value& in, Args, const KwArgs&, Context&) -> Value { return to_json(in); }, 0, 0);
  env.register_filter(
      "where",
      [](const Value& in, Args a, const KwArgs&, Context&) -> Value {
        if (in.is_nil()) return in;
        std::string prop = a[0].to_string();
        Array out;
        for (const Value& item : input_array(in))
          if (where_matches(item, prop, a[1])) out.push_back(item);
        return out;
      },
      2, 2);
  env.register_filter(
      "where_exp",
      [](const Value& in, Args a, const KwArgs&, Context& ctx) -> Value {
        if (in.is_nil()) return in;
        std::string var = a[0].to_string(), expr = a[1].to_string();
        Array out;
        for (const Value& item : input_array(in))
          if (condition(ctx, var, expr, item)) out.push_back(item);
        return out;
      },
      2, 2);
  env.register_filter(
      "find",
      [](const Value& in, Args a, const KwArgs&, Context&) -> Value {
        std::string prop = a[0].to_string();
        for (const Value& item : input_array(in))
          if (where_matches(item, prop, a[1])) return item;
        return nullptr;
      },
      2, 2);
  env.register_filter(
      "find_exp",
      [](const Value& in, Args a, const KwArgs&, Context& ctx) -> Value {
        std::string var = a[0].to_string(), expr = a[1].to_string();
        for (const Value& item : input_array(in))
          if (condition(ctx, var, expr, item)) return item;
        return nullptr;
      },
      2, 2);
  auto group = [](const Array& items, auto&& key_of) {
    std::vector<std::pair<std::string, Array>> groups;
    for (const Value& item : items) {
      std::string key = key_of(item);
      auto it = std::find_if(groups.begin(), groups.end(), [&](auto& g) { return g.first == key; });
      if (it == groups.end()) {
        groups.push_back({key, {}});
        it = groups.end() - 1;
      }
      it->second.push_back(item);
    }
    Array out;
    for (auto& [name, members] : groups) {
      int64_t n = int64_t(members.size());
      out.push_back(Hash{{"name", name}, {"items", Value(std::move(members))}, {"size", n}});
    }
    return Value(std::move(out));
  };
  env.register_filter(
      "group_by",
      [group](const Value& in, Args a, const KwArgs&, Context&) -> Value {
        std::string prop = a[0].to_string();
        return group(input_array(in),
                     [&](const Value& item) { return property(item, prop).to_string(); });
      },
      1, 1);
  env.register_filter(
      "group_by_exp",
      [group](const Value& in, Args a, const KwArgs&, Context& ctx) -> Value {
        std::string var = a[0].to_string(), expr = a[1].to_string();
        auto tpl = liquid::Template::parse("{{ " + expr + " }}", "group_by_exp", ctx.env());
        return group(input_array(in), [&](const Value& item) {
          ctx.push_scope();
          ctx.set_local(var, item);
          std::string key = tpl->render(ctx);
          ctx.pop_scope();
          return key;
        });
      },
      2, 2);
  env.register_filter(
      "sort",
      [](const Value& in, Args a, const KwArgs&, Context&) -> Value {
        if (in.is_nil()) throw RenderError("sort: input is nil");
        // Jekyll's sort calls Ruby's Hash#sort on a hash: [key, value] pairs by key.
        Array items;
        if (in.is_hash()) {
          for (const auto& [k, v] : in.as_hash()) items.push_back(Array{Value(k), v});
          if (a.empty()) {
            std::stable_sort(items.begin(), items.end(), [](const Value& x, const Value& y) {
              return x.as_array()[0].to_string() < y.as_array()[0].to_string();
            });
            return items;
          }
        } else {
          items = input_array(in);
        }
        std::string prop = a.size() > 0 ? a[0].to_string() : "";
        bool nils_last = a.size() > 1 && a[1].to_string() == "last";
        auto key = [&](const Value& v) { return prop.empty() ? v : property(v, prop); };
        std::stable_sort(items.begin(), items.end(), [&](const Value& x, const Value& y) {
          Value kx = key(x), ky = key(y);
          if (kx.is_nil() || ky.is_nil()) {
            if (kx.is_nil() && ky.is_nil()) return false;
            return kx.is_nil() != nils_last;
          }
          if (!liquid::comparable(kx, ky)) return kx.to_string() < ky.to_string();
          return liquid::compare(kx, ky) < 0;
        });
        return items;
      },
      0, 2);
  env.register_filter(
      "number_of_words",
      [](const Value& in, Args, const KwArgs&, Context&) -> Value {
        std::string s = in.to_string();
        int64_t n = 0;
        bool in_word = false;
        for (unsigned char c : s) {
          bool space = std::isspace(c);
          if (!space && !in_word) ++n;
          in_word = !space;
        }
        return n;
      },
      0, 1);
  env.register_filter(
      "array_to_sentence_string",
      [](const Value& in, Args a, const KwArgs&, Context&) -> Value {
        Array items = input_array(in);
        std::string connector = a.empty() ? "and" : a[0].to_string();
        if (items.empty()) return "";
        if (items.size() == 1) return items[0].to_string();
        if (items.size() == 2)
          return items[0].to_string() + " " + connector + " " + items[1].to_string();
        std::string out;
        for (size_t i = 0; i + 1 < items.size(); ++i) out += items[i].to_string() + ", ";
        return out + connector + " " + items.back().to_string();
      },
      0, 1);
  env.register_filter(
      "normalize_whitespace",
      [](const Value& in, Args, const KwArgs&, Context&) -> Value {
        std::string out;
        bool space = false;
        for (unsigned char c : in.to_string()) {
          if (std::isspace(c)) {
            space = true;
          } else {
            if (space) out += ' ';
            space = false;
            out += char(c);
          }
        }
        if (space) out += ' ';
        return out;
      },
      0, 0);
  env.register_filter(
      "push",
      [](const Value& in, Args a, const KwArgs&, Context&) -> Value {
        Array items = input_array(in);
        items.push_back(a[0]);
        return items;
      },
      1, 1);
  env.register_filter(
      "unshift",
      [](const Value& in, Args a, const KwArgs&, Context&) -> Value {
        Array items = input_array(in);
        items.insert(items.begin(), a[0]);
        return items;
      },
      1, 1);
  env.register_filter(
      "pop",
      [](const Value& in, Args a, const KwArgs&, Context&) -> Value {
        Array items = input_array(in);
        int64_t n = a.empty() ? 1 : int64_t(a[0].number());
        while (n-- > 0 && !items.empty()) items.pop_back();
        return items;
      },
      0, 1);
  env.register_filter(
      "shift",
      [](const Value& in, Args a, const KwArgs&, Context&) -> Value {
        Array items = input_array(in);
        int64_t n = a.empty() ? 1 : int64_t(a[0].number());
        items.erase(items.begin(), items.begin() + std::min<int64_t>(std::max<int64_t>(n, 0),
                                                                     int64_t(items.size())));
        return items;
      },
      0, 1);
  env.register_filter(
      "sample",
      [](const Value& in, Args a, const KwArgs&, Context&) -> Value {
        // Seeded from the input, so that builds stay reproducible.
        Array items = input_array(in);
        std::mt19937_64 rng(fnv1a(to_json(Value(items))));
        std::shuffle(items.begin(), items.end(), rng);
        if (a.empty()) return items.empty() ? Value(nullptr) : items[0];
        items.resize(std::min<size_t>(items.size(), size_t(std::max(0.0, a[0].number()))));
        return items;
      },
      0, 1);
  env.register_filter(
      "inspect",
      [](const Value& in, Args, const KwArgs&, Context&) -> Value {
        return xml_escape(liquid::inspect(in));
      },
      0, 0);
  env.register_filter(
      "to_integer",
      [](const Value& in, Args, const KwArgs&, Context&) -> Value {
        if (in.is_bool()) return int64_t(in.as_bool() ? 1 : 0);
        if (in.is_number()) return int64_t(in.number());
        return int64_t(std::atoll(in.to_string().c_str()));
      },
      0, 0);
}

}  // namespace mayfly::site
