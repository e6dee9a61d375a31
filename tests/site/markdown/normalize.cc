#include "normalize.h"

#include <algorithm>
#include <cstdint>
#include <string>

namespace mayfly::site::markdown::testing {
namespace {

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x110000) {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Decodes the entities of `s` (numeric ones and the common named ones).
std::string decode_entities(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out.push_back(s[i]);
      continue;
    }
    size_t semi = s.find(';', i);
    if (semi == std::string_view::npos || semi - i > 10) {
      out.push_back('&');
      continue;
    }
    std::string_view name = s.substr(i + 1, semi - i - 1);
    uint32_t cp = 0;
    if (name.starts_with("#x") || name.starts_with("#X")) {
      cp = static_cast<uint32_t>(
          std::stoul(std::string("0") + std::string(name.substr(2)), nullptr, 16));
    } else if (name.starts_with("#")) {
      cp = static_cast<uint32_t>(std::stoul(std::string("0") + std::string(name.substr(1))));
    } else if (name == "amp") {
      cp = '&';
    } else if (name == "lt") {
      cp = '<';
    } else if (name == "gt") {
      cp = '>';
    } else if (name == "quot") {
      cp = '"';
    } else if (name == "apos") {
      cp = '\'';
    } else if (name == "nbsp") {
      cp = 0xA0;
    } else {
      out.push_back('&');
      continue;
    }
    append_utf8(out, cp);
    i = semi;
  }
  return out;
}

// Typographic characters → ASCII, no-break spaces → spaces.
std::string normalize_typography(std::string_view s) {
  static const std::pair<std::string_view, std::string_view> kMap[] = {
      {"\u2018", "'"},   {"\u2019", "'"},  {"\u201C", "\""}, {"\u201D", "\""},
      {"\u00AB", "\""},  {"\u00BB", "\""}, {"\u2013", "-"},  {"\u2014", "-"},
      {"\u2026", "..."}, {"\u00A0", " "},  {"--", "-"},
  };
  std::string out;
  for (size_t i = 0; i < s.size();) {
    bool replaced = false;
    for (const auto& [from, to] : kMap) {
      if (s.substr(i).starts_with(from)) {
        out.append(to);
        i += from.size();
        replaced = true;
        break;
      }
    }
    if (!replaced) out.push_back(s[i++]);
  }
  // "---" became "--" then "-"; repeat until stable.
  while (out.find("--") != std::string::npos) {
    std::string again;
    for (size_t i = 0; i < out.size(); ++i) {
      if (out[i] == '-' && !again.empty() && again.back() == '-') continue;
      again.push_back(out[i]);
    }
    out = std::move(again);
  }
  return out;
}

bool is_block_tag(std::string_view name) {
  static const std::string_view kBlocks[] = {
      "p",          "div", "li",      "ul",         "ol",      "h1",      "h2",
      "h3",         "h4",  "h5",      "h6",         "pre",     "table",   "thead",
      "tbody",      "tr",  "td",      "th",         "hr",      "br",      "dl",
      "dt",         "dd",  "section", "blockquote", "details", "summary", "figure",
      "figcaption", "img", "header",  "footer",     "nav",     "article", "aside"};
  return std::find(std::begin(kBlocks), std::end(kBlocks), name) != std::end(kBlocks);
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return out;
}

// The value of attribute `name` in a tag's source, or npos-marked empty.
bool attribute(std::string_view tag, std::string_view name, std::string* value) {
  std::string lowered = lower(tag);
  size_t at = 0;
  while ((at = lowered.find(name, at)) != std::string::npos) {
    bool boundary =
        at > 0 && (lowered[at - 1] == ' ' || lowered[at - 1] == '\n' || lowered[at - 1] == '\t');
    size_t eq = at + name.size();
    while (eq < tag.size() && tag[eq] == ' ') ++eq;
    if (!boundary || eq >= tag.size() || tag[eq] != '=') {
      at += name.size();
      continue;
    }
    size_t v = eq + 1;
    while (v < tag.size() && tag[v] == ' ') ++v;
    if (v < tag.size() && (tag[v] == '"' || tag[v] == '\'')) {
      size_t end = tag.find(tag[v], v + 1);
      if (end == std::string_view::npos) end = tag.size();
      *value = decode_entities(tag.substr(v + 1, end - v - 1));
    } else {
      size_t end = tag.find_first_of(" \t\n>", v);
      if (end == std::string_view::npos) end = tag.size();
      *value = decode_entities(tag.substr(v, end - v));
    }
    return true;
  }
  return false;
}

