// HTML and XML: tags, attributes, comments, doctypes and entities.
#include "site/markdown/highlight/lexers.h"

namespace mayfly::site::markdown::syntax {
namespace {

bool is_name_char(char c) {
  return is_ident_char(c) || c == '-' || c == ':' || c == '.';
}

void lex_tag(Scanner& s) {
  // "<name" or "</name" as one tag token, then attributes, then ">" or "/>".
  size_t n = s.peek(1) == '/' ? 2 : 1;
  while (is_name_char(s.peek(n))) ++n;
  s.emit("nt", n);
  while (!s.done()) {
    if (size_t b = s.space_len()) {
      s.emit("", b);
      continue;
    }
    char c = s.peek();
    if (c == '>') {
      s.emit("nt", 1);
      return;
    }
    if (c == '/' && s.peek(1) == '>') {
      s.emit("nt", 2);
      return;
    }
    if (c == '<') return;  // malformed: let the caller start over
    if (c == '"' || c == '\'') {
      s.emit("s", s.quoted_len(c, false, true));
      continue;
    }
    size_t a = 0;
    while (s.peek(a) != '\0' && s.peek(a) != '=' && s.peek(a) != '>' && s.peek(a) != ' ' &&
           s.peek(a) != '\n' && s.peek(a) != '\t' && !(s.peek(a) == '/' && s.peek(a + 1) == '>')) {
      ++a;
    }
    if (s.peek(a) == '=') {
      s.emit("na", a + 1);  // name= as Rouge writes it
    } else {
      s.emit(a == 0 ? "err" : "na", a == 0 ? 1 : a);
    }
  }
}

}  // namespace

void lex_markup(Scanner& s) {
  while (!s.done()) {
    char c = s.peek();
    if (s.at("<!--")) {
      s.emit("c", s.until_len("<!--", "-->"));
      continue;
    }
    if (s.at("<![CDATA[")) {
      s.emit("cp", s.until_len("<![CDATA[", "]]>"));
      continue;
    }
    if (s.at("<!") || s.at("<?")) {
      s.emit("cp", s.until_len("<", ">"));
      continue;
    }
    if (c == '<' &&
        (is_ident_start(s.peek(1)) || (s.peek(1) == '/' && is_ident_start(s.peek(2))))) {
      lex_tag(s);
      continue;
    }
    if (c == '&') {
      size_t n = 1;
      while (n < 12 && (is_ident_char(s.peek(n)) || s.peek(n) == '#')) ++n;
      if (s.peek(n) == ';') {
        s.emit("ni", n + 1);
        continue;
      }
    }
    size_t n = 1;
    while (s.peek(n) != '\0' && s.peek(n) != '<' && s.peek(n) != '&') ++n;
    s.emit("", n);
  }
}

}  // namespace mayfly::site::markdown::syntax
