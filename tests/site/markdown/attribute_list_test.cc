// kramdown block attribute lists ("{: .class #id key="v"}") on the line after a block.
#include <gtest/gtest.h>

#include "site/markdown/attribute_list.h"
#include "site/markdown/render.h"

namespace mayfly::site::markdown {
namespace {

TEST(AttributeList, Parses) {
  auto a = parse_block_ial("{: .note #p1 data-x=\"a b\" k=v}");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(*a, (Attributes{{"id", "p1"}, {"data-x", "a b"}, {"k", "v"}, {"class", "note"}}));
  EXPECT_TRUE(parse_block_ial("{:.a .b}").has_value());
  EXPECT_FALSE(parse_block_ial("{::comment}").has_value());
  EXPECT_FALSE(parse_block_ial("{: .a} text").has_value());
  EXPECT_FALSE(parse_block_ial("{: k=\"open}").has_value());
}

TEST(AttributeList, AppliesToTheBlockAbove) {
  EXPECT_EQ(render("A paragraph.\n{: .note #p1}\n"),
            "<p id=\"p1\" class=\"note\">A paragraph.</p>\n");
  EXPECT_EQ(render("## Head\n{: .big}\n"), "<h2 id=\"head\" class=\"big\">Head</h2>\n");
  EXPECT_EQ(render("## Head\n{: #mine}\n"), "<h2 id=\"mine\">Head</h2>\n");
  EXPECT_EQ(render("---\n{: .rule}\n"), "<hr class=\"rule\" />\n");
  // Separated by a blank line it belongs to no block and is dropped.
  EXPECT_EQ(render("A.\n\n{: .lonely}\n\nB.\n"), "<p>A.</p>\n\n<p>B.</p>\n");
}

}  // namespace
}  // namespace mayfly::site::markdown
