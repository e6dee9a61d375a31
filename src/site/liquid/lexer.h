// Splits the markup inside `{{ }}` and `{% %}` into expression tokens.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace mayfly::site::liquid {

enum class Tok {
  End,
  Ident,       // foo, foo-bar, foo?
  String,      // 'x' or "x" (text excludes the quotes)
  Int,         // 42, -1
  Float,       // 1.5, -0.5
  Dot,         // .
  DotDot,      // ..
  LBracket,    // [
  RBracket,    // ]
  LParen,      // (
  RParen,      // )
  Pipe,        // |
  Colon,       // :
  Comma,       // ,
  Comparison,  // == != <> < > <= >=
  Assign,      // =
};

struct Token {
  Tok kind = Tok::End;
  std::string_view text;
  const char* at = nullptr;  // where the token starts (for error locations)
};

// Tokenizes `markup`; throws LexError on a character that starts no token.
std::vector<Token> lex(std::string_view markup);

struct LexError {
  const char* at;
  char c;
};

bool is_ident_start(char c);
bool is_ident_char(char c);

}  // namespace mayfly::site::liquid
