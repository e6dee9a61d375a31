// assign / capture / increment / decrement / echo.
#include <optional>

#include "site/liquid/context.h"
#include "site/liquid/parser.h"

namespace mayfly::site::liquid {

namespace {

// A name that assign and capture may set: word characters and hyphens, not starting with a
// hyphen.
bool valid_target(std::string_view s) {
  if (s.empty() || s.front() == '-') return false;
  for (char c : s) {
    if (!is_ident_char(c)) return false;
  }
  return true;
}

class AssignNode : public Node {
 public:
  std::string name;
  FilteredExpr value;
  void render(Context& ctx, std::string&) const override { ctx.assign(name, value.eval(ctx)); }
  bool blank() const override { return true; }
};

class CaptureNode : public Node {
 public:
  std::string name;
  Block body;
  void render(Context& ctx, std::string&) const override {
    std::string s;
    body.render(ctx, s);
    ctx.assign(name, Value(std::move(s)));
  }
  bool blank() const override { return true; }
};

class CounterNode : public Node {
 public:
  std::string name;
  bool increment = true;
  void render(Context& ctx, std::string& out) const override {
    auto [it, inserted] = ctx.counters.try_emplace(name, 0);
    if (increment) {
      out += std::to_string(it->second);
      ++it->second;
    } else {
      --it->second;
      out += std::to_string(it->second);
    }
  }
};

class EchoNode : public Node {
 public:
  std::optional<FilteredExpr> expr;
  void render(Context& ctx, std::string& out) const override {
    if (expr) expr->eval(ctx).append_to(out);
  }
};

std::unique_ptr<Node> parse_counter(Parser& p, const RawToken& tok, bool inc) {
  auto node = std::make_unique<CounterNode>();
  TokenStream ts(p, tok.text, tok.at);
  node->name = std::string(ts.expect(Tok::Ident, "a variable name").text);
  ts.expect_end();
  node->increment = inc;
  return node;
}

}  // namespace

std::unique_ptr<Node> parse_assign(Parser& p, const RawToken& tok) {
  auto node = std::make_unique<AssignNode>();
  std::string_view m = tok.text;
  auto eq = m.find('=');
  if (eq == std::string_view::npos) p.fail(tok, "expected '=' in assign");
  std::string_view name = m.substr(0, eq);
  while (!name.empty() && (name.back() == ' ' || name.back() == '\t' || name.back() == '\n' ||
                           name.back() == '\r')) {
    name.remove_suffix(1);
  }
  if (!valid_target(name))
    p.fail(tok, "invalid variable name '" + std::string(name) + "' in assign");
  node->name = std::string(name);
  TokenStream ts(p, m.substr(eq + 1), tok.at);
  node->value = p.parse_filtered(ts);
  ts.expect_end();
  return node;
}

std::unique_ptr<Node> parse_capture(Parser& p, const RawToken& tok) {
  auto node = std::make_unique<CaptureNode>();
  std::string_view name = tok.text;
  if (name.size() >= 2 && (name.front() == '\'' || name.front() == '"') &&
      name.back() == name.front()) {
    name = name.substr(1, name.size() - 2);
  }
  if (!valid_target(name))
    p.fail(tok, "invalid variable name '" + std::string(name) + "' in capture");
  node->name = std::string(name);
  p.parse_block(node->body, {"endcapture"}, tok);
  return node;
}

std::unique_ptr<Node> parse_increment(Parser& p, const RawToken& tok) {
  return parse_counter(p, tok, true);
}

std::unique_ptr<Node> parse_decrement(Parser& p, const RawToken& tok) {
  return parse_counter(p, tok, false);
}

std::unique_ptr<Node> parse_echo(Parser& p, const RawToken& tok) {
  auto node = std::make_unique<EchoNode>();
  if (!tok.text.empty()) {
    TokenStream ts(p, tok.text, tok.at);
    node->expr = p.parse_filtered(ts);
    ts.expect_end();
  }
  return node;
}

}  // namespace mayfly::site::liquid
