#pragma once
// Jekyll front matter: a file that starts with a line of three dashes has a YAML block up
// to the next such line; the rest is the content.
#include <optional>
#include <string>
#include <string_view>

#include "site/liquid/value.h"

namespace mayfly::site {

struct FrontMatter {
  liquid::Value data;        // a Hash (empty when the block is empty)
  std::string_view content;  // the text after the closing line
  int content_line = 1;      // the line the content starts on, for error locations
};

// True when text starts with front matter ("---" followed by a line end).
bool has_front_matter(std::string_view text);

// Splits and parses front matter. Returns nullopt when text has none. An unterminated
// block or invalid YAML throws SourceError at file:line:col.
std::optional<FrontMatter> parse_front_matter(std::string_view text, const std::string& file);

}  // namespace mayfly::site
