// Ruby.
#include "site/markdown/highlight/lexers.h"

namespace mayfly::site::markdown::syntax {
namespace {

const WordSet& keywords() {
  static const WordSet w{
      "alias", "and",  "begin",  "break", "case",   "def",      "defined?", "do",    "else",
      "elsif", "end",  "ensure", "for",   "if",     "in",       "module",   "next",  "not",
      "or",    "redo", "rescue", "retry", "return", "super",    "then",     "undef", "unless",
      "until", "when", "while",  "yield", "class",  "__FILE__", "__LINE__", "BEGIN", "END"};
  return w;
}

const WordSet& builtins() {
  static const WordSet w{"puts",
                         "print",
                         "p",
                         "require",
                         "require_relative",
                         "include",
                         "extend",
                         "attr_accessor",
                         "attr_reader",
                         "attr_writer",
                         "raise",
                         "lambda",
                         "proc",
                         "loop",
                         "private",
                         "protected",
                         "public",
                         "format",
                         "sprintf",
                         "gets",
                         "new"};
  return w;
}

// A "string" with #{interpolation}: the string parts "s2", the delimiters "si", the code inside
// lexed as Ruby.
void lex_double_quoted(Scanner& s) {
  const size_t len = s.quoted_len('"', true, true);
  std::string_view body = s.rest().substr(0, len);
  size_t done = 0;
  size_t i = 1;
  while (i < body.size()) {
    if (body[i] == '\\') {
      i += 2;
      continue;
    }
    if (body[i] == '#' && i + 1 < body.size() && body[i + 1] == '{') {
      size_t close = body.find('}', i + 2);
      if (close == std::string_view::npos) break;
      s.emit("s2", i - done);
      s.emit("si", 2);
      std::string_view inner = body.substr(i + 2, close - i - 2);
      s.lex_nested(inner, lex_ruby);
      s.emit("si", 1);
      done = close + 1;
      i = close + 1;
      continue;
    }
    ++i;
  }
  s.emit("s2", len - done);
}

}  // namespace

void lex_ruby(Scanner& s) {
  std::string_view next;
  while (!s.done()) {
    if (size_t n = s.space_len()) {
      s.emit("", n);
      continue;
    }
    char c = s.peek();
    if (s.at_line_start() && s.at("=begin")) {
      s.emit("cm", s.until_len("=begin", "\n=end") + s.line_len());
      continue;
    }
    if (c == '#') {
      s.emit("c1", s.line_len());
      continue;
    }
    if (c == '"') {
      lex_double_quoted(s);
      continue;
    }
    if (c == '\'') {
      s.emit("s1", s.quoted_len('\'', true, true));
      continue;
    }
    if (c == '`') {
      s.emit("sb", s.quoted_len('`', true, true));
      continue;
    }
    if (c == ':' && (is_ident_start(s.peek(1)) || s.peek(1) == '"') && s.peek(1) != ':') {
      if (s.peek(1) == '"') {
        s.emit("ss", 1);
        s.emit("ss", s.quoted_len('"', true, false));
      } else {
        size_t n = 1;
        while (is_ident_char(s.peek(n))) ++n;
        if (s.peek(n) == '?' || s.peek(n) == '!' || s.peek(n) == '=') ++n;
        s.emit("ss", n);
      }
      continue;
    }
    if (c == '@' || (c == '$' && is_ident_start(s.peek(1)))) {
      size_t n = 1;
      while (s.peek(n) == '@') ++n;
      while (is_ident_char(s.peek(n))) ++n;
      s.emit(s.peek(1) == '@' ? "vc" : c == '$' ? "vg" : "vi", n);
      continue;
    }
    std::string_view cls;
    if (is_digit(c)) {
      if (size_t n = s.number_len(&cls)) {
        s.emit(cls, n);
        continue;
      }
    }
    if (size_t n = s.ident_len()) {
      if (s.peek(n) == '?' || s.peek(n) == '!') ++n;
      std::string_view word = s.rest().substr(0, n);
      if (is_ident_start(s.peek(n)) == false && s.peek(n) == ':' && s.peek(n + 1) != ':' &&
          next.empty()) {
        s.emit("ss", n + 1);  // a hash key: name:
        continue;
      }
      if (!next.empty()) {
        cls = next;
      } else if (word == "true" || word == "false" || word == "nil" || word == "self") {
        cls = "kp";
        if (word != "self") cls = "kc";
      } else if (keywords().count(word)) {
        cls = "k";
      } else if (builtins().count(word)) {
        cls = "nb";
      } else if (word[0] >= 'A' && word[0] <= 'Z') {
        cls = "no";
      } else {
        cls = "n";
      }
      next = word == "def" ? "nf" : (word == "class" || word == "module") ? "nc" : "";
      s.emit(cls, n);
      continue;
    }
    next = "";
    emit_operator_or_punct(s, "+-*/%=<>!&|^~?");
  }
}

}  // namespace mayfly::site::markdown::syntax
