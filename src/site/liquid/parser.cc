#include "site/liquid/parser.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>

#include "site/liquid/template.h"

namespace mayfly::site::liquid {

namespace {

bool is_ws(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ws(s.back())) s.remove_suffix(1);
  return s;
}

bool is_word(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// End and intermediate tags of the built-in blocks.
bool is_closing_tag(std::string_view name) {
  return name.substr(0, 3) == "end" || name == "else" || name == "elsif" || name == "when";
}

// Splits the inside of `{% ... %}` into name and markup.
void split_tag(std::string_view inner, RawToken& t) {
  std::string_view s = trim(inner);
  if (!s.empty() && s.front() == '#') {
    t.name = s.substr(0, 1);
    t.text = s.substr(1);
    return;
  }
  std::size_t n = 0;
  while (n < s.size() && is_word(s[n])) ++n;
  t.name = s.substr(0, n);
  t.text = trim(s.substr(n));
}

// Finds `{%-? <name> -?%}` from `from`; returns {start of tag, end of tag, trim_left,
// trim_right}, start npos when absent.
struct EndTag {
  std::size_t begin = std::string_view::npos;
  std::size_t end = 0;
  bool trim_left = false;
  bool trim_right = false;
};

EndTag find_end_tag(std::string_view s, std::size_t from, std::string_view name) {
  for (std::size_t i = s.find("{%", from); i != std::string_view::npos; i = s.find("{%", i + 2)) {
    std::size_t j = i + 2;
    EndTag e;
    if (j < s.size() && s[j] == '-') {
      e.trim_left = true;
      ++j;
    }
    while (j < s.size() && is_ws(s[j])) ++j;
    if (s.substr(j, name.size()) != name) continue;
    j += name.size();
    while (j < s.size() && is_ws(s[j])) ++j;
    if (j < s.size() && s[j] == '-') {
      e.trim_right = true;
      ++j;
    }
    if (s.substr(j, 2) != "%}") continue;
    e.begin = i;
    e.end = j + 2;
    return e;
  }
  return {};
}

}  // namespace

// ---------------------------------------------------------------------------------------
// TokenStream

TokenStream::TokenStream(Parser& p, std::string_view markup, const char* fallback_at) : p_(p) {
  try {
    toks_ = lex(markup);
  } catch (const LexError& e) {
    p.fail(e.at ? e.at : fallback_at, std::string("unexpected character '") + e.c + "'");
  }
}

const Token& TokenStream::peek(std::size_t ahead) const {
  std::size_t k = std::min(i_ + ahead, toks_.size() - 1);
  return toks_[k];
}

Token TokenStream::next() {
  Token t = peek();
  if (i_ < toks_.size() - 1) ++i_;
  return t;
}

bool TokenStream::accept(Tok k) {
  if (!at(k)) return false;
  next();
  return true;
}

bool TokenStream::accept_ident(std::string_view word) {
  if (!at_ident(word)) return false;
  next();
  return true;
}

namespace {
std::string describe(const Token& t) {
  if (t.kind == Tok::End) return "end of markup";
  if (t.kind == Tok::String) return "'" + std::string(t.text) + "'";
  return "'" + std::string(t.text) + "'";
}
}  // namespace

Token TokenStream::expect(Tok k, std::string_view what) {
  if (!at(k)) fail(peek(), "expected " + std::string(what) + ", found " + describe(peek()));
  return next();
}

void TokenStream::expect_end() {
  if (!done()) fail(peek(), "unexpected " + describe(peek()));
}

void TokenStream::fail(const Token& t, std::string_view message) const {
  p_.fail(t.at, message);
}

// ---------------------------------------------------------------------------------------
// Parser

Parser::Parser(std::string_view source, std::string_view filename, const Environment& env)
    : source_(source), filename_(filename), env_(env) {
  line_starts_.push_back(0);
  for (std::size_t i = 0; i < source.size(); ++i) {
    if (source[i] == '\n') line_starts_.push_back(i + 1);
  }
}

Location Parser::location(const char* at) const {
  if (!at || at < source_.data() || at > source_.data() + source_.size()) return {};
  auto off = static_cast<std::size_t>(at - source_.data());
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), off);
  std::size_t line = static_cast<std::size_t>(it - line_starts_.begin());
  return Location{line, off - line_starts_[line - 1] + 1};
}

