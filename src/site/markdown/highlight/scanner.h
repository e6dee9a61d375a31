// A cursor over source code with the scanning helpers the lexers share.
#pragma once

#include <initializer_list>
#include <string_view>
#include <unordered_set>

#include "site/markdown/highlight/token_writer.h"

namespace mayfly::site::markdown::syntax {

using WordSet = std::unordered_set<std::string_view>;

class Scanner {
 public:
  Scanner(std::string_view src, TokenWriter& out) : src_(src), out_(out) {}

  bool done() const { return pos_ >= src_.size(); }
  char peek(size_t k = 0) const { return pos_ + k < src_.size() ? src_[pos_ + k] : '\0'; }
  bool at(std::string_view s) const { return src_.substr(pos_).starts_with(s); }
  std::string_view rest() const { return src_.substr(pos_); }
  size_t pos() const { return pos_; }
  // Whether the cursor is at the start of a line (ignoring nothing).
  bool at_line_start() const { return pos_ == 0 || src_[pos_ - 1] == '\n'; }
  // Whether only blanks precede the cursor on its line.
  bool line_blank_before() const;
  // Whether the cursor is at the start of input or just after a blank.
  bool after_blank() const;
  // The last non-blank character before the cursor, or '\0'.
  char prev_significant() const;

  // Lexes the next inner.size() characters (which are `inner`) with another lexer, then
  // continues after them.
  void lex_nested(std::string_view inner, void (*lex)(Scanner&));
  // Emits the next n characters with class `cls` and advances.
  void emit(std::string_view cls, size_t n);

  // Lengths of constructs starting at the cursor (0 if none).
  size_t space_len() const;                              // spaces, tabs, newlines
  size_t ident_len(std::string_view extra = "_") const;  // [A-Za-z_][A-Za-z0-9_]* (+extra)
  size_t number_len(std::string_view* cls) const;        // sets "mi", "mf", "mh", "mb", "mo"
  size_t line_len() const;                               // to the end of line (excluding '\n')
  // A quoted string opened by `quote` at the cursor, with backslash escapes when `escapes`.
  size_t quoted_len(char quote, bool escapes, bool multiline) const;
  // Up to and including `end`, or to the end of input.
  size_t until_len(std::string_view start_skip, std::string_view end) const;

 private:
  std::string_view src_;
  size_t pos_ = 0;
  TokenWriter& out_;
};

bool is_ident_start(char c);
bool is_ident_char(char c);
bool is_digit(char c);

}  // namespace mayfly::site::markdown::syntax
