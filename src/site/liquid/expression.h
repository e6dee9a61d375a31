// Liquid expressions parsed once and evaluated by host code: `page.title | upcase` for a
// custom tag's markup, or `item.year > 2020 and item.draft != true` for Jekyll's where_exp.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "site/liquid/environment.h"
#include "site/liquid/value.h"

namespace mayfly::site::liquid {

class Context;
struct FilteredExpr;
struct Condition;

// A value with optional filters: `a.b[0] | join: ", "`.
class Expression {
 public:
  // Throws LiquidError "filename:1:col: ..." when `markup` is not one expression.
  static Expression parse(std::string_view markup, const Environment& env = Environment::standard(),
                          std::string_view filename = "expression");
  Value evaluate(Context& ctx) const;

 private:
  std::shared_ptr<const FilteredExpr> expr_;
};

// A condition as `if` takes it: comparisons joined by and/or.
class ConditionExpression {
 public:
  static ConditionExpression parse(std::string_view markup,
                                   const Environment& env = Environment::standard(),
                                   std::string_view filename = "expression");
  bool evaluate(Context& ctx) const;

 private:
  std::shared_ptr<const Condition> cond_;
};

}  // namespace mayfly::site::liquid
