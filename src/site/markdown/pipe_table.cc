#include "site/markdown/pipe_table.h"

namespace mayfly::site::markdown {
namespace {

size_t backtick_run(std::string_view s, size_t i) {
  size_t n = 0;
  while (i + n < s.size() && s[i + n] == '`') ++n;
  return n;
}

// Splits a row into cells at unescaped pipes outside code spans; "\|" becomes "|".
std::vector<std::string> split_cells(std::string_view line) {
  std::vector<std::string> cells(1);
  for (size_t i = 0; i < line.size();) {
    char c = line[i];
    if (c == '\\' && i + 1 < line.size() && line[i + 1] == '|') {
      cells.back().push_back('|');
      i += 2;
      continue;
    }
    if (c == '\\' && i + 1 < line.size()) {
      cells.back().append(line.substr(i, 2));
      i += 2;
      continue;
    }
    if (c == '`') {
      size_t run = backtick_run(line, i);
      size_t close = i + run;
      while ((close = line.find('`', close)) != std::string_view::npos) {
        size_t r = backtick_run(line, close);
        if (r == run) break;
        close += r;
      }
      size_t end = close == std::string_view::npos ? i + run : close + run;
      cells.back().append(line.substr(i, end - i));
      i = end;
      continue;
    }
    if (c == '|') {
      cells.emplace_back();
      ++i;
      continue;
    }
    cells.back().push_back(c);
    ++i;
  }
  auto blank = [](const std::string& s) { return s.find_first_not_of(" \t") == std::string::npos; };
  if (line.find_first_not_of(" \t") != std::string_view::npos &&
      line[line.find_first_not_of(" \t")] == '|' && !cells.empty() && blank(cells.front())) {
    cells.erase(cells.begin());
  }
  if (!cells.empty() && blank(cells.back())) cells.pop_back();
  for (auto& cell : cells) {
    size_t a = cell.find_first_not_of(" \t");
    size_t b = cell.find_last_not_of(" \t");
    cell = a == std::string::npos ? std::string() : cell.substr(a, b - a + 1);
  }
  return cells;
}

// "|---|:--:|" (also with "+" between columns): a separator line; fills in the alignments.
bool is_separator(std::string_view line, std::vector<char>* align) {
  bool dash = false;
  for (char c : line) {
    if (c == '-') {
      dash = true;
    } else if (c != '|' && c != ':' && c != '+' && c != ' ' && c != '\t') {
      return false;
    }
  }
  if (!dash) return false;
  align->clear();
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == '|' || line[i] == '+' || line[i] == ' ')) ++i;
    if (i >= line.size()) break;
    size_t start = i;
    while (i < line.size() && line[i] != '|' && line[i] != '+') ++i;
    std::string_view cell = line.substr(start, i - start);
    while (!cell.empty() && (cell.back() == ' ' || cell.back() == '\t')) cell.remove_suffix(1);
    const bool left = cell.starts_with(':');
    const bool right = cell.ends_with(':');
    align->push_back(left && right ? 'c' : left ? 'l' : right ? 'r' : 0);
  }
  return true;
}

}  // namespace

bool has_cell_separator(std::string_view line) {
  if (line.find('|') == std::string_view::npos) return false;  // most lines: one memchr
  for (size_t i = 0; i < line.size();) {
    char c = line[i];
    if (c == '\\') {
      i += 2;
    } else if (c == '`') {
      size_t run = backtick_run(line, i);
      size_t close = i + run;
      while ((close = line.find('`', close)) != std::string_view::npos) {
        size_t r = backtick_run(line, close);
        if (r == run) break;
        close += r;
      }
      i = close == std::string_view::npos ? i + run : close + run;
    } else if (c == '|') {
      return true;
    } else {
      ++i;
    }
  }
  return false;
}

std::optional<PipeTable> parse_pipe_table(const std::vector<std::string_view>& lines) {
  if (lines.empty()) return std::nullopt;
  for (std::string_view line : lines) {
    if (!has_cell_separator(line)) return std::nullopt;
  }
  PipeTable table;
  std::vector<std::vector<std::string>> rows;
  bool separated = false;
  for (std::string_view line : lines) {
    std::vector<char> align;
    if (is_separator(line, &align)) {
      if (!separated && !rows.empty()) {
        table.head = std::move(rows);
        rows.clear();
      }
      if (!separated) table.align = std::move(align);
      separated = true;
      continue;
    }
    rows.push_back(split_cells(line));
  }
  table.body = std::move(rows);
  return table;
}

}  // namespace mayfly::site::markdown
