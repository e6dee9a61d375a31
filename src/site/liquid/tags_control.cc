// if / unless / case / ifchanged.
#include "site/liquid/context.h"
#include "site/liquid/parser.h"

namespace mayfly::site::liquid {

namespace {

std::unique_ptr<Condition> condition_of(Parser& p, const RawToken& tok) {
  TokenStream ts(p, tok.text, tok.at);
  auto c = p.parse_condition(ts);
  ts.expect_end();
  return c;
}

class IfNode : public Node {
 public:
  struct Branch {
    std::unique_ptr<Condition> cond;
    bool negate = false;
    Block body;
  };
  std::vector<Branch> branches;
  Block else_body;

  void render(Context& ctx, std::string& out) const override {
    for (const auto& b : branches) {
      if (b.cond->eval(ctx) != b.negate) {
        b.body.render(ctx, out);
        return;
      }
    }
    else_body.render(ctx, out);
  }
  bool blank() const override {
    for (const auto& b : branches) {
      if (!b.body.blank()) return false;
    }
    return else_body.blank();
  }
  void finish() {
    if (!blank()) return;
    for (auto& b : branches) b.body.remove_blank_text();
    else_body.remove_blank_text();
  }
};

std::unique_ptr<Node> parse_conditional(Parser& p, const RawToken& tok, bool negate_first) {
  auto node = std::make_unique<IfNode>();
  std::string end = "end" + std::string(tok.name);
  node->branches.push_back(IfNode::Branch{condition_of(p, tok), negate_first, {}});
  RawToken t = p.parse_block(node->branches.back().body, {"elsif", "else", end}, tok);
  for (;;) {
    if (t.name == end) break;
    if (t.name == "elsif") {
      node->branches.push_back(IfNode::Branch{condition_of(p, t), false, {}});
      t = p.parse_block(node->branches.back().body, {"elsif", "else", end}, tok);
      continue;
    }
    // else: its markup is ignored, and so is anything after a second else/elsif.
    t = p.parse_block(node->else_body, {"elsif", "else", end}, tok);
    while (t.name != end) {
      Block discard;
      t = p.parse_block(discard, {"elsif", "else", end}, tok);
    }
    break;
  }
  node->finish();
  return node;
}

class CaseNode : public Node {
 public:
  struct Branch {
    std::vector<Expr> values;  // empty for else
    bool is_else = false;
    Block body;
  };
  Expr subject;
  std::vector<Branch> branches;

  void render(Context& ctx, std::string& out) const override {
    Value v = subject.eval(ctx);
    bool matched = false;
    for (const auto& b : branches) {
      if (b.is_else) {
        if (!matched) b.body.render(ctx, out);
        continue;
      }
      for (const auto& e : b.values) {
        if (equal(e.eval(ctx), v)) {
          matched = true;
          b.body.render(ctx, out);  // Liquid renders the body once per matching value
        }
      }
    }
  }
  bool blank() const override {
    for (const auto& b : branches) {
      if (!b.body.blank()) return false;
    }
    return true;
  }
};

class IfChangedNode : public Node {
 public:
  Block body;
  void render(Context& ctx, std::string& out) const override {
    std::string s;
    body.render(ctx, s);
    if (s != ctx.ifchanged_last) {
      out += s;
      ctx.ifchanged_last = std::move(s);
    }
  }
};

}  // namespace

std::unique_ptr<Node> parse_if(Parser& p, const RawToken& tok) {
  return parse_conditional(p, tok, false);
}

std::unique_ptr<Node> parse_unless(Parser& p, const RawToken& tok) {
  return parse_conditional(p, tok, true);
}

std::unique_ptr<Node> parse_case(Parser& p, const RawToken& tok) {
  auto node = std::make_unique<CaseNode>();
  node->subject = p.parse_markup_expr(tok);
  Block before;  // anything before the first when is not rendered
  RawToken t = p.parse_block(before, {"when", "else", "endcase"}, tok);
  while (t.name != "endcase") {
    CaseNode::Branch b;
    if (t.name == "when") {
      TokenStream ts(p, t.text, t.at);
      // Anything after the last value that is not `,` or `or` is ignored, as Liquid's lax
      // parser does.
      do {
        b.values.push_back(p.parse_primary(ts));
      } while (ts.accept(Tok::Comma) || ts.accept_ident("or"));
    } else {
      b.is_else = true;
    }
    t = p.parse_block(b.body, {"when", "else", "endcase"}, tok);
    node->branches.push_back(std::move(b));
  }
  if (node->blank()) {
    for (auto& b : node->branches) b.body.remove_blank_text();
  }
  return node;
}

std::unique_ptr<Node> parse_ifchanged(Parser& p, const RawToken& tok) {
  auto node = std::make_unique<IfChangedNode>();
  p.parse_block(node->body, {"endifchanged"}, tok);
  return node;
}

}  // namespace mayfly::site::liquid