void Parser::fail(const char* at, std::string_view message) const {
  throw LiquidError(filename_, location(at), message);
}

void Parser::scan(std::string_view s, std::vector<RawToken>& out, bool) {
  std::size_t i = 0;
  const std::size_t n = s.size();
  auto text = [&](std::size_t b, std::size_t e) {
    if (e <= b) return;
    RawToken t;
    t.kind = RawToken::Kind::Text;
    t.text = s.substr(b, e - b);
    t.source = t.text;
    t.at = s.data() + b;
    out.push_back(t);
  };
  while (i < n) {
    std::size_t j = s.find('{', i);
    while (j != std::string_view::npos && j + 1 < n && s[j + 1] != '{' && s[j + 1] != '%') {
      j = s.find('{', j + 1);
    }
    if (j == std::string_view::npos || j + 1 >= n) {
      text(i, n);
      break;
    }
    text(i, j);
    RawToken t;
    t.at = s.data() + j;
    if (s[j + 1] == '{') {
      std::size_t k = s.find("}}", j + 2);
      if (k == std::string_view::npos) fail(t.at, "output '{{' was never closed with '}}'");
      std::string_view inner = s.substr(j + 2, k - j - 2);
      t.kind = RawToken::Kind::Output;
      if (!inner.empty() && inner.front() == '-') {
        t.trim_left = true;
        inner.remove_prefix(1);
      }
      if (!inner.empty() && inner.back() == '-') {
        t.trim_right = true;
        inner.remove_suffix(1);
      }
      t.text = trim(inner);
      t.source = s.substr(j, k + 2 - j);
      out.push_back(t);
      i = k + 2;
      continue;
    }
    std::size_t k = s.find("%}", j + 2);
    if (k == std::string_view::npos) fail(t.at, "tag '{%' was never closed with '%}'");
    std::string_view inner = s.substr(j + 2, k - j - 2);
    t.kind = RawToken::Kind::Tag;
    if (!inner.empty() && inner.front() == '-') {
      t.trim_left = true;
      inner.remove_prefix(1);
    }
    if (!inner.empty() && inner.back() == '-') {
      t.trim_right = true;
      inner.remove_suffix(1);
    }
    split_tag(inner, t);
    t.source = s.substr(j, k + 2 - j);
    i = k + 2;
    if (t.name == "raw" || t.name == "doc") {
      std::string end_name = "end" + std::string(t.name);
      if (t.name == "doc" && !t.text.empty()) fail(t.at, "the doc tag takes no arguments");
      EndTag e = find_end_tag(s, i, end_name);
      if (e.begin == std::string_view::npos) {
        fail(t.at, "'" + std::string(t.name) + "' tag was never closed");
      }
      std::string_view body = s.substr(i, e.begin - i);
      if (t.trim_right) {
        while (!body.empty() && is_ws(body.front())) body.remove_prefix(1);
      }
      if (e.trim_left) {
        while (!body.empty() && is_ws(body.back())) body.remove_suffix(1);
      }
      t.text = body;
      t.trim_right = e.trim_right;
      t.source = s.substr(j, e.end - j);
      i = e.end;
    }
    out.push_back(t);
  }
  // Whitespace control.
  for (std::size_t x = 0; x < out.size(); ++x) {
    if (out[x].kind == RawToken::Kind::Text) continue;
    if (out[x].trim_left && x > 0 && out[x - 1].kind == RawToken::Kind::Text) {
      auto& p = out[x - 1].text;
      while (!p.empty() && is_ws(p.back())) p.remove_suffix(1);
    }
    if (out[x].trim_right && x + 1 < out.size() && out[x + 1].kind == RawToken::Kind::Text) {
      auto& p = out[x + 1].text;
      while (!p.empty() && is_ws(p.front())) p.remove_prefix(1);
    }
  }
}

