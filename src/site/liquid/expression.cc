#include "site/liquid/expression.h"

#include "site/liquid/parser.h"

namespace mayfly::site::liquid {

namespace {
// Parsed nodes point at no source text, so the markup need not outlive them.
template <typename F>
auto with_parser(std::string_view markup, const Environment& env, std::string_view filename, F f) {
  Parser p(markup, filename, env);
  TokenStream ts(p, markup, markup.data());
  auto result = f(p, ts);
  ts.expect_end();
  return result;
}
}  // namespace

Expression Expression::parse(std::string_view markup, const Environment& env,
                             std::string_view filename) {
  Expression e;
  e.expr_ = with_parser(markup, env, filename, [](Parser& p, TokenStream& ts) {
    return std::make_shared<const FilteredExpr>(p.parse_filtered(ts));
  });
  return e;
}

Value Expression::evaluate(Context& ctx) const {
  return expr_->eval(ctx);
}

ConditionExpression ConditionExpression::parse(std::string_view markup, const Environment& env,
                                               std::string_view filename) {
  ConditionExpression c;
  c.cond_ = with_parser(markup, env, filename, [](Parser& p, TokenStream& ts) {
    return std::shared_ptr<const Condition>(p.parse_condition(ts));
  });
  return c;
}

bool ConditionExpression::evaluate(Context& ctx) const {
  return cond_->eval(ctx);
}

}  // namespace mayfly::site::liquid
