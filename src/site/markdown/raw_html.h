// kramdown keeps an HTML block raw up to the tag that closes its first element, blank lines and
// Markdown inside included (parse_block_html is off in Jekyll); CommonMark ends the block at the
// first blank line and parses Markdown after it.
#pragma once

#include <string_view>

namespace mayfly::site::markdown {

class SourceLines;

// For an HTML block starting on `first_line` with the text `block`: the line on which the
// element its first tag opens is closed, if that is after `last_line`; otherwise 0.
int raw_html_element_end(const SourceLines& lines, int first_line, int last_line,
                         std::string_view block);

}  // namespace mayfly::site::markdown
