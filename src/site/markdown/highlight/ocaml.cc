// OCaml.
#include "site/markdown/highlight/lexers.h"

namespace mayfly::site::markdown::syntax {
namespace {

const WordSet& keywords() {
  static const WordSet w{
      "as",      "assert",  "begin",     "class",    "constraint",  "do",     "done",     "downto",
      "else",    "end",     "exception", "external", "for",         "fun",    "function", "functor",
      "if",      "in",      "include",   "inherit",  "initializer", "lazy",   "let",      "match",
      "method",  "module",  "mutable",   "new",      "nonrec",      "object", "of",       "open",
      "private", "rec",     "sig",       "struct",   "then",        "to",     "try",      "type",
      "val",     "virtual", "when",      "while",    "with"};
  return w;
}

const WordSet& word_operators() {
  static const WordSet w{"and", "or", "not", "mod", "land", "lor", "lxor", "lsl", "lsr", "asr"};
  return w;
}

const WordSet& types() {
  static const WordSet w{"int",   "float",     "string", "char",   "bool",   "unit",
                         "list",  "array",     "option", "bytes",  "exn",    "int32",
                         "int64", "nativeint", "ref",    "result", "format", "lazy_t"};
  return w;
}

// (* comments *) nest.
size_t comment_len(std::string_view r) {
  int depth = 0;
  size_t i = 0;
  while (i < r.size()) {
    if (r.substr(i).starts_with("(*")) {
      ++depth;
      i += 2;
    } else if (r.substr(i).starts_with("*)")) {
      i += 2;
      if (--depth == 0) return i;
    } else {
      ++i;
    }
  }
  return r.size();
}

}  // namespace

void lex_ocaml(Scanner& s) {
  while (!s.done()) {
    if (size_t n = s.space_len()) {
      s.emit("", n);
      continue;
    }
    char c = s.peek();
    if (s.at("(*") && !s.at("(*)")) {
      s.emit("c", comment_len(s.rest()));
      continue;
    }
    if (c == '"') {
      s.emit("s2", s.quoted_len('"', true, true));
      continue;
    }
    if (c == '\'' && (s.peek(2) == '\'' || (s.peek(1) == '\\' && s.peek(3) == '\''))) {
      s.emit("sc", s.peek(1) == '\\' ? 4 : 3);
      continue;
    }
    std::string_view cls;
    if (is_digit(c)) {
      if (size_t n = s.number_len(&cls)) {
        s.emit(cls, n);
        continue;
      }
    }
    if (c == '`' && is_ident_start(s.peek(1))) {
      size_t n = 1;
      while (is_ident_char(s.peek(n))) ++n;
      s.emit("nt", n);  // polymorphic variant
      continue;
    }
    if (size_t n = s.ident_len("_'")) {
      std::string_view word = s.rest().substr(0, n);
      if (word[0] == '\'') {
        cls = "nv";  // type variable
      } else if (word == "true" || word == "false") {
        cls = "kc";
      } else if (keywords().count(word)) {
        cls = "k";
      } else if (word_operators().count(word)) {
        cls = "ow";
      } else if (types().count(word)) {
        cls = "kt";
      } else if (word[0] >= 'A' && word[0] <= 'Z') {
        cls = "nc";  // module or constructor
      } else {
        cls = "n";
      }
      s.emit(cls, n);
      continue;
    }
    if (c == ';' || c == ',' || c == '(' || c == ')' || c == '[' || c == ']' || c == '{' ||
        c == '}') {
      s.emit("p", 1);
      continue;
    }
    emit_operator_or_punct(s, "+-*/%=<>!&|^~@:.?$");
  }
}

}  // namespace mayfly::site::markdown::syntax
