// String filters.
#include <algorithm>
#include <cctype>

#include "site/liquid/filters_util.h"

namespace mayfly::site::liquid {

namespace {

using detail::arg;
using detail::str;

using Args = std::span<const Value>;

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r' || c == '\0';
}

std::string lstrip(std::string s) {
  std::size_t i = 0;
  while (i < s.size() && is_space(s[i])) ++i;
  return s.substr(i);
}

std::string rstrip(std::string s) {
  while (!s.empty() && is_space(s.back())) s.pop_back();
  return s;
}

std::string replace_all(const std::string& s, const std::string& from, const std::string& to) {
  if (from.empty()) {
    // Ruby's gsub("", x) inserts x between every character.
    std::string out = to;
    for (char c : s) {
      out += c;
      out += to;
    }
    return out;
  }
  std::string out;
  std::size_t i = 0;
  for (std::size_t f = s.find(from); f != std::string::npos; f = s.find(from, i)) {
    out.append(s, i, f - i);
    out += to;
    i = f + from.size();
  }
  out.append(s, i, std::string::npos);
  return out;
}

std::string replace_first(const std::string& s, const std::string& from, const std::string& to) {
  auto f = s.find(from);
  if (f == std::string::npos) return s;
  return s.substr(0, f) + to + s.substr(f + from.size());
}

std::string replace_last(const std::string& s, const std::string& from, const std::string& to) {
  auto f = s.rfind(from);
  if (f == std::string::npos) return s;
  return s.substr(0, f) + to + s.substr(f + from.size());
}

std::string escape_html(const std::string& s, bool once) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    switch (c) {
      case '&': {
        if (once) {
          // Leave an existing entity (&name; or &#123;) alone.
          std::size_t j = i + 1;
          if (j < s.size() && s[j] == '#') {
            ++j;
            std::size_t d = j;
            while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
            if (j > d && j < s.size() && s[j] == ';') {
              out += '&';
              break;
            }
          } else {
            std::size_t d = j;
            while (j < s.size() && std::isalpha(static_cast<unsigned char>(s[j]))) ++j;
            if (j > d && j < s.size() && s[j] == ';') {
              out += '&';
              break;
            }
          }
        }
        out += "&amp;";
        break;
      }
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Removes `<open ...>...</open>` blocks, case-insensitively.
std::string remove_blocks(const std::string& s, const std::string& open, const std::string& close) {
  std::string low = lower(s);
  std::string out;
  std::size_t i = 0;
  for (;;) {
    auto b = low.find(open, i);
    if (b == std::string::npos) break;
    auto e = low.find(close, b + open.size());
    if (e == std::string::npos) break;
    out.append(s, i, b - i);
    i = e + close.size();
  }
  out.append(s, i, std::string::npos);
  return out;
}

std::string strip_html(const std::string& in) {
  std::string s = remove_blocks(in, "<script", "</script>");
  s = remove_blocks(s, "<!--", "-->");
  s = remove_blocks(s, "<style", "</style>");
  std::string out;
  std::size_t i = 0;
  for (;;) {
    auto b = s.find('<', i);
    if (b == std::string::npos) break;
    auto e = s.find('>', b + 1);
    if (e == std::string::npos) break;
    out.append(s, i, b - i);
    i = e + 1;
  }
  out.append(s, i, std::string::npos);
  return out;
}

// UTF-8 aware character positions.
std::vector<std::size_t> char_starts(const std::string& s) {
  std::vector<std::size_t> v;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) v.push_back(i);
  }
  return v;
}

// Ruby's str.split(" ") / split(" ", limit): runs of whitespace, leading ignored.
std::vector<std::string> split_ws(const std::string& s, std::size_t limit = 0) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && is_space(s[i]) && s[i] != '\0') ++i;
    if (i >= s.size()) break;
    if (limit && out.size() + 1 == limit) {
      out.push_back(s.substr(i));
      return out;
    }
    std::size_t b = i;
    while (i < s.size() && !(is_space(s[i]) && s[i] != '\0')) ++i;
    out.push_back(s.substr(b, i - b));
  }
  return out;
}

Value split(const Value& in, Args args, const KwArgs&, Context&) {
  std::string s = str(in);
  std::string sep = str(arg(args, 0));
  Array out;
  if (s.empty()) return out;
  if (sep == " ") {
    for (auto& w : split_ws(s)) out.emplace_back(std::move(w));
    return out;
  }
  if (sep.empty()) {
    auto starts = char_starts(s);
    for (std::size_t k = 0; k < starts.size(); ++k) {
      std::size_t e = k + 1 < starts.size() ? starts[k + 1] : s.size();
      out.emplace_back(s.substr(starts[k], e - starts[k]));
    }
    return out;
  }
  std::size_t i = 0;
  for (std::size_t f = s.find(sep); f != std::string::npos; f = s.find(sep, i)) {
    out.emplace_back(s.substr(i, f - i));
    i = f + sep.size();
  }
  out.emplace_back(s.substr(i));
  while (!out.empty() && out.back().as_string().empty()) out.pop_back();
  return out;
}