void Parser::scan_liquid_lines(std::string_view markup, std::vector<RawToken>& out) {
  std::size_t i = 0;
  while (i <= markup.size()) {
    std::size_t e = markup.find('\n', i);
    if (e == std::string_view::npos) e = markup.size();
    std::string_view line = markup.substr(i, e - i);
    std::string_view t = trim(line);
    if (!t.empty()) {
      RawToken tok;
      tok.kind = RawToken::Kind::Tag;
      tok.at = t.data();
      tok.source = t;
      tok.in_liquid_tag = true;
      split_tag(t, tok);
      out.push_back(tok);
    }
    i = e + 1;
  }
}

void Parser::parse_document(Template& t) {
  scan(source_, tokens_, false);
  pos_ = 0;
  RawToken none;
  parse_block(t.body_, {}, none);
}

std::string_view Parser::between(const RawToken& a, const RawToken& b) const {
  const char* begin = a.source.data() + a.source.size();
  const char* end = b.source.data();
  if (end < begin) return {};
  return std::string_view(begin, static_cast<std::size_t>(end - begin));
}

RawToken Parser::parse_block(Block& block, std::initializer_list<std::string_view> stop,
                             const RawToken& opener) {
  while (pos_ < tokens_.size()) {
    const RawToken& tok = tokens_[pos_++];
    switch (tok.kind) {
      case RawToken::Kind::Text:
        if (!tok.text.empty()) {
          auto node = std::make_unique<TextNode>(std::string(tok.text));
          node->loc = location(tok.at);
          block.add(std::move(node));
        }
        break;
      case RawToken::Kind::Output: {
        std::unique_ptr<OutputNode> node;
        try {
          TokenStream ts(*this, tok.text, tok.at);
          node = std::make_unique<OutputNode>(parse_filtered(ts));
          ts.expect_end();
        } catch (const LiquidError& e) {
          if (env_.error_mode() == ErrorMode::kStrict) throw;
          env_.warn(e);  // tolerated: the output renders nothing
          break;
        }
        node->loc = location(tok.at);
        block.add(std::move(node));
        break;
      }
      case RawToken::Kind::Tag: {
        if (std::find(stop.begin(), stop.end(), tok.name) != stop.end()) return tok;
        if (is_closing_tag(tok.name) && !env_.find_tag(tok.name) && !find_builtin_tag(tok.name)) {
          if (env_.error_mode() != ErrorMode::kStrict) {
            env_.warn(LiquidError(filename_, location(tok.at),
                                  "unexpected '" + std::string(tok.name) + "' (ignored)"));
            break;
          }
          if (stop.size() > 0) {
            fail(tok, "unexpected '" + std::string(tok.name) + "' inside '" +
                          std::string(opener.name) + "' (expected '" +
                          std::string(*(stop.end() - 1)) + "')");
          }
          fail(tok, "unexpected '" + std::string(tok.name) + "'");
        }
        std::unique_ptr<Node> node;
        if (env_.error_mode() == ErrorMode::kStrict) {
          node = parse_tag(tok);
        } else {
          node = parse_tag_tolerant(tok);
        }
        if (node) {
          node->loc = location(tok.at);
          block.add(std::move(node));
        }
        break;
      }
    }
  }
  if (stop.size() > 0) {
    fail(opener, "'" + std::string(opener.name) + "' tag was never closed");
  }
  return {};
}

RawToken Parser::skip_block(std::string_view open, std::string_view end, const RawToken& opener) {
  int depth = 1;
  while (pos_ < tokens_.size()) {
    const RawToken& tok = tokens_[pos_++];
    if (tok.kind != RawToken::Kind::Tag) continue;
    if (tok.name == open) ++depth;
    if (tok.name == end && --depth == 0) return tok;
  }
  fail(opener, "'" + std::string(opener.name) + "' tag was never closed");
}

