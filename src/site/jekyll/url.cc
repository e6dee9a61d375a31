#include "site/jekyll/url.h"

#include <algorithm>

namespace mayfly::site {
namespace {

bool is_alnum_byte(unsigned char c) {
  // Bytes of multi-byte UTF-8 sequences count as letters, as Ruby's [[:alnum:]] does for
  // the letters they encode.
  return std::isalnum(c) || c >= 0x80;
}

bool keep_in_pretty(unsigned char c) {
  return is_alnum_byte(c) ||
         std::string_view("._~!$&'()+,;=@").find(char(c)) != std::string_view::npos;
}

}  // namespace

SlugMode slug_mode(std::string_view name) {
  if (name == "none") return SlugMode::None;
  if (name == "raw") return SlugMode::Raw;
  if (name == "pretty") return SlugMode::Pretty;
  if (name == "ascii") return SlugMode::Ascii;
  if (name == "latin") return SlugMode::Latin;
  return SlugMode::Default;
}

std::string slugify(std::string_view text, SlugMode mode, bool cased) {
  std::string out;
  if (mode == SlugMode::None) {
    out = std::string(text);
  } else {
    bool in_sep = false;
    for (unsigned char c : text) {
      bool keep;
      switch (mode) {
        case SlugMode::Raw:
          keep = !std::isspace(c);
          break;
        case SlugMode::Pretty:
          keep = keep_in_pretty(c);
          break;
        case SlugMode::Ascii:
        case SlugMode::Latin:
          keep = c < 0x80 && std::isalnum(c);
          break;
        default:
          keep = is_alnum_byte(c);
          break;
      }
      if (keep) {
        out += char(c);
        in_sep = false;
      } else if (!in_sep) {
        out += '-';
        in_sep = true;
      }
    }
    // Jekyll strips one leading and one trailing hyphen.
    if (!out.empty() && out.front() == '-') out.erase(0, 1);
    if (!out.empty() && out.back() == '-') out.pop_back();
  }
  if (!cased)
    for (char& c : out)
      if (static_cast<unsigned char>(c) < 0x80)
        c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string post_permalink_template(std::string_view style) {
  if (style == "date") return "/:categories/:year/:month/:day/:title:output_ext";
  if (style == "pretty") return "/:categories/:year/:month/:day/:title/";
  if (style == "ordinal") return "/:categories/:year/:y_day/:title:output_ext";
  if (style == "weekdate") return "/:categories/:year/W:week/:short_day/:title:output_ext";
  if (style == "none") return "/:categories/:title:output_ext";
  return std::string(style);
}

std::string add_permalink_suffix(std::string tmpl, std::string_view style) {
  if (style == "pretty") return tmpl + "/";
  // Jekyll::Utils.add_permalink_suffix lists date, ordinal and none, but not weekdate: with
  // weekdate, pages get URLs without an extension (files still end in .html).
  if (style == "date" || style == "ordinal" || style == "none") return tmpl + ":output_ext";
  if (style.ends_with("/")) tmpl += "/";
  if (style.ends_with(":output_ext")) tmpl += ":output_ext";
  return tmpl;
}

std::string percent_encode(std::string_view s, std::string_view keep) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || keep.find(char(c)) != std::string_view::npos) {
      out += char(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string escape_path(std::string_view s) {
  return percent_encode(s, "-._~!$&'()*+,;=:@/");
}

std::string normalize_url(std::string_view s) {
  return percent_encode(s, "-._~!$&'()*+,;=:@/?#[]%");
}

std::string xml_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string unescape_path(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += char(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string expand_url(std::string_view tmpl, const std::vector<Placeholder>& placeholders) {
  std::vector<const Placeholder*> order;
  for (const auto& p : placeholders) order.push_back(&p);
  std::stable_sort(order.begin(), order.end(), [](const Placeholder* a, const Placeholder* b) {
    return a->name.size() > b->name.size();
  });
  std::string url(tmpl);
  for (const Placeholder* p : order) {
    if (url.find(':') == std::string::npos) break;
    std::string token = ":" + p->name;
    if (!p->present) {
      // An absent value takes its leading slash with it, so no "//" is left.
      std::string slash_token = "/" + token;
      for (size_t at; (at = url.find(slash_token)) != std::string::npos;)
        url.erase(at, slash_token.size());
      for (size_t at; (at = url.find(token)) != std::string::npos;) url.erase(at, token.size());
      continue;
    }
    std::string value = escape_path(p->value);
    for (size_t at = 0; (at = url.find(token, at)) != std::string::npos;) {
      url.replace(at, token.size(), value);
      at += value.size();
    }
  }
  // Jekyll::URL#sanitize_url: drop "/./" and "/../", collapse slashes, one leading slash.
  for (size_t at; (at = url.find("/./")) != std::string::npos;) url.replace(at, 3, "/");
  for (size_t at; (at = url.find("/../")) != std::string::npos;) url.replace(at, 4, "/");
  std::string clean;
  for (char c : url)
    if (!(c == '/' && !clean.empty() && clean.back() == '/')) clean += c;
  if (clean.empty() || clean.front() != '/') clean.insert(clean.begin(), '/');
  return clean;
}

std::string output_path_for_url(std::string_view url, std::string_view output_ext) {
  std::string path = unescape_path(url);
  while (!path.empty() && path.front() == '/') path.erase(0, 1);
  if (path.empty() || path.back() == '/') return path + "index" + std::string(output_ext);
  if (!output_ext.empty() && !path.ends_with(output_ext)) path += output_ext;
  return path;
}

}  // namespace mayfly::site
