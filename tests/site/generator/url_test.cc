#include <gtest/gtest.h>

#include "site/jekyll/prepare.h"
#include "site/jekyll/url.h"

namespace mayfly::site {
namespace {

TEST(Slugify, ModesAsJekyll) {
  EXPECT_EQ(slugify("The _config.yml file"), "the-config-yml-file");
  EXPECT_EQ(slugify("The _config.yml file", SlugMode::Pretty), "the-_config.yml-file");
  EXPECT_EQ(slugify("The _config.yml file", SlugMode::Raw), "the-_config.yml-file");
  EXPECT_EQ(slugify("The _config.yml file", SlugMode::Ascii), "the-config-yml-file");
  EXPECT_EQ(slugify("The _config.yml file", SlugMode::None), "the _config.yml file");
  EXPECT_EQ(slugify("  Hello, World!  "), "hello-world");
  EXPECT_EQ(slugify("Café au lait"), "café-au-lait");
  EXPECT_EQ(slugify("Keep Case", SlugMode::Default, true), "Keep-Case");
}

TEST(Permalink, Styles) {
  EXPECT_EQ(post_permalink_template("date"), "/:categories/:year/:month/:day/:title:output_ext");
  EXPECT_EQ(post_permalink_template("pretty"), "/:categories/:year/:month/:day/:title/");
  EXPECT_EQ(post_permalink_template("ordinal"), "/:categories/:year/:y_day/:title:output_ext");
  EXPECT_EQ(post_permalink_template("weekdate"),
            "/:categories/:year/W:week/:short_day/:title:output_ext");
  EXPECT_EQ(post_permalink_template("none"), "/:categories/:title:output_ext");
  EXPECT_EQ(post_permalink_template("/blog/:title/"), "/blog/:title/");
  EXPECT_EQ(add_permalink_suffix("/:path/:basename", "pretty"), "/:path/:basename/");
  EXPECT_EQ(add_permalink_suffix("/:path/:basename", "date"), "/:path/:basename:output_ext");
  EXPECT_EQ(add_permalink_suffix("/:path/:basename", "/:year/:title/"), "/:path/:basename/");
}

TEST(Permalink, ExpandsPlaceholders) {
  std::vector<Placeholder> p = {{"categories", "", false},
                                {"year", "2024"},
                                {"title", "hello world"},
                                {"titles", "X"},
                                {"output_ext", ".html"}};
  EXPECT_EQ(expand_url("/:categories/:year/:title:output_ext", p), "/2024/hello%20world.html");
  EXPECT_EQ(expand_url("/:titles/:title", p), "/X/hello%20world") << "longest names first";
  EXPECT_EQ(expand_url("blog//:year/./x/", p), "/blog/2024/x/");
}

TEST(Permalink, OutputPaths) {
  EXPECT_EQ(output_path_for_url("/", ".html"), "index.html");
  EXPECT_EQ(output_path_for_url("/a/b/", ".html"), "a/b/index.html");
  EXPECT_EQ(output_path_for_url("/about", ".html"), "about.html");
  EXPECT_EQ(output_path_for_url("/about.html", ".html"), "about.html");
  EXPECT_EQ(output_path_for_url("/feed.xml", ".xml"), "feed.xml");
  EXPECT_EQ(output_path_for_url("/hello%20world/", ".html"), "hello world/index.html");
}

TEST(Titles, FromSlugs) {
  EXPECT_EQ(titleize_slug("my-first-post"), "My First Post");
  EXPECT_EQ(format_time(1705276800, 0), "2024-01-15 00:00:00 +0000");
  EXPECT_EQ(format_time(1706776200, 7200), "2024-02-01 10:30:00 +0200");
}

}  // namespace
}  // namespace mayfly::site
