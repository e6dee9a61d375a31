// Whitespace control ({%- -%}, {{- -}}) and the suppression of blank blocks.
#include <gtest/gtest.h>

#include "test_util.h"

namespace mayfly::site::liquid {
namespace {

using testing::render;

TEST(Whitespace, DashesStripAdjacentWhitespaceIncludingNewlines) {
  EXPECT_EQ(render("a  \n {{- 'b' -}} \n\t c"), "abc");
  EXPECT_EQ(render("a \n{%- if true -%}\n b \n{%- endif -%}\n c"), "abc");
  EXPECT_EQ(render("a {{ 'b' -}} c"), "a bc");
  EXPECT_EQ(render("a {{- 'b' }} c"), "ab c");
}

TEST(Whitespace, WithoutDashesWhitespaceIsKept) {
  EXPECT_EQ(render("a {{ 'b' }} c"), "a b c");
  EXPECT_EQ(render("<ul>\n{% for i in (1..2) %}  <li>{{ i }}</li>\n{% endfor %}</ul>"),
            "<ul>\n  <li>1</li>\n  <li>2</li>\n</ul>");
}

TEST(Whitespace, ForLoopListWithTrimming) {
  EXPECT_EQ(render("<ul>\n{%- for i in (1..2) %}\n  <li>{{ i }}</li>\n{%- endfor %}\n</ul>"),
            "<ul>\n  <li>1</li>\n  <li>2</li>\n</ul>");
}

TEST(Whitespace, BlankBlocksPrintNothing) {
  EXPECT_EQ(render("[{% if true %}\n  {% assign x = 1 %}\n{% endif %}]"), "[]");
  EXPECT_EQ(
      render("[{% for i in (1..3) %}\n {% capture c %}{{ i }}{% endcapture %}\n{% endfor %}]"),
      "[]");
  // A block that prints something keeps its whitespace.
  EXPECT_EQ(render("[{% if true %}\n{{ 'x' }}\n{% endif %}]"), "[\nx\n]");
}

TEST(Whitespace, RawKeepsItsContentAndHonoursDashes) {
  EXPECT_EQ(render("a {%- raw -%} {{ x }} {%- endraw -%} b"), "a{{ x }}b");
  EXPECT_EQ(render("{% raw %} {% if %} {% endraw %}"), " {% if %} ");
}

TEST(Whitespace, CommentsWithDashes) {
  EXPECT_EQ(render("a\n{%- comment %} hidden {% endcomment -%}\nb"), "ab");
  EXPECT_EQ(render("a {%- # note -%} b"), "ab");
}

TEST(Whitespace, LiquidTag) {
  EXPECT_EQ(render("x\n{%- liquid\n  assign a = 'y'\n  echo a\n-%}\nz"), "xyz");
}

}  // namespace
}  // namespace mayfly::site::liquid
