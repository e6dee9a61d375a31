// Python.
#include "site/markdown/highlight/lexers.h"

namespace mayfly::site::markdown::syntax {
namespace {

const WordSet& keywords() {
  static const WordSet w{"and",      "as",     "assert", "async", "await",  "break",
                         "continue", "del",    "elif",   "else",  "except", "finally",
                         "for",      "global", "if",     "in",    "is",     "lambda",
                         "nonlocal", "not",    "or",     "pass",  "raise",  "return",
                         "try",      "while",  "with",   "yield", "match",  "case"};
  return w;
}

const WordSet& builtins() {
  static const WordSet w{
      "abs",           "all",        "any",           "bin",          "bool",
      "bytearray",     "bytes",      "callable",      "chr",          "classmethod",
      "compile",       "complex",    "delattr",       "dict",         "dir",
      "divmod",        "enumerate",  "eval",          "exec",         "filter",
      "float",         "format",     "frozenset",     "getattr",      "globals",
      "hasattr",       "hash",       "help",          "hex",          "id",
      "input",         "int",        "isinstance",    "issubclass",   "iter",
      "len",           "list",       "locals",        "map",          "max",
      "memoryview",    "min",        "next",          "object",       "oct",
      "open",          "ord",        "pow",           "print",        "property",
      "range",         "repr",       "reversed",      "round",        "set",
      "setattr",       "slice",      "sorted",        "staticmethod", "str",
      "sum",           "super",      "tuple",         "type",         "vars",
      "zip",           "__import__", "self",          "cls",          "Exception",
      "ValueError",    "TypeError",  "KeyError",      "IndexError",   "RuntimeError",
      "StopIteration", "OSError",    "AttributeError"};
  return w;
}

// A string literal with an optional prefix (r, b, f, u, rb, ...), single or triple quoted.
size_t string_len(Scanner& s, std::string_view* cls) {
  size_t p = 0;
  while (p < 2 && std::string_view("rRbBfFuU").find(s.peek(p)) != std::string_view::npos) ++p;
  char q = s.peek(p);
  if (q != '"' && q != '\'') return 0;
  bool raw = false;
  for (size_t i = 0; i < p; ++i) raw = raw || s.peek(i) == 'r' || s.peek(i) == 'R';
  *cls = q == '"' ? "s2" : "s1";
  std::string_view rest = s.rest().substr(p);
  if (rest.starts_with(q == '"' ? "\"\"\"" : "'''")) {
    std::string_view close = q == '"' ? "\"\"\"" : "'''";
    size_t i = 3;
    while (i < rest.size() && !rest.substr(i).starts_with(close)) i += rest[i] == '\\' ? 2 : 1;
    *cls = "s";
    return p + std::min(rest.size(), i + 3);
  }
  size_t i = 1;
  while (i < rest.size() && rest[i] != q && rest[i] != '\n') {
    i += (rest[i] == '\\' && !raw) || (rest[i] == '\\' && raw) ? 2 : 1;
  }
  return p + std::min(rest.size(), i + 1);
}

}  // namespace

void lex_python(Scanner& s) {
  std::string_view next;  // "nc" after class, "nf" after def
  while (!s.done()) {
    if (size_t n = s.space_len()) {
      s.emit("", n);
      continue;
    }
    char c = s.peek();
    if (c == '#') {
      const size_t n = s.line_len();
      s.emit("c1", n + (s.peek(n) == '\n' ? 1 : 0));  // Rouge keeps the newline in the comment
      continue;
    }
    std::string_view cls;
    if (size_t n = string_len(s, &cls)) {
      s.emit(cls, n);
      continue;
    }
    if (c == '@' && is_ident_start(s.peek(1)) && s.line_blank_before()) {
      s.emit("o", 1);  // a decorator: Rouge marks the @ and names the rest
      continue;
    }
    if (is_digit(c) || (c == '.' && is_digit(s.peek(1)))) {
      if (size_t n = s.number_len(&cls)) {
        s.emit(cls, n);
        continue;
      }
    }
    if (size_t n = s.ident_len()) {
      std::string_view word = s.rest().substr(0, n);
      if (!next.empty()) {
        cls = next;
      } else if (word == "def" || word == "class") {
        cls = "k";
      } else if (word == "True" || word == "False" || word == "None") {
        cls = "kc";
      } else if (word == "import" || word == "from") {
        cls = "kn";
      } else if (word == "and" || word == "or" || word == "not" || word == "in" || word == "is") {
        cls = "ow";
      } else if (keywords().count(word)) {
        cls = "k";
      } else if (builtins().count(word) && s.prev_significant() != '.') {
        cls = (word == "self" || word == "cls") ? "bp" : "nb";
      } else {
        cls = "n";
      }
      next = word == "def" ? "nf" : word == "class" ? "nc" : "";
      s.emit(cls, n);
      continue;
    }
    next = "";
    emit_operator_or_punct(s, "+-*/%=<>!&|^~@");
  }
}

}  // namespace mayfly::site::markdown::syntax
