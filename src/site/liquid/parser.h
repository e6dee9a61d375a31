// Internal: turns template source into nodes. Tags are parsed by functions in tags_*.cc
// through this interface.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "site/liquid/ast.h"
#include "site/liquid/environment.h"
#include "site/liquid/lexer.h"

namespace mayfly::site::liquid {

class Template;

// One piece of template source: text, `{{ output }}` or `{% tag markup %}`.
struct RawToken {
  enum class Kind { Text, Output, Tag };
  Kind kind = Kind::Text;
  std::string_view text;     // text, or the markup of an output/tag (trimmed)
  std::string_view name;     // tag name
  std::string_view source;   // the whole token as written
  const char* at = nullptr;  // start of the token, for locations
  bool trim_left = false;
  bool trim_right = false;
  bool in_liquid_tag = false;
};

// A cursor over expression tokens of one markup string.
class TokenStream {
 public:
  TokenStream(class Parser& p, std::string_view markup, const char* fallback_at);
  const Token& peek(std::size_t ahead = 0) const;
  Token next();
  bool at(Tok k) const { return peek().kind == k; }
  bool at_ident(std::string_view word) const {
    return peek().kind == Tok::Ident && peek().text == word;
  }
  bool accept(Tok k);
  bool accept_ident(std::string_view word);
  Token expect(Tok k, std::string_view what);
  void expect_end();
  [[noreturn]] void fail(const Token& t, std::string_view message) const;
  bool done() const { return at(Tok::End); }

 private:
  class Parser& p_;
  std::vector<Token> toks_;
  std::size_t i_ = 0;
};

class Parser {
 public:
  Parser(std::string_view source, std::string_view filename, const Environment& env);

  void parse_document(Template& t);

  // Parses nodes until a tag named in `stop` (returned, consumed) or the end of input
  // (an error when `stop` is not empty; `opener` names the block in the message).
  RawToken parse_block(Block& block, std::initializer_list<std::string_view> stop,
                       const RawToken& opener);
  // Skips tokens (comment bodies) until `end`, honouring nesting of `open`.
  RawToken skip_block(std::string_view open, std::string_view end, const RawToken& opener);
  std::unique_ptr<Node> parse_tag_tolerant(const RawToken& tok);
  // The source text between two tokens.
  std::string_view between(const RawToken& a, const RawToken& b) const;

  // Expressions.
  Expr parse_primary(TokenStream& ts);
  FilteredExpr parse_filtered(TokenStream& ts);
  std::unique_ptr<Condition> parse_condition(TokenStream& ts);
  Expr parse_markup_expr(const RawToken& tok);  // whole markup is one expression

  Location location(const char* at) const;
  [[noreturn]] void fail(const char* at, std::string_view message) const;
  [[noreturn]] void fail(const RawToken& t, std::string_view message) const { fail(t.at, message); }
  const Environment& env() const { return env_; }
  std::string_view filename() const { return filename_; }

 private:
  friend class TokenStream;
  void scan(std::string_view source, std::vector<RawToken>& out, bool liquid_tag);
  void scan_liquid_lines(std::string_view markup, std::vector<RawToken>& out);
  std::unique_ptr<Node> parse_tag(const RawToken& tok);

  std::string_view source_;
  std::string filename_;
  const Environment& env_;
  std::vector<std::size_t> line_starts_;
  std::vector<RawToken> tokens_;
  std::size_t pos_ = 0;
};

// Built-in tag parsers (tags_*.cc). Each consumes its body from the parser.
using BuiltinTagParser = std::unique_ptr<Node> (*)(Parser& p, const RawToken& tok);
BuiltinTagParser find_builtin_tag(std::string_view name);

std::unique_ptr<Node> parse_if(Parser& p, const RawToken& tok);
std::unique_ptr<Node> parse_unless(Parser& p, const RawToken& tok);
std::unique_ptr<Node> parse_case(Parser& p, const RawToken& tok);
std::unique_ptr<Node> parse_for(Parser& p, const RawToken& tok);
std::unique_ptr<Node> parse_tablerow(Parser& p, const RawToken& tok);
std::unique_ptr<Node> parse_cycle(Parser& p, const RawToken& tok);
std::unique_ptr<Node> parse_break(Parser& p, const RawToken& tok);
std::unique_ptr<Node> parse_continue(Parser& p, const RawToken& tok);
std::unique_ptr<Node> parse_assign(Parser& p, const RawToken& tok);
std::unique_ptr<Node> parse_capture(Parser& p, const RawToken& tok);
std::unique_ptr<Node> parse_increment(Parser& p, const RawToken& tok);
std::unique_ptr<Node> parse_decrement(Parser& p, const RawToken& tok);
std::unique_ptr<Node> parse_echo(Parser& p, const RawToken& tok);
std::unique_ptr<Node> parse_comment(Parser& p, const RawToken& tok);
std::unique_ptr<Node> parse_inline_comment(Parser& p, const RawToken& tok);
std::unique_ptr<Node> parse_raw(Parser& p, const RawToken& tok);
std::unique_ptr<Node> parse_doc(Parser& p, const RawToken& tok);
std::unique_ptr<Node> parse_liquid(Parser& p, const RawToken& tok);
std::unique_ptr<Node> parse_ifchanged(Parser& p, const RawToken& tok);
std::unique_ptr<Node> parse_include(Parser& p, const RawToken& tok);
std::unique_ptr<Node> parse_render(Parser& p, const RawToken& tok);

}  // namespace mayfly::site::liquid
