// The parsed form of a template: expressions, filter chains, conditions and nodes.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "site/liquid/error.h"
#include "site/liquid/value.h"

namespace mayfly::site::liquid {

class Context;
struct FilterDef;

// A literal, a variable path (`a.b[0]["c"]`, `[expr].x`) or a range `(a..b)`.
struct Expr {
  enum class Kind { Literal, Variable, Range };
  struct Segment {
    Value key;                      // a string or integer known at parse time
    std::shared_ptr<Expr> dynamic;  // or an expression evaluated at render time
  };

  Kind kind = Kind::Literal;
  Value literal;
  std::string root;                 // first name of a variable path
  std::shared_ptr<Expr> root_expr;  // or `[expr]` at the start of the path
  std::vector<Segment> path;
  std::shared_ptr<Expr> lo, hi;  // range bounds

  Value eval(Context& ctx) const;
  bool is_variable() const { return kind == Kind::Variable; }
};

struct FilterCall {
  std::string name;
  const FilterDef* def = nullptr;  // resolved at parse time; nullptr: looked up at render
  std::vector<Expr> args;
  std::vector<std::pair<std::string, Expr>> kwargs;
  Location loc;
};

// An expression followed by `| filter: args` calls.
struct FilteredExpr {
  Expr expr;
  std::vector<FilterCall> filters;
  Value eval(Context& ctx) const;
};

// `a == b and c contains d or e`, evaluated right to left as Liquid does.
struct Condition {
  enum class Op { None, Eq, Ne, Lt, Gt, Le, Ge, Contains };
  enum class Join { None, And, Or };
  Expr left;
  Op op = Op::None;
  Expr right;
  Join join = Join::None;
  std::unique_ptr<Condition> next;

  bool eval(Context& ctx) const;
};

class Node {
 public:
  virtual ~Node() = default;
  virtual void render(Context& ctx, std::string& out) const = 0;
  // True for nodes that print nothing (assign, comment, ...): a block holding only such nodes
  // and whitespace prints nothing at all, as in Liquid.
  virtual bool blank() const { return false; }
  Location loc;
};

// A sequence of nodes: a template body or the body of a block tag.
class Block {
 public:
  void render(Context& ctx, std::string& out) const;
  bool blank() const;
  // Drops whitespace-only text (used when the enclosing tag is blank).
  void remove_blank_text();
  void add(std::unique_ptr<Node> node) { nodes_.push_back(std::move(node)); }
  bool empty() const { return nodes_.empty(); }

 private:
  std::vector<std::unique_ptr<Node>> nodes_;
};

class TextNode : public Node {
 public:
  explicit TextNode(std::string text) : text_(std::move(text)) {}
  void render(Context&, std::string& out) const override { out += text_; }
  bool blank() const override;

 private:
  std::string text_;
};

class OutputNode : public Node {
 public:
  explicit OutputNode(FilteredExpr e) : expr_(std::move(e)) {}
  void render(Context& ctx, std::string& out) const override;

 private:
  FilteredExpr expr_;
};

}  // namespace mayfly::site::liquid
