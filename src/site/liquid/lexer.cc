#include "site/liquid/lexer.h"

namespace mayfly::site::liquid {

bool is_ident_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

bool is_ident_char(char c) {
  return is_ident_start(c) || (c >= '0' && c <= '9') || c == '-';
}

namespace {
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
}  // namespace

std::vector<Token> lex(std::string_view s) {
  std::vector<Token> out;
  std::size_t i = 0;
  const std::size_t n = s.size();
  auto push = [&](Tok k, std::size_t start, std::size_t end) {
    out.push_back(Token{k, s.substr(start, end - start), s.data() + start});
  };
  while (i < n) {
    char c = s[i];
    if (is_space(c)) {
      ++i;
      continue;
    }
    std::size_t start = i;
    if (is_ident_start(c)) {
      ++i;
      while (i < n && is_ident_char(s[i])) ++i;
      if (i < n && s[i] == '?') ++i;
      push(Tok::Ident, start, i);
      continue;
    }
    if (is_digit(c) || (c == '-' && i + 1 < n && is_digit(s[i + 1]))) {
      ++i;
      while (i < n && is_digit(s[i])) ++i;
      if (i + 1 < n && s[i] == '.' && is_digit(s[i + 1])) {
        ++i;
        while (i < n && is_digit(s[i])) ++i;
        push(Tok::Float, start, i);
      } else {
        push(Tok::Int, start, i);
      }
      continue;
    }
    switch (c) {
      case '\'':
      case '"': {
        auto close = s.find(c, i + 1);
        if (close == std::string_view::npos) throw LexError{s.data() + i, c};
        out.push_back(Token{Tok::String, s.substr(i + 1, close - i - 1), s.data() + i});
        i = close + 1;
        continue;
      }
      case '.':
        if (i + 1 < n && s[i + 1] == '.') {
          push(Tok::DotDot, i, i + 2);
          i += 2;
        } else {
          push(Tok::Dot, i, i + 1);
          ++i;
        }
        continue;
      case '[':
        push(Tok::LBracket, i, i + 1);
        ++i;
        continue;
      case ']':
        push(Tok::RBracket, i, i + 1);
        ++i;
        continue;
      case '(':
        push(Tok::LParen, i, i + 1);
        ++i;
        continue;
      case ')':
        push(Tok::RParen, i, i + 1);
        ++i;
        continue;
      case '|':
        push(Tok::Pipe, i, i + 1);
        ++i;
        continue;
      case ':':
        push(Tok::Colon, i, i + 1);
        ++i;
        continue;
      case ',':
        push(Tok::Comma, i, i + 1);
        ++i;
        continue;
      case '=':
        if (i + 1 < n && s[i + 1] == '=') {
          push(Tok::Comparison, i, i + 2);
          i += 2;
        } else {
          push(Tok::Assign, i, i + 1);
          ++i;
        }
        continue;
      case '!':
        if (i + 1 < n && s[i + 1] == '=') {
          push(Tok::Comparison, i, i + 2);
          i += 2;
          continue;
        }
        break;
      case '<':
      case '>':
        if (i + 1 < n && (s[i + 1] == '=' || (c == '<' && s[i + 1] == '>'))) {
          push(Tok::Comparison, i, i + 2);
          i += 2;
        } else {
          push(Tok::Comparison, i, i + 1);
          ++i;
        }
        continue;
      default:
        break;
    }
    throw LexError{s.data() + i, c};
  }
  out.push_back(Token{Tok::End, s.substr(n), s.data() + n});
  return out;
}

}  // namespace mayfly::site::liquid
