// Markdown source shown as code: headings, emphasis, code, links, lists, quotes.
#include "site/markdown/highlight/lexers.h"

namespace mayfly::site::markdown::syntax {

void lex_markdown(Scanner& s) {
  bool in_fence = false;
  while (!s.done()) {
    std::string_view line = s.rest().substr(0, s.line_len());
    if (line.starts_with("```") || line.starts_with("~~~")) {
      in_fence = !in_fence;
      s.emit("sb", line.size());
    } else if (in_fence) {
      s.emit("sb", line.size());
    } else if (line.starts_with("#")) {
      s.emit("gh", line.size());
    } else if (line.starts_with("    ") || line.starts_with("\t")) {
      s.emit("sb", line.size());
    } else {
      size_t indent = line.find_first_not_of(' ');
      if (indent == line.npos) indent = line.size();
      s.emit("", indent);
      line.remove_prefix(indent);
      if (line.starts_with("> ") || line == ">") {
        s.emit("o", 1);  // (the rest of the quoted line below)
      } else if ((line.starts_with("- ") || line.starts_with("* ") || line.starts_with("+ "))) {
        s.emit("o", 1);
      }
      // Inline spans on the rest of the line.
      while (s.peek() != '\n' && !s.done()) {
        char c = s.peek();
        if (c == '`') {
          size_t n = 1;
          while (s.peek(n) != '\0' && s.peek(n) != '`' && s.peek(n) != '\n') ++n;
          s.emit("sb", s.peek(n) == '`' ? n + 1 : n);
        } else if ((c == '*' || c == '_') && s.peek(1) == c) {
          std::string_view mark = s.rest().substr(0, 2);
          size_t n = s.until_len(mark, mark);
          std::string_view span = s.rest().substr(0, n);
          s.emit(span.find('\n') == span.npos ? "gs" : "", span.find('\n') == span.npos ? n : 2);
        } else if (c == '[') {
          size_t n = 1;
          while (s.peek(n) != '\0' && s.peek(n) != ']' && s.peek(n) != '\n') ++n;
          s.emit("nv", s.peek(n) == ']' ? n + 1 : n);
          if (s.peek() == '(') {
            size_t k = 1;
            while (s.peek(k) != '\0' && s.peek(k) != ')' && s.peek(k) != '\n') ++k;
            s.emit("na", s.peek(k) == ')' ? k + 1 : k);
          }
        } else {
          size_t n = 1;
          while (s.peek(n) != '\0' && s.peek(n) != '\n' &&
                 std::string_view("`*_[").find(s.peek(n)) == std::string_view::npos) {
            ++n;
          }
          s.emit("", n);
        }
      }
      if (s.peek() == '\n') s.emit("", 1);
      continue;
    }
    if (s.peek() == '\n') s.emit("", 1);
  }
}

}  // namespace mayfly::site::markdown::syntax
