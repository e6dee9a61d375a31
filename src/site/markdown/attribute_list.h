// kramdown's block inline attribute lists: a line "{: .class #id key="value"}" right after a
// block (or a paragraph's last line) gives that block's first tag those attributes.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mayfly::site::markdown {

using Attributes = std::vector<std::pair<std::string, std::string>>;

// The attributes of a whole-line IAL ("{: .a #b k="v"}", "{:.a}"); nullopt when the line is
// not one (extensions such as "{::comment}" and "{:toc}" are not attribute lists).
std::optional<Attributes> parse_block_ial(std::string_view line);

// Adds `attrs` to the first start tag at or after `from` in `html`: classes are appended to
// an existing class attribute, an id replaces the existing id, other keys are added.
void apply_attributes(std::string& html, std::size_t from, const Attributes& attrs);

}  // namespace mayfly::site::markdown