Value truncate(const Value& in, Args args, const KwArgs&, Context&) {
  if (in.is_nil()) return {};
  std::int64_t length = args.size() > 0 ? detail::to_integer(args[0], "truncate") : 50;
  if (in.is_string() && length >= 0 && in.as_string().size() <= static_cast<std::size_t>(length)) {
    return in;  // short enough whatever its characters
  }
  std::string s = str(in);
  std::string ellipsis = args.size() > 1 ? str(args[1]) : "...";
  auto starts = char_starts(s);
  auto n = static_cast<std::int64_t>(starts.size());
  if (n <= length) return s;
  std::int64_t l = length - static_cast<std::int64_t>(char_starts(ellipsis).size());
  if (l < 0) l = 0;
  return s.substr(0, static_cast<std::size_t>(l) < starts.size()
                         ? starts[static_cast<std::size_t>(l)]
                         : s.size()) +
         ellipsis;
}

Value truncatewords(const Value& in, Args args, const KwArgs&, Context&) {
  if (in.is_nil()) return {};
  std::string s = str(in);
  std::int64_t words = args.size() > 0 ? detail::to_integer(args[0], "truncatewords") : 15;
  std::string ellipsis = args.size() > 1 ? str(args[1]) : "...";
  if (words <= 0) words = 1;
  auto list = split_ws(s, static_cast<std::size_t>(words) + 1);
  if (static_cast<std::int64_t>(list.size()) <= words) return s;
  list.pop_back();
  std::string out;
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (i) out += ' ';
    out += list[i];
  }
  return out + ellipsis;
}

Value slice(const Value& in, Args args, const KwArgs&, Context&) {
  std::int64_t offset = detail::to_integer(arg(args, 0), "slice");
  std::int64_t length =
      args.size() > 1 && !args[1].is_nil() ? detail::to_integer(args[1], "slice") : 1;
  if (in.is_array()) {
    const Array& a = in.as_array();
    auto n = static_cast<std::int64_t>(a.size());
    if (offset < 0) offset += n;
    if (offset < 0 || offset > n || length < 0) return Array{};
    std::int64_t e = length >= n - offset ? n : offset + length;
    return Array(a.begin() + offset, a.begin() + e);
  }
  std::string s = str(in);
  auto starts = char_starts(s);
  auto n = static_cast<std::int64_t>(starts.size());
  if (offset < 0) offset += n;
  if (offset < 0 || offset > n || length < 0) return std::string();
  std::int64_t e = length >= n - offset ? n : offset + length;
  auto pos = [&](std::int64_t k) {
    return k >= n ? s.size() : starts[static_cast<std::size_t>(k)];
  };
  return s.substr(pos(offset), pos(e) - pos(offset));
}

const char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string b64encode(const std::string& s, bool url) {
  std::string out;
  std::size_t i = 0;
  auto ch = [&](unsigned v) {
    char c = kB64[v & 63];
    if (url && c == '+') c = '-';
    if (url && c == '/') c = '_';
    return c;
  };
  while (i + 2 < s.size()) {
    unsigned v = (static_cast<unsigned char>(s[i]) << 16) |
                 (static_cast<unsigned char>(s[i + 1]) << 8) | static_cast<unsigned char>(s[i + 2]);
    out += ch(v >> 18);
    out += ch(v >> 12);
    out += ch(v >> 6);
    out += ch(v);
    i += 3;
  }
  if (i + 1 == s.size()) {
    unsigned v = static_cast<unsigned char>(s[i]) << 16;
    out += ch(v >> 18);
    out += ch(v >> 12);
    out += "==";
  } else if (i + 2 == s.size()) {
    unsigned v =
        (static_cast<unsigned char>(s[i]) << 16) | (static_cast<unsigned char>(s[i + 1]) << 8);
    out += ch(v >> 18);
    out += ch(v >> 12);
    out += ch(v >> 6);
    out += '=';
  }
  return out;
}

std::string b64decode(std::string s, bool url) {
  if (url) {
    while (s.size() % 4) s += '=';
  }
  if (s.size() % 4) throw RenderError("invalid base64");
  std::string out;
  for (std::size_t i = 0; i < s.size(); i += 4) {
    unsigned v = 0;
    int pad = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      char c = s[i + k];
      int d;
      if (c >= 'A' && c <= 'Z')
        d = c - 'A';
      else if (c >= 'a' && c <= 'z')
        d = c - 'a' + 26;
      else if (c >= '0' && c <= '9')
        d = c - '0' + 52;
      else if (c == (url ? '-' : '+'))
        d = 62;
      else if (c == (url ? '_' : '/'))
        d = 63;
      else if (c == '=' && i + 4 == s.size() && k >= 2) {
        d = 0;
        ++pad;
      } else {
        throw RenderError("invalid base64");
      }
      if (pad && c != '=') throw RenderError("invalid base64");
      v = (v << 6) | static_cast<unsigned>(d);
    }
    out += static_cast<char>((v >> 16) & 0xFF);
    if (pad < 2) out += static_cast<char>((v >> 8) & 0xFF);
    if (pad < 1) out += static_cast<char>(v & 0xFF);
  }
  return out;
}

