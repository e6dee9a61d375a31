#include "site/markdown/highlight/scanner.h"

namespace mayfly::site::markdown::syntax {

bool is_ident_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_ident_char(char c) {
  return is_ident_start(c) || is_digit(c);
}

char Scanner::prev_significant() const {
  for (size_t i = pos_; i > 0; --i) {
    char c = src_[i - 1];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return c;
  }
  return '\0';
}

bool Scanner::line_blank_before() const {
  for (size_t i = pos_; i > 0; --i) {
    char c = src_[i - 1];
    if (c == '\n') return true;
    if (c != ' ' && c != '\t') return false;
  }
  return true;
}

bool Scanner::after_blank() const {
  if (pos_ == 0) return true;
  char c = src_[pos_ - 1];
  return c == ' ' || c == '\t' || c == '\n';
}

void Scanner::lex_nested(std::string_view inner, void (*lex)(Scanner&)) {
  Scanner nested(inner, out_);
  lex(nested);
  pos_ += inner.size();
}

void Scanner::emit(std::string_view cls, size_t n) {
  if (n > src_.size() - pos_) n = src_.size() - pos_;
  out_.emit(cls, src_.substr(pos_, n));
  pos_ += n;
}

size_t Scanner::space_len() const {
  size_t n = 0;
  while (pos_ + n < src_.size()) {
    char c = src_[pos_ + n];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
    ++n;
  }
  return n;
}

size_t Scanner::ident_len(std::string_view extra) const {
  auto ok = [&](char c, bool first) {
    if (extra.find(c) != std::string_view::npos) return true;
    return first ? is_ident_start(c) : is_ident_char(c);
  };
  if (done() || !ok(src_[pos_], true)) return 0;
  size_t n = 1;
  while (pos_ + n < src_.size() && ok(src_[pos_ + n], false)) ++n;
  return n;
}

size_t Scanner::number_len(std::string_view* cls) const {
  std::string_view s = rest();
  size_t n = 0;
  *cls = "mi";
  if (s.size() >= 2 && s[0] == '0' &&
      (s[1] == 'x' || s[1] == 'X' || s[1] == 'b' || s[1] == 'B' || s[1] == 'o' || s[1] == 'O')) {
    *cls = (s[1] == 'x' || s[1] == 'X') ? "mh" : (s[1] == 'b' || s[1] == 'B') ? "mb" : "mo";
    n = 2;
    while (n < s.size() && (is_ident_char(s[n]))) ++n;
    return n;
  }
  while (n < s.size() && (is_digit(s[n]) || s[n] == '_' || s[n] == '\'')) ++n;
  if (n == 0 && !(s.size() >= 2 && s[0] == '.' && is_digit(s[1]))) return 0;
  if (n < s.size() && s[n] == '.' && n + 1 < s.size() && is_digit(s[n + 1])) {
    *cls = "mf";
    ++n;
    while (n < s.size() && (is_digit(s[n]) || s[n] == '_')) ++n;
  }
  if (n < s.size() && (s[n] == 'e' || s[n] == 'E')) {
    size_t m = n + 1;
    if (m < s.size() && (s[m] == '+' || s[m] == '-')) ++m;
    if (m < s.size() && is_digit(s[m])) {
      *cls = "mf";
      n = m;
      while (n < s.size() && is_digit(s[n])) ++n;
    }
  }
  // Type suffixes (10u, 1.5f, 3i64, 10n).
  while (n < s.size() && is_ident_char(s[n])) ++n;
  return n;
}

size_t Scanner::line_len() const {
  size_t end = src_.find('\n', pos_);
  return (end == std::string_view::npos ? src_.size() : end) - pos_;
}

size_t Scanner::quoted_len(char quote, bool escapes, bool multiline) const {
  size_t n = 1;
  while (pos_ + n < src_.size()) {
    char c = src_[pos_ + n];
    if (escapes && c == '\\') {
      n += 2;
      continue;
    }
    if (c == '\n' && !multiline) return n;
    ++n;
    if (c == quote) return n;
  }
  return src_.size() - pos_;
}

size_t Scanner::until_len(std::string_view start_skip, std::string_view end) const {
  size_t from = pos_ + start_skip.size();
  if (from > src_.size()) return src_.size() - pos_;
  size_t at = src_.find(end, from);
  if (at == std::string_view::npos) return src_.size() - pos_;
  return at + end.size() - pos_;
}

}  // namespace mayfly::site::markdown::syntax
