// kramdown's tables without a delimiter row: a block whose every line holds an unescaped "|"
// (outside code spans) is a table, "a | b" lines and all. GFM proper needs a delimiter row,
// so cmark reads such a block as a paragraph; this finds them again.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mayfly::site::markdown {

struct PipeTable {
  std::vector<std::vector<std::string>> head;  // rows above a separator line (|---|)
  std::vector<std::vector<std::string>> body;
  std::vector<char> align;  // per column: 'l', 'c', 'r' or 0, from the separator line
};

// `lines` are the paragraph's source lines with container markers removed.
std::optional<PipeTable> parse_pipe_table(const std::vector<std::string_view>& lines);

// Whether `line` holds a "|" that is neither escaped nor inside a code span.
bool has_cell_separator(std::string_view line);

}  // namespace mayfly::site::markdown