std::string collapse_whitespace(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

}  // namespace

Summary summarize(std::string_view html) {
  Summary sum;
  std::string raw_text;
  size_t i = 0;
  while (i < html.size()) {
    // As browsers do, "<" starts a tag only before a letter, "/", "!" or "?".
    const char after = i + 1 < html.size() ? html[i + 1] : '\0';
    const bool tag_start =
        html[i] == '<' && ((after >= 'a' && after <= 'z') || (after >= 'A' && after <= 'Z') ||
                           after == '/' || after == '!' || after == '?');
    if (!tag_start) {
      size_t next = html.find('<', i + 1);
      if (next == std::string_view::npos) next = html.size();
      raw_text.append(html.substr(i, next - i));
      i = next;
      continue;
    }
    if (html.substr(i).starts_with("<!--")) {
      size_t end = html.find("-->", i + 4);
      i = end == std::string_view::npos ? html.size() : end + 3;
      continue;
    }
    size_t end = html.find('>', i);
    if (end == std::string_view::npos) {
      raw_text.append(html.substr(i));
      break;
    }
    std::string_view tag = html.substr(i + 1, end - i - 1);
    bool closing = tag.starts_with("/");
    if (closing) tag.remove_prefix(1);
    size_t name_end = 0;
    while (name_end < tag.size() && tag[name_end] != ' ' && tag[name_end] != '\n' &&
           tag[name_end] != '\t' && tag[name_end] != '/') {
      ++name_end;
    }
    std::string name = lower(tag.substr(0, name_end));
    i = end + 1;
    if (!closing && (name == "script" || name == "style")) {
      size_t close = lower(html.substr(i)).find("</" + name);
      i = close == std::string::npos ? html.size() : i + close;
      continue;
    }
    if (is_block_tag(name)) raw_text.push_back(' ');
    if (closing) continue;
    std::string value;
    if (name.size() == 2 && name[0] == 'h' && name[1] >= '1' && name[1] <= '6' &&
        attribute(tag, "id", &value)) {
      sum.heading_ids.push_back(value);
    }
    if (name == "a" && attribute(tag, "href", &value)) sum.links.push_back(value);
    if ((name == "div" || name == "code" || name == "pre") && attribute(tag, "class", &value)) {
      size_t at = value.find("language-");
      if (at != std::string::npos) {
        size_t stop = value.find(' ', at);
        sum.code_languages.push_back(
            value.substr(at + 9, stop == std::string::npos ? std::string::npos : stop - at - 9));
      }
    }
  }
  sum.text = collapse_whitespace(normalize_typography(decode_entities(raw_text)));
  return sum;
}

namespace {

std::string first_difference(std::string_view a, std::string_view b) {
  size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  size_t from = i > 60 ? i - 60 : 0;
  return "\n    expected: …" + std::string(a.substr(from, 140)) + "\n    actual:   …" +
         std::string(b.substr(from, 140));
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : " ") + s;
  return out;
}

}  // namespace

std::string describe_difference(const Summary& expected, const Summary& actual) {
  std::string out;
  if (expected.text != actual.text)
    out += "  text:" + first_difference(expected.text, actual.text) + "\n";
  if (expected.heading_ids != actual.heading_ids) {
    out +=
        "  heading ids:" + first_difference(join(expected.heading_ids), join(actual.heading_ids)) +
        "\n";
  }
  if (expected.links != actual.links) {
    out += "  links:" + first_difference(join(expected.links), join(actual.links)) + "\n";
  }
  if (expected.code_languages != actual.code_languages) {
    out += "  code languages:" +
           first_difference(join(expected.code_languages), join(actual.code_languages)) + "\n";
  }
  return out;
}

}  // namespace mayfly::site::markdown::testing
