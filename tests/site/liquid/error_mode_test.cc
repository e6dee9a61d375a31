// Liquid's error modes (Jekyll's liquid.error_mode): strict throws, warn reports and goes on,
// lax goes on silently; unclosed blocks are errors in every mode.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "site/liquid/liquid.h"

namespace mayfly::site::liquid {
namespace {

struct Tolerant {
  explicit Tolerant(ErrorMode mode) {
    env = Environment::standard();
    env.set_error_mode(mode);
    env.set_warning_handler([this](const LiquidError& e) { warnings.push_back(e.what()); });
  }
  std::string render(const std::string& src, Value vars = Hash{}) {
    auto t = Template::parse(src, "post.md", env);
    Context ctx(std::move(vars), env);
    return t->render(ctx);
  }
  Environment env;
  std::vector<std::string> warnings;
};

TEST(ErrorMode, StrictThrows) {
  Tolerant t(ErrorMode::kStrict);
  EXPECT_THROW(t.render("a {% bogus %} b"), LiquidError);
  EXPECT_THROW(t.render("{{ x | }}"), LiquidError);
}

TEST(ErrorMode, WarnReportsBadTagsAndOutputsAndGoesOn) {
  Tolerant t(ErrorMode::kWarn);
  EXPECT_EQ(t.render("a {% bogus x %} b\n{{ 'x' | }} c {% if %}gone{% if y %}{% endif %}"
                     "{% endif %} d {{ 'ok' | upcase }}"),
            "a  b\n c  d OK");
  ASSERT_EQ(t.warnings.size(), 3u);
  EXPECT_EQ(t.warnings[0], "post.md:1:3: unknown tag 'bogus'");
  EXPECT_EQ(t.warnings[1].substr(0, 10), "post.md:2:");
  EXPECT_EQ(t.warnings[2].substr(0, 10), "post.md:2:");
}

TEST(ErrorMode, WarnIgnoresStrayEndTags) {
  Tolerant t(ErrorMode::kWarn);
  EXPECT_EQ(t.render("a{% endfor %}b{% for i in (1..2) %}{{ i }}{% endif %}{% endfor %}"), "ab12");
  ASSERT_EQ(t.warnings.size(), 2u);
  EXPECT_EQ(t.warnings[0], "post.md:1:2: unexpected 'endfor' (ignored)");
}

TEST(ErrorMode, BadBlockTagTakesItsBodyAlong) {
  Tolerant t(ErrorMode::kWarn);
  EXPECT_EQ(t.render("[{% for in %}x{% for j in (1..3) %}{{ j }}{% endfor %}{% endfor %}]"), "[]");
  EXPECT_EQ(t.warnings.size(), 1u);
}

TEST(ErrorMode, LaxIsSilent) {
  Tolerant t(ErrorMode::kLax);
  EXPECT_EQ(t.render("a{% bogus %}b{{ | }}c"), "abc");
  EXPECT_TRUE(t.warnings.empty());
}

TEST(ErrorMode, UnclosedBlocksAreErrorsInEveryMode) {
  for (ErrorMode m : {ErrorMode::kWarn, ErrorMode::kLax}) {
    Tolerant t(m);
    EXPECT_THROW(t.render("{% if x %}never closed"), LiquidError);
    EXPECT_THROW(t.render("{% for in %}bad and never closed"), LiquidError);
  }
}

TEST(ErrorMode, StrictVariablesAndFiltersAreRenderErrors) {
  Tolerant t(ErrorMode::kWarn);
  auto tpl = Template::parse("{{ nope }}{{ 'a' | nofilter }}", "post.md", t.env);
  Context lenient(Value(Hash{}), t.env);
  EXPECT_EQ(tpl->render(lenient), "a");
  Context vars(Value(Hash{}), t.env);
  vars.strict_variables = true;
  EXPECT_THROW(tpl->render(vars), LiquidError);
  Context filters(Value(Hash{}), t.env);
  filters.strict_filters = true;
  EXPECT_THROW(tpl->render(filters), LiquidError);
}

}  // namespace
}  // namespace mayfly::site::liquid