// error_mode warn/lax: a tag whose markup is bad renders nothing; a bad block tag takes its
// body with it, up to the matching end tag. Unclosed blocks stay errors.
std::unique_ptr<Node> Parser::parse_tag_tolerant(const RawToken& tok) {
  const std::size_t after = pos_;
  try {
    return parse_tag(tok);
  } catch (const LiquidError& e) {
    if (e.message().find("was never closed") != std::string::npos) throw;
    env_.warn(e);
    pos_ = after;
    static constexpr std::string_view kBuiltinBlocks[] = {
        "if", "unless", "case", "for", "tablerow", "capture", "comment", "ifchanged"};
    bool block = false;
    if (const TagDef* def = env_.find_tag(tok.name)) block = def->block;
    for (std::string_view b : kBuiltinBlocks) block = block || tok.name == b;
    if (block) skip_block(tok.name, "end" + std::string(tok.name), tok);
    return nullptr;
  }
}

std::unique_ptr<Node> Parser::parse_tag(const RawToken& tok) {
  if (tok.name == "liquid") {
    std::vector<RawToken> sub;
    scan_liquid_lines(tok.text, sub);
    std::swap(sub, tokens_);
    std::size_t saved = pos_;
    pos_ = 0;
    struct LiquidNode : Node {
      Block body;
      void render(Context& ctx, std::string& out) const override { body.render(ctx, out); }
    };
    auto node = std::make_unique<LiquidNode>();
    RawToken none;
    try {
      parse_block(node->body, {}, none);
    } catch (...) {
      std::swap(sub, tokens_);
      pos_ = saved;
      throw;
    }
    std::swap(sub, tokens_);
    pos_ = saved;
    return node;
  }
  if (const TagDef* def = env_.find_tag(tok.name)) {
    struct CustomNode : Node {
      TagRenderer renderer;
      std::unique_ptr<Block> body;
      std::string_view body_source;
      void render(Context& ctx, std::string& out) const override {
        if (body) {
          TagBody b(body.get(), body_source);
          renderer(ctx, out, &b);
        } else {
          renderer(ctx, out, nullptr);
        }
      }
    };
    auto node = std::make_unique<CustomNode>();
    TagInfo info{tok.name, tok.text, filename_, location(tok.at), &env_};
    node->renderer = def->factory(info);
    if (def->block) {
      std::string end = "end" + std::string(tok.name);
      RawToken close;
      node->body = std::make_unique<Block>();
      if (def->raw_body) {
        close = skip_block(tok.name, end, tok);
      } else {
        close = parse_block(*node->body, {end}, tok);
      }
      node->body_source = between(tok, close);
    }
    return node;
  }
  if (BuiltinTagParser f = find_builtin_tag(tok.name)) return f(*this, tok);
  if (tok.name.empty()) fail(tok, "expected a tag name after '{%'");
  fail(tok, "unknown tag '" + std::string(tok.name) + "'");
}

// ---------------------------------------------------------------------------------------
// Expressions

