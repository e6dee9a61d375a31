// Collects (token class, text) pairs into Rouge's HTML: <span class="CLS">escaped</span>,
// plain text without a span, consecutive tokens of one class merged.
#pragma once

#include <string>
#include <string_view>

namespace mayfly::site::markdown::syntax {

class TokenWriter {
 public:
  explicit TokenWriter(std::string& out) : out_(out) {}
  ~TokenWriter() { flush(); }
  TokenWriter(const TokenWriter&) = delete;
  TokenWriter& operator=(const TokenWriter&) = delete;

  // `cls` is a Rouge short class name ("k", "s2", ...) or empty for plain text. It must be a
  // string literal (it is kept until the next flush).
  void emit(std::string_view cls, std::string_view text);
  void flush();

 private:
  std::string& out_;
  std::string_view cls_;
  std::string pending_;
};

}  // namespace mayfly::site::markdown::syntax
