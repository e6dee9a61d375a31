// CSS, SCSS and Sass: selectors, properties, values, at-rules, comments.
#include "site/markdown/highlight/lexers.h"

namespace mayfly::site::markdown::syntax {
namespace {

bool is_css_name(char c) {
  return is_ident_char(c) || c == '-';
}

size_t name_len(const Scanner& s, size_t from) {
  size_t n = from;
  while (is_css_name(s.peek(n))) ++n;
  return n;
}

// Whether the name at the cursor is a property (followed by ':' and a value, not a
// pseudo-class like a:hover).
bool is_property(const Scanner& s, size_t n) {
  size_t k = n;
  while (s.peek(k) == ' ' || s.peek(k) == '\t') ++k;
  if (s.peek(k) != ':') return false;
  char after = s.peek(k + 1);
  return after == ' ' || after == '\t' || after == '\n' || after == '\0' || is_digit(after) ||
         after == '#' || after == '"' || after == '$';
}

}  // namespace

void lex_css(Scanner& s) {
  int depth = 0;
  bool in_value = false;
  while (!s.done()) {
    if (size_t n = s.space_len()) {
      s.emit("", n);
      continue;
    }
    char c = s.peek();
    if (s.at("/*")) {
      s.emit("c", s.until_len("/*", "*/"));
      continue;
    }
    if (s.at("//")) {
      s.emit("c1", s.line_len());
      continue;
    }
    if (c == '"' || c == '\'') {
      s.emit(c == '"' ? "s2" : "s1", s.quoted_len(c, true, false));
      continue;
    }
    if (c == '@') {
      s.emit("k", name_len(s, 1));
      continue;
    }
    if (c == '$' && is_css_name(s.peek(1))) {
      s.emit("nv", name_len(s, 1));
      if (s.peek() == ':') {
        s.emit("p", 1);
        in_value = true;
      }
      continue;
    }
    if (c == '{' || c == '}') {
      depth += c == '{' ? 1 : -1;
      if (depth < 0) depth = 0;
      in_value = false;
      s.emit("p", 1);
      continue;
    }
    if (c == ';') {
      in_value = false;
      s.emit("p", 1);
      continue;
    }
    if (in_value) {
      if (c == '#' && is_ident_char(s.peek(1))) {
        s.emit("m", name_len(s, 1));
        continue;
      }
      if (is_digit(c) || (c == '.' && is_digit(s.peek(1))) ||
          (c == '-' && (is_digit(s.peek(1)) || s.peek(1) == '.'))) {
        size_t n = c == '-' ? 1 : 0;
        while (is_digit(s.peek(n)) || s.peek(n) == '.') ++n;
        while (is_ident_char(s.peek(n)) || s.peek(n) == '%') ++n;  // the unit
        s.emit("m", n);
        continue;
      }
      if (c == '!') {
        s.emit("k", name_len(s, 1));
        continue;
      }
      if (is_css_name(c)) {
        size_t n = name_len(s, 0);
        s.emit(s.peek(n) == '(' ? "nf" : "nb", n);
        continue;
      }
      emit_operator_or_punct(s, "+-*/%=<>!&|^~");
      continue;
    }
    // Selectors and property names.
    if (is_css_name(c) && depth > 0 && is_property(s, name_len(s, 0))) {
      size_t n = name_len(s, 0);
      s.emit("nl", n);
      while (s.peek() == ' ') s.emit("", 1);
      s.emit("p", 1);
      in_value = true;
      continue;
    }
    if (c == '.' && is_css_name(s.peek(1))) {
      s.emit("nc", name_len(s, 1));
      continue;
    }
    if (c == '#' && is_css_name(s.peek(1))) {
      s.emit("nf", name_len(s, 1));
      continue;
    }
    if (c == ':' && is_css_name(s.peek(1 + (s.peek(1) == ':')))) {
      s.emit("nd", name_len(s, s.peek(1) == ':' ? 2 : 1));
      continue;
    }
    if (c == '&') {
      s.emit("nt", 1);
      continue;
    }
    if (is_css_name(c)) {
      s.emit("nt", name_len(s, 0));
      continue;
    }
    if (c == '[') {
      s.emit("p", 1);
      continue;
    }
    emit_operator_or_punct(s, "+>~*=|^$");
  }
}

}  // namespace mayfly::site::markdown::syntax