std::string url_encode(const std::string& s) {
  static const char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '_' || c == '.' || c == '-' || c == '~') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string url_decode(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() + 0 &&
               std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

template <typename F>
void unary(Environment& env, const char* name, F f) {
  env.register_filter(
      name, [f](const Value& in, Args, const KwArgs&, Context&) -> Value { return f(in); }, 0, 0);
}

template <typename F>
void binary(Environment& env, const char* name, F f) {
  env.register_filter(
      name,
      [f](const Value& in, Args args, const KwArgs&, Context&) -> Value {
        return f(str(in), str(args[0]));
      },
      1, 1);
}

}  // namespace

void register_string_filters(Environment& env) {
  binary(env, "append", [](const std::string& a, const std::string& b) { return a + b; });
  binary(env, "prepend", [](const std::string& a, const std::string& b) { return b + a; });
  binary(env, "remove",
         [](const std::string& a, const std::string& b) { return replace_all(a, b, ""); });
  binary(env, "remove_first",
         [](const std::string& a, const std::string& b) { return replace_first(a, b, ""); });
  binary(env, "remove_last",
         [](const std::string& a, const std::string& b) { return replace_last(a, b, ""); });
  env.register_filter(
      "replace",
      [](const Value& in, Args args, const KwArgs&, Context&) -> Value {
        return replace_all(str(in), str(args[0]), str(arg(args, 1)));
      },
      1, 2);
  env.register_filter(
      "replace_first",
      [](const Value& in, Args args, const KwArgs&, Context&) -> Value {
        return replace_first(str(in), str(args[0]), str(arg(args, 1)));
      },
      1, 2);
  env.register_filter(
      "replace_last",
      [](const Value& in, Args args, const KwArgs&, Context&) -> Value {
        return replace_last(str(in), str(args[0]), str(args[1]));
      },
      2, 2);
  unary(env, "capitalize", [](const Value& in) {
    std::string s = lower(str(in));
    if (!s.empty()) s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
    return s;
  });
  unary(env, "downcase", [](const Value& in) { return lower(str(in)); });
  unary(env, "upcase", [](const Value& in) {
    std::string s = str(in);
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
  });
  unary(env, "escape", [](const Value& in) -> Value {
    if (in.is_nil()) return {};
    return escape_html(str(in), false);
  });
  unary(env, "h", [](const Value& in) -> Value {
    if (in.is_nil()) return {};
    return escape_html(str(in), false);
  });
  unary(env, "escape_once", [](const Value& in) { return escape_html(str(in), true); });
  unary(env, "lstrip", [](const Value& in) { return lstrip(str(in)); });
  unary(env, "rstrip", [](const Value& in) { return rstrip(str(in)); });
  unary(env, "strip", [](const Value& in) { return lstrip(rstrip(str(in))); });
  unary(env, "newline_to_br", [](const Value& in) {
    std::string s = str(in), out;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') continue;
      if (s[i] == '\n') {
        out += "<br />\n";
      } else {
        out += s[i];
      }
    }
    return out;
  });
  unary(env, "strip_newlines", [](const Value& in) {
    std::string s = str(in), out;
    for (char c : s) {
      if (c != '\n' && c != '\r') out += c;
    }
    return out;
  });
  unary(env, "strip_html", [](const Value& in) { return strip_html(str(in)); });
  unary(env, "url_encode", [](const Value& in) -> Value {
    if (in.is_nil()) return {};
    return url_encode(str(in));
  });
  unary(env, "url_decode", [](const Value& in) -> Value {
    if (in.is_nil()) return {};
    return url_decode(str(in));
  });
  unary(env, "base64_encode", [](const Value& in) { return b64encode(str(in), false); });
  unary(env, "base64_decode", [](const Value& in) { return b64decode(str(in), false); });
  unary(env, "base64_url_safe_encode", [](const Value& in) { return b64encode(str(in), true); });
  unary(env, "base64_url_safe_decode", [](const Value& in) { return b64decode(str(in), true); });
  env.register_filter("split", split, 1, 1);
  env.register_filter("truncate", truncate, 0, 2);
  env.register_filter("truncatewords", truncatewords, 0, 2);
  env.register_filter("slice", slice, 1, 2);
}

}  // namespace mayfly::site::liquid
