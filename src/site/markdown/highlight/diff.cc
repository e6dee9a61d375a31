// Unified diffs and patches.
#include "site/markdown/highlight/lexers.h"

namespace mayfly::site::markdown::syntax {

void lex_diff(Scanner& s) {
  while (!s.done()) {
    std::string_view line = s.rest().substr(0, s.line_len());
    std::string_view cls = "";
    if (line.starts_with("+++") || line.starts_with("---") || line.starts_with("diff ") ||
        line.starts_with("index ") || line.starts_with("Index: ")) {
      cls = "gh";
    } else if (line.starts_with("@@")) {
      cls = "gu";
    } else if (line.starts_with("+") || line.starts_with(">")) {
      cls = "gi";
    } else if (line.starts_with("-") || line.starts_with("<")) {
      cls = "gd";
    }
    s.emit(cls, line.size());
    if (s.peek() == '\n') s.emit("", 1);
  }
}

}  // namespace mayfly::site::markdown::syntax
