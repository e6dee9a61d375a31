// Rendering behaviour the generator relies on, beyond the conformance suite.
#include <gtest/gtest.h>

#include <cstdlib>

#include "test_util.h"

namespace mayfly::site::liquid {
namespace {

using testing::render;

TEST(Render, ForLoopHelpersAndParentloop) {
  EXPECT_EQ(render("{% for a in (1..2) %}{% for b in (1..2) %}{{ forloop.parentloop.index }}"
                   "{{ forloop.index }}{% unless forloop.last %},{% endunless %}{% endfor %};"
                   "{% endfor %}"),
            "11,12;21,22;");
  EXPECT_EQ(render("{% for p in posts limit: 2 offset: 1 reversed %}{{ p }}{% endfor %}",
                   Hash{{"posts", Array{"a", "b", "c", "d"}}}),
            "cb");
}

TEST(Render, TemplateRendersManyTimesWithFreshState) {
  auto t = Template::parse("{% increment n %}{% cycle 'a', 'b' %}{{ x }}", "t");
  for (int i = 0; i < 3; ++i) {
    Context ctx(Hash{{"x", i}});
    EXPECT_EQ(t->render(ctx), "0a" + std::to_string(i));
  }
}

TEST(Render, AssignedVariablesShadowGlobals) {
  EXPECT_EQ(render("{{ a }}{% assign a = 2 %}{{ a }}", Hash{{"a", 1}}), "12");
}

TEST(Render, DateFilterWithJekyllFormats) {
  setenv("TZ", "UTC", 1);
  EXPECT_EQ(render("{{ d | date: '%b %-d, %Y' }}", Hash{{"d", "2016-03-04 10:00:00 +0000"}}),
            "Mar 4, 2016");
  EXPECT_EQ(
      render("{{ d | date: '%Y-%m-%dT%H:%M:%S%:z' }}", Hash{{"d", "2016-03-04 10:00:00 +0230"}}),
      "2016-03-04T10:00:00+02:30");
  EXPECT_EQ(render("{{ d | date: '%A, %B %e %I %p %j' }}", Hash{{"d", "March 14, 2016"}}),
            "Monday, March 14 12 AM 074");
  EXPECT_EQ(render("{{ 0 | date: '%s %y' }}"), "0 70");
}

TEST(Render, StandardFilterSamples) {
  EXPECT_EQ(render("{{ 'a,b,,c' | split: ',' | join: '-' }}"), "a-b--c");
  EXPECT_EQ(render("{{ 0.1 | plus: 0.2 }}"), "0.3");
  EXPECT_EQ(render("{{ 'Ground control to Major Tom.' | truncate: 20 }}"), "Ground control to...");
  EXPECT_EQ(render("{{ '<p>x &amp; y</p>' | escape_once }}"), "&lt;p&gt;x &amp; y&lt;/p&gt;");
  EXPECT_EQ(render("{{ posts | map: 'title' | join: ', ' }}",
                   Hash{{"posts", Array{Hash{{"title", "A"}}, Hash{{"title", "B"}}}}}),
            "A, B");
  EXPECT_EQ(render("{{ nil | default: 'd' }}{{ false | default: 'd', allow_false: true }}"),
            "dfalse");
}

TEST(Render, ContextHostDataIsReachable) {
  Context ctx;
  ctx.host() = 7;
  EXPECT_EQ(std::any_cast<int>(ctx.host()), 7);
}

}  // namespace
}  // namespace mayfly::site::liquid

namespace mayfly::site::liquid {
namespace {

TEST(Render, NumericEdgesDoNotOverflow) {
  using testing::render;
  EXPECT_EQ(render("{{ 9223372036854775807 | plus: 1 }}"), "9.223372036854776e+18");
  EXPECT_EQ(render("{{ x | ceil }}", Hash{{"x", 1e300}}), "9223372036854775807");
  EXPECT_EQ(render("{{ '99999999999999999999' | date: '%Y' }}"), "99999999999999999999");
  EXPECT_EQ(render("{{ 'abc' | slice: 1, 9223372036854775807 }}"), "bc");
  EXPECT_EQ(render("{% for i in (1..3) limit: 9223372036854775807 %}{{ i }}{% endfor %}"), "123");
  EXPECT_EQ(render("{{ 5.5 | round: 99999 }}"), "5.5");
}

}  // namespace
}  // namespace mayfly::site::liquid
