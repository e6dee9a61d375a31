// YAML, JSON and TOML.
#include "site/markdown/highlight/lexers.h"

namespace mayfly::site::markdown::syntax {
namespace {

bool is_constant(std::string_view w) {
  return w == "true" || w == "false" || w == "null" || w == "yes" || w == "no" || w == "on" ||
         w == "off" || w == "~" || w == "True" || w == "False" || w == "Null" || w == "NULL";
}

bool is_number(std::string_view w) {
  if (w.empty()) return false;
  size_t i = (w[0] == '-' || w[0] == '+') ? 1 : 0;
  if (i == w.size()) return false;
  bool digit = false;
  for (; i < w.size(); ++i) {
    char c = w[i];
    if (is_digit(c)) {
      digit = true;
    } else if (c != '.' && c != 'e' && c != 'E' && c != '_' && c != '-' && c != '+') {
      return false;
    }
  }
  return digit;
}

void emit_scalar(Scanner& s, size_t n) {
  std::string_view w = s.rest().substr(0, n);
  while (!w.empty() && (w.back() == ' ' || w.back() == '\t')) w.remove_suffix(1);
  std::string_view cls = is_constant(w) ? "no" : is_number(w) ? "m" : "s";
  s.emit(cls, w.size());
  s.emit("", n - w.size());
}

}  // namespace

void lex_yaml(Scanner& s) {
  while (!s.done()) {
    char c = s.peek();
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      s.emit("", 1);
      continue;
    }
    if (c == '#' && s.after_blank()) {
      s.emit("c1", s.line_len());
      continue;
    }
    if (s.line_blank_before() && (s.at("---") || s.at("..."))) {
      s.emit("nt", 3);
      continue;
    }
    if (c == '-' && (s.peek(1) == ' ' || s.peek(1) == '\n')) {
      s.emit("pi", 1);
      continue;
    }
    if (c == '"' || c == '\'') {
      s.emit(c == '"' ? "s2" : "s1", s.quoted_len(c, c == '"', true));
      continue;
    }
    if (c == '&' || c == '*') {
      size_t n = 1;
      while (s.peek(n) != '\0' && s.peek(n) != ' ' && s.peek(n) != '\n') ++n;
      s.emit(c == '&' ? "nl" : "nv", n);
      continue;
    }
    if (c == '|' || c == '>') {
      // A block scalar: the indicator, then every more-indented line.
      s.emit("pi", s.line_len());
      while (s.peek() == '\n' && (s.peek(1) == ' ' || s.peek(1) == '\n')) {
        s.emit("", 1);
        s.emit("s", s.line_len());
      }
      continue;
    }
    if (c == '{' || c == '}' || c == '[' || c == ']' || c == ',') {
      s.emit("p", 1);
      continue;
    }
    // A key ("name:") or a plain scalar to the end of the line (or a comment).
    std::string_view line = s.rest().substr(0, s.line_len());
    size_t colon = line.find(": ");
    if (colon == line.npos && line.ends_with(":")) colon = line.size() - 1;
    size_t comment = line.find(" #");
    if (colon != line.npos && (comment == line.npos || colon < comment) &&
        line.substr(0, colon).find_first_of("\"'{[,") == line.npos) {
      s.emit("na", colon);
      s.emit("pi", 1);
      continue;
    }
    size_t end = comment == line.npos ? line.size() : comment;
    size_t flow = line.find_first_of(",]}");
    if (flow != line.npos && flow < end) end = flow;
    emit_scalar(s, end == 0 ? 1 : end);
  }
}

void lex_json(Scanner& s) {
  while (!s.done()) {
    if (size_t n = s.space_len()) {
      s.emit("w", n);  // Rouge's JSON lexer marks whitespace
      continue;
    }
    char c = s.peek();
    if (c == '"') {
      size_t n = s.quoted_len('"', true, false);
      size_t k = n;
      while (s.peek(k) == ' ' || s.peek(k) == '\t') ++k;
      s.emit(s.peek(k) == ':' ? "nl" : "s2", n);
      continue;
    }
    if (s.at("//")) {
      s.emit("c1", s.line_len());
      continue;
    }
    if (s.at("/*")) {
      s.emit("cm", s.until_len("/*", "*/"));
      continue;
    }
    if (is_digit(c) || c == '-') {
      size_t n = c == '-' ? 1 : 0;
      while (is_digit(s.peek(n)) || s.peek(n) == '.' || s.peek(n) == 'e' || s.peek(n) == 'E' ||
             s.peek(n) == '+' || (n > 0 && s.peek(n) == '-')) {
        ++n;
      }
      bool fraction = s.rest().substr(0, n).find_first_of(".eE") != std::string_view::npos;
      s.emit(fraction ? "mf" : "mi", n);
      continue;
    }
    if (size_t n = s.ident_len()) {
      std::string_view w = s.rest().substr(0, n);
      s.emit(w == "true" || w == "false" || w == "null" ? "kc" : "err", n);
      continue;
    }
    if (std::string_view("{}[],:").find(c) != std::string_view::npos) {
      s.emit("p", 1);
      continue;
    }
    s.emit("err", 1);
  }
}

void lex_toml(Scanner& s) {
  while (!s.done()) {
    char c = s.peek();
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      s.emit("", 1);
      continue;
    }
    if (c == '#') {
      s.emit("c", s.line_len());
      continue;
    }
    if (c == '[' && s.line_blank_before()) {
      s.emit("nn", s.line_len());  // [table] or [[array]]
      continue;
    }
    if (s.at("\"\"\"") || s.at("'''")) {
      std::string_view q = s.rest().substr(0, 3);
      s.emit("s", s.until_len(q, q));
      continue;
    }
    if (c == '"' || c == '\'') {
      s.emit("s", s.quoted_len(c, c == '"', false));
      continue;
    }
    if (c == '=') {
      s.emit("p", 1);
      continue;
    }
    if (std::string_view("{}[],").find(c) != std::string_view::npos) {
      s.emit("p", 1);
      continue;
    }
    size_t n = 0;
    while (s.peek(n) != '\0' &&
           std::string_view(" \t\n=,]}#").find(s.peek(n)) == std::string_view::npos) {
      ++n;
    }
    std::string_view w = s.rest().substr(0, n);
    size_t k = n;
    while (s.peek(k) == ' ') ++k;
    std::string_view cls = s.peek(k) == '=' ? "py"
                           : is_constant(w) ? "kc"
                           : is_number(w)   ? "mi"
                                            : "s";
    if (is_digit(w.empty() ? 'x' : w[0]) && cls == "s") cls = "ld";  // dates
    s.emit(cls, n == 0 ? 1 : n);
  }
}

}  // namespace mayfly::site::markdown::syntax
