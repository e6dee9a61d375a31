#include "site/markdown/raw_html.h"

#include <algorithm>
#include <string>

#include "site/markdown/source_lines.h"

namespace mayfly::site::markdown {
namespace {

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
}

// Elements kramdown treats as span-level (they start a paragraph, not an HTML block) and void
// elements (never closed).
bool is_span_or_void(std::string_view name) {
  static constexpr std::string_view kNames[] = {
      "a",      "abbr", "acronym",  "area",   "b",     "base",   "bdo",  "big",    "br",
      "button", "cite", "code",     "col",    "del",   "dfn",    "em",   "embed",  "hr",
      "i",      "img",  "input",    "kbd",    "label", "link",   "mark", "meta",   "option",
      "q",      "s",    "samp",     "select", "small", "source", "span", "strike", "strong",
      "sub",    "sup",  "textarea", "track",  "tt",    "u",      "var",  "wbr",    "picture"};
  return std::find(std::begin(kNames), std::end(kNames), name) != std::end(kNames);
}

// The lowercased name of the opening tag at the start of `block` (after indentation), or "".
std::string opening_tag(std::string_view block) {
  size_t i = block.find_first_not_of(" \t");
  if (i == std::string_view::npos || block[i] != '<') return {};
  std::string name;
  for (++i; i < block.size() && is_name_char(block[i]); ++i) name.push_back(lower(block[i]));
  if (name.empty() || !(name[0] >= 'a' && name[0] <= 'z')) return {};
  // A self-closing tag opens nothing.
  size_t close = block.find('>', i);
  if (close != std::string_view::npos && close > 0 && block[close - 1] == '/') return {};
  return name;
}

}  // namespace

int raw_html_element_end(const SourceLines& lines, int first_line, int last_line,
                         std::string_view block) {
  const std::string name = opening_tag(block);
  if (name.empty() || is_span_or_void(name)) return 0;
  // kramdown searches to the end of the document; the search is bounded here so that many
  // unclosed elements cannot make rendering quadratic.
  constexpr int kMaxLines = 2000;
  const int last = std::min(lines.count(), first_line + kMaxLines);
  int depth = 0;
  for (int n = first_line; n <= last; ++n) {
    std::string_view line = lines.line(n);
    for (size_t i = 0; i < line.size(); ++i) {
      if (line[i] != '<') continue;
      size_t j = i + 1;
      const bool closing = j < line.size() && line[j] == '/';
      if (closing) ++j;
      if (line.size() - j < name.size()) continue;
      bool match = true;
      for (size_t k = 0; k < name.size() && match; ++k) match = lower(line[j + k]) == name[k];
      if (!match) continue;
      size_t after = j + name.size();
      if (after < line.size() && is_name_char(line[after])) continue;
      if (closing) {
        if (--depth == 0) return n > last_line ? n : 0;
      } else {
        size_t gt = line.find('>', after);
        const bool self_closing = gt != std::string_view::npos && line[gt - 1] == '/';
        if (!self_closing) ++depth;
      }
    }
    if (depth <= 0) return 0;
  }
  return 0;  // never closed: kramdown then keeps the CommonMark reading too
}

}  // namespace mayfly::site::markdown
