#include <gtest/gtest.h>

#include "site/jekyll/front_matter.h"
#include "site/jekyll/yaml_value.h"

namespace mayfly::site {
namespace {

TEST(FrontMatter, SplitsAndTypes) {
  auto fm = parse_front_matter(
      "---\ntitle: \"Hi\"\ncount: 3\nratio: 1.5\ndraft: yes\nnothing: ~\nquoted: '42'\n---\nBody\n",
      "x.md");
  ASSERT_TRUE(fm);
  const auto& h = fm->data.as_hash();
  EXPECT_EQ(h.find("title")->to_string(), "Hi");
  EXPECT_TRUE(h.find("count")->is_int());
  EXPECT_TRUE(h.find("ratio")->is_float());
  EXPECT_TRUE(h.find("draft")->is_bool());
  EXPECT_TRUE(h.find("nothing")->is_nil());
  EXPECT_TRUE(h.find("quoted")->is_string()) << "quoted scalars stay strings";
  EXPECT_EQ(fm->content, "Body\n");
  EXPECT_EQ(fm->content_line, 9);
}

TEST(FrontMatter, AbsentEmptyAndDots) {
  EXPECT_FALSE(parse_front_matter("no front matter", "x.md"));
  EXPECT_FALSE(parse_front_matter("--- not front matter\n", "x.md"));
  auto empty = parse_front_matter("---\n---\nText", "x.md");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->data.is_hash());
  EXPECT_EQ(empty->content, "Text");
  auto dots = parse_front_matter("---\na: 1\n...\nText", "x.md");
  ASSERT_TRUE(dots);
  EXPECT_EQ(dots->content, "Text");
  auto crlf = parse_front_matter("---\r\na: 1\r\n---\r\nText", "x.md");
  ASSERT_TRUE(crlf);
  EXPECT_EQ(crlf->content, "Text");
}

TEST(FrontMatter, ErrorsNameFileLineAndColumn) {
  try {
    parse_front_matter("---\ntitle: ok\nbad: [1, 2\n---\n", "_posts/x.md");
    FAIL();
  } catch (const SourceError& e) {
    EXPECT_TRUE(std::string(e.what()).starts_with("_posts/x.md:4:")) << e.what();
  }
  try {
    parse_front_matter("---\ntitle: never closed\n", "y.md");
    FAIL();
  } catch (const SourceError& e) {
    EXPECT_TRUE(std::string(e.what()).starts_with("y.md:1:1: front matter is not closed"))
        << e.what();
  }
  try {
    parse_front_matter("---\n- a list\n---\n", "z.md");
    FAIL();
  } catch (const SourceError& e) {
    EXPECT_NE(std::string(e.what()).find("mapping"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace mayfly::site
