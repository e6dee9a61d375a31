// Syntax and render errors carry "file:line:col: message" of the offending token.
#include <gtest/gtest.h>

#include "test_util.h"

namespace mayfly::site::liquid {
namespace {

using testing::error_of;

TEST(ParserErrors, UnknownTagPointsAtTheTag) {
  EXPECT_EQ(error_of("line one\n  {% frobnicate x %}"), "test.html:2:3: unknown tag 'frobnicate'");
}

TEST(ParserErrors, UnclosedBlockPointsAtTheOpeningTag) {
  EXPECT_EQ(error_of("a\nb {% if x %}\nno end"), "test.html:2:3: 'if' tag was never closed");
  EXPECT_EQ(error_of("{% for i in x %}{% endif %}"),
            "test.html:1:17: unexpected 'endif' inside 'for' (expected 'endfor')");
}

TEST(ParserErrors, StrayEndTag) {
  EXPECT_EQ(error_of("{% endfor %}"), "test.html:1:1: unexpected 'endfor'");
  EXPECT_EQ(error_of("{% else %}"), "test.html:1:1: unexpected 'else'");
}

TEST(ParserErrors, BadExpressionPointsAtTheToken) {
  EXPECT_EQ(error_of("{{ 1 + 2 }}"), "test.html:1:6: unexpected character '+'");
  EXPECT_EQ(error_of("x\n{{ foo bar }}"), "test.html:2:8: unexpected 'bar'");
  EXPECT_EQ(error_of("{{ foo..bar }}"), "test.html:1:7: unexpected '..'");
  EXPECT_EQ(error_of("{{ a | }}"),
            "test.html:1:7: expected a filter name after '|', found end of markup");
}

TEST(ParserErrors, UnclosedOutputAndTag) {
  EXPECT_EQ(error_of("ab\n {{ x "), "test.html:2:2: output '{{' was never closed with '}}'");
  EXPECT_EQ(error_of("{% if"), "test.html:1:1: tag '{%' was never closed with '%}'");
}

TEST(ParserErrors, ErrorsInsideLiquidTagKeepSourcePositions) {
  EXPECT_EQ(error_of("{% liquid\n  assign x = 1\n  nosuch y\n%}"),
            "test.html:3:3: unknown tag 'nosuch'");
}

TEST(ParserErrors, InvalidAssignTarget) {
  EXPECT_EQ(error_of("{% assign -x = 1 %}"), "test.html:1:1: invalid variable name '-x' in assign");
}

TEST(RenderErrors, FilterErrorsPointAtTheFilter) {
  EXPECT_EQ(error_of("\n\n   {{ 10 | divided_by: 0 }}"),
            "test.html:3:12: divided_by: divided by 0");
  EXPECT_EQ(error_of("{{ 'x' | append }}"),
            "test.html:1:10: append: wrong number of arguments (given 0, expected 1)");
}

TEST(RenderErrors, ComparisonErrorsPointAtTheTag) {
  EXPECT_EQ(error_of("ok\n{% if '2' > 1 %}{% endif %}"),
            "test.html:2:1: comparison of string with integer failed");
}

TEST(RenderErrors, MissingIncludeIsAnError) {
  EXPECT_EQ(error_of("{% include 'nope' %}"),
            "test.html:1:1: cannot include 'nope': no partials loader");
}

TEST(RenderErrors, UndefinedVariablesAndFiltersAreLax) {
  EXPECT_EQ(testing::render("[{{ nothing.here }}][{{ 'a' | no_such_filter }}]"), "[][a]");
}

TEST(LiquidErrorTest, ExposesParts) {
  try {
    testing::render("{% bogus %}");
    FAIL() << "no error";
  } catch (const LiquidError& e) {
    EXPECT_EQ(e.file(), "test.html");
    EXPECT_EQ(e.location().line, 1u);
    EXPECT_EQ(e.location().col, 1u);
    EXPECT_EQ(e.message(), "unknown tag 'bogus'");
  }
}

}  // namespace
}  // namespace mayfly::site::liquid

namespace mayfly::site::liquid {
namespace {

TEST(RenderErrors, StrictVariablesAndFilters) {
  auto t = Template::parse("{{ page.title }}\n{{ page.nope }}", "strict.html");
  Context ctx(Hash{{"page", Hash{{"title", "T"}}}});
  EXPECT_EQ(t->render(ctx), "T\n");
  ctx.strict_variables = true;
  try {
    t->render(ctx);
    FAIL();
  } catch (const LiquidError& e) {
    EXPECT_STREQ(e.what(), "strict.html:2:1: undefined variable 'nope'");
  }
  auto f = Template::parse("{{ 'x' | nosuch }}", "f.html");
  Context c2;
  EXPECT_EQ(f->render(c2), "x");
  c2.strict_filters = true;
  EXPECT_THROW(f->render(c2), LiquidError);
}

}  // namespace
}  // namespace mayfly::site::liquid
