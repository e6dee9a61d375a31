// Unified diffs and patches.
#include "site/markdown/highlight/lexers.h"

namespace mayfly::site::markdown::syntax {

void lex_diff(Scanner& s) {
  while (!s.done()) {
    std::string_view line = s.rest().substr(0, s.line_len());
    std::string_view cls = "";
    if (line.starts_with("---") || line.starts_with("-") || line.starts_with("<")) {
      cls = "gd";
    } else if (line.starts_with("+") || line.starts_with(">")) {
      cls = "gi";
    } else if (line.starts_with("@@")) {
      cls = "p";
    } else if (line.starts_with("diff ") || line.starts_with("index ") ||
               line.starts_with("Index: ")) {
      cls = "gh";
    }
    // Rouge keeps the line ending inside the span, except for hunk headers.
    const bool newline = s.peek(line.size()) == '\n';
    if (cls == "p" || cls.empty()) {
      s.emit(cls, line.size());
      if (newline) s.emit("", 1);
    } else {
      s.emit(cls, line.size() + (newline ? 1 : 0));
    }
  }
}

}  // namespace mayfly::site::markdown::syntax