Expr Parser::parse_primary(TokenStream& ts) {
  Expr e;
  Token t = ts.peek();
  switch (t.kind) {
    case Tok::String:
      ts.next();
      e.literal = Value(std::string(t.text));
      return e;
    case Tok::Int: {
      ts.next();
      std::int64_t v = 0;
      auto r = std::from_chars(t.text.data(), t.text.data() + t.text.size(), v);
      if (r.ec != std::errc()) {
        e.literal = Value(std::strtod(std::string(t.text).c_str(), nullptr));
      } else {
        e.literal = Value(v);
      }
      return e;
    }
    case Tok::Float:
      ts.next();
      e.literal = Value(std::strtod(std::string(t.text).c_str(), nullptr));
      return e;
    case Tok::LParen: {
      ts.next();
      e.kind = Expr::Kind::Range;
      e.lo = std::make_shared<Expr>(parse_primary(ts));
      ts.expect(Tok::DotDot, "'..'");
      e.hi = std::make_shared<Expr>(parse_primary(ts));
      ts.expect(Tok::RParen, "')'");
      return e;
    }
    case Tok::Ident: {
      bool more = ts.peek(1).kind == Tok::Dot || ts.peek(1).kind == Tok::LBracket;
      if (!more) {
        if (t.text == "true" || t.text == "false") {
          ts.next();
          e.literal = Value(t.text == "true");
          return e;
        }
        if (t.text == "nil" || t.text == "null") {
          ts.next();
          return e;
        }
        if (t.text == "empty") {
          ts.next();
          e.literal = Value(EmptyLiteral{});
          return e;
        }
        if (t.text == "blank") {
          ts.next();
          e.literal = Value(BlankLiteral{});
          return e;
        }
      }
      ts.next();
      e.kind = Expr::Kind::Variable;
      e.root = std::string(t.text);
      break;
    }
    case Tok::LBracket: {
      ts.next();
      e.kind = Expr::Kind::Variable;
      e.root_expr = std::make_shared<Expr>(parse_primary(ts));
      ts.expect(Tok::RBracket, "']'");
      break;
    }
    default:
      ts.fail(t, "expected a value, found " + describe(t));
  }
  // Path segments.
  for (;;) {
    if (ts.accept(Tok::Dot)) {
      Token id = ts.expect(Tok::Ident, "a property name after '.'");
      e.path.push_back(Expr::Segment{Value(std::string(id.text)), nullptr});
    } else if (ts.accept(Tok::LBracket)) {
      Expr k = parse_primary(ts);
      ts.expect(Tok::RBracket, "']'");
      if (k.kind == Expr::Kind::Literal) {
        e.path.push_back(Expr::Segment{k.literal, nullptr});
      } else {
        e.path.push_back(Expr::Segment{Value(), std::make_shared<Expr>(std::move(k))});
      }
    } else {
      break;
    }
  }
  return e;
}

FilteredExpr Parser::parse_filtered(TokenStream& ts) {
  FilteredExpr fe;
  fe.expr = parse_primary(ts);
  while (ts.accept(Tok::Pipe)) {
    Token name = ts.expect(Tok::Ident, "a filter name after '|'");
    FilterCall call;
    call.name = std::string(name.text);
    call.def = env_.find_filter(call.name);
    call.loc = location(name.at);
    if (ts.accept(Tok::Colon)) {
      do {
        if (ts.peek().kind == Tok::Ident && ts.peek(1).kind == Tok::Colon) {
          std::string key(ts.next().text);
          ts.next();
          call.kwargs.emplace_back(std::move(key), parse_primary(ts));
        } else {
          call.args.push_back(parse_primary(ts));
        }
      } while (ts.accept(Tok::Comma));
    }
    fe.filters.push_back(std::move(call));
  }
  return fe;
}

std::unique_ptr<Condition> Parser::parse_condition(TokenStream& ts) {
  auto c = std::make_unique<Condition>();
  c->left = parse_primary(ts);
  const Token& t = ts.peek();
  if (t.kind == Tok::Comparison || (t.kind == Tok::Ident && t.text == "contains")) {
    std::string_view op = t.text;
    if (op == "==")
      c->op = Condition::Op::Eq;
    else if (op == "!=" || op == "<>")
      c->op = Condition::Op::Ne;
    else if (op == "<")
      c->op = Condition::Op::Lt;
    else if (op == ">")
      c->op = Condition::Op::Gt;
    else if (op == "<=")
      c->op = Condition::Op::Le;
    else if (op == ">=")
      c->op = Condition::Op::Ge;
    else
      c->op = Condition::Op::Contains;
    ts.next();
    c->right = parse_primary(ts);
  }
  if (ts.accept_ident("and")) {
    c->join = Condition::Join::And;
    c->next = parse_condition(ts);
  } else if (ts.accept_ident("or")) {
    c->join = Condition::Join::Or;
    c->next = parse_condition(ts);
  }
  return c;
}

Expr Parser::parse_markup_expr(const RawToken& tok) {
  TokenStream ts(*this, tok.text, tok.at);
  Expr e = parse_primary(ts);
  ts.expect_end();
  return e;
}

// ---------------------------------------------------------------------------------------
// Template

std::shared_ptr<const Template> Template::parse(std::string_view source, std::string_view filename,
                                                const Environment& env) {
  auto t = std::make_shared<Template>(std::string(source), std::string(filename));
  Parser p(t->source_, t->filename_, env);
  p.parse_document(*t);
  return t;
}

}  // namespace mayfly::site::liquid
