// Jekyll's filters and tags, rendered through the Liquid engine with a site host.
#include <gtest/gtest.h>

#include <map>

#include "site/jekyll/host.h"
#include "site/markdown/render.h"

namespace mayfly::site {
namespace {

using liquid::Array;
using liquid::Hash;
using liquid::Value;

class JekyllFilters : public ::testing::Test {
 protected:
  void SetUp() override {
    env_ = liquid::Environment::standard();
    register_jekyll_filters(env_);
    register_jekyll_tags(env_);
    config_.url = "https://example.org";
    config_.baseurl = "/blog";
    urls_ = {{"about.md", "/about/"}};
    posts_ = {{"2024-01-15-hello", "/2024/01/15/hello.html"}};
    host_.config = &config_;
    host_.urls_by_path = &urls_;
    host_.post_urls = &posts_;
    host_.markdownify = [](std::string_view t) { return markdown::render(t); };
  }

  std::string render(const std::string& tpl, Hash vars = {}) {
    auto t = liquid::Template::parse(tpl, "test.html", env_);
    liquid::Context ctx(Value(std::move(vars)), env_);
    ctx.host() = static_cast<const RenderHost*>(&host_);
    return t->render(ctx);
  }

  liquid::Environment env_;
  SiteConfig config_;
  std::map<std::string, std::string> urls_, posts_;
  RenderHost host_;
};

TEST_F(JekyllFilters, Urls) {
  EXPECT_EQ(render("{{ '/about/' | relative_url }}"), "/blog/about/");
  EXPECT_EQ(render("{{ 'about' | relative_url }}"), "/blog/about");
  EXPECT_EQ(render("{{ '/a b/' | relative_url }}"), "/blog/a%20b/");
  EXPECT_EQ(render("{{ '/x' | absolute_url }}"), "https://example.org/blog/x");
  EXPECT_EQ(render("{{ 'https://other.example/x' | absolute_url }}"), "https://other.example/x");
  EXPECT_EQ(render("{% link about.md %}"), "/blog/about/");
  EXPECT_EQ(render("{% post_url 2024-01-15-hello %}"), "/blog/2024/01/15/hello.html");
  EXPECT_THROW(render("{% post_url 2000-01-01-missing %}"), liquid::LiquidError);
  EXPECT_THROW(render("{% link nope.md %}"), liquid::LiquidError);
}

TEST_F(JekyllFilters, Dates) {
  Hash v{{"d", "2024-02-01 10:30:00 +0200"}};
  EXPECT_EQ(render("{{ d | date_to_xmlschema }}", v), "2024-02-01T10:30:00+02:00");
  EXPECT_EQ(render("{{ d | date_to_rfc822 }}", v), "Thu, 01 Feb 2024 10:30:00 +0200");
  EXPECT_EQ(render("{{ d | date_to_string }}", v), "01 Feb 2024");
  EXPECT_EQ(render("{{ d | date_to_long_string }}", v), "01 February 2024");
  EXPECT_EQ(render("{{ d | date_to_string: 'ordinal' }}", v), "1st Feb 2024");
  EXPECT_EQ(render("{{ d | date_to_long_string: 'ordinal', 'US' }}", v), "February 1st, 2024");
}

TEST_F(JekyllFilters, Escaping) {
  EXPECT_EQ(render("{{ '<a href=\"x\">&</a>' | xml_escape }}"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;");
  EXPECT_EQ(render("{{ 'a b&c=d/é' | cgi_escape }}"), "a+b%26c%3Dd%2F%C3%A9");
  EXPECT_EQ(render("{{ 'a b?c=d#e' | uri_escape }}"), "a%20b?c=d#e");
  EXPECT_EQ(render("{{ 'Hello, World!' | slugify }}"), "hello-world");
  EXPECT_EQ(render("{{ 'The _config.yml file' | slugify: 'pretty' }}"), "the-_config.yml-file");
  EXPECT_EQ(render("{{ '\"Quote\" -- it...' | smartify }}"), "\u201CQuote\u201D \u2013 it\u2026");
  EXPECT_EQ(render("{{ '*hi*' | markdownify }}"), "<p><em>hi</em></p>\n");
}

TEST_F(JekyllFilters, Collections) {
  Array posts = {Hash{{"title", "A"}, {"cat", "x"}, {"tags", Array{"t1", "t2"}}, {"n", 3}},
                 Hash{{"title", "B"}, {"cat", "y"}, {"tags", Array{"t2"}}, {"n", 1}},
                 Hash{{"title", "C"}, {"cat", "x"}, {"tags", Array{}}}};
  Hash v{{"posts", posts}};
  EXPECT_EQ(render("{{ posts | where: 'cat', 'x' | map: 'title' | join: ',' }}", v), "A,C");
  EXPECT_EQ(render("{{ posts | where: 'tags', 't2' | map: 'title' | join: ',' }}", v), "A,B");
  EXPECT_EQ(render("{{ posts | where_exp: 'p', 'p.n > 1' | map: 'title' | join: ',' }}", v), "A");
  EXPECT_EQ(render("{{ posts | find: 'cat', 'y' | map: 'title' }}", v), "B");
  EXPECT_EQ(render("{% assign g = posts | group_by: 'cat' %}{% for x in g %}{{ x.name }}={{ x.size "
                   "}};{% endfor %}",
                   v),
            "x=2;y=1;");
  EXPECT_EQ(render("{{ posts | sort: 'n' | map: 'title' | join: ',' }}", v), "C,B,A")
      << "nils first";
  EXPECT_EQ(render("{{ posts | sort: 'n', 'last' | map: 'title' | join: ',' }}", v), "B,A,C");
  EXPECT_EQ(render("{{ posts | map: 'title' | array_to_sentence_string }}", v), "A, B, and C");
  EXPECT_EQ(render("{{ posts | map: 'title' | array_to_sentence_string: 'or' }}", v), "A, B, or C");
  EXPECT_EQ(render("{{ posts | map: 'title' | push: 'D' | shift | pop | join: ',' }}", v), "B,C");
  EXPECT_EQ(render("{{ posts | map: 'title' | unshift: 'Z' | first }}", v), "Z");
  EXPECT_EQ(render("{{ posts | first | jsonify }}", v),
            "{\"title\":\"A\",\"cat\":\"x\",\"tags\":[\"t1\",\"t2\"],\"n\":3}");
  EXPECT_EQ(render("{{ posts | map: 'title' | sample: 3 | size }}", v), "3");
}

TEST_F(JekyllFilters, Text) {
  EXPECT_EQ(render("{{ 'one  two\n three' | number_of_words }}"), "3");
  EXPECT_EQ(render("{{ 'a \n\t b' | normalize_whitespace }}"), "a b");
  EXPECT_EQ(render("{{ '42' | to_integer | plus: 1 }}"), "43");
  EXPECT_EQ(render("{{ x | inspect }}", Hash{{"x", Array{"a", 1}}}), "[&quot;a&quot;, 1]");
}

TEST_F(JekyllFilters, HighlightTag) {
  std::string ruby = render("{% highlight ruby %}\nputs 1\n{% endhighlight %}");
  EXPECT_TRUE(ruby.starts_with(
      "<figure class=\"highlight\"><pre><code class=\"language-ruby\" data-lang=\"ruby\"><span"))
      << ruby;
  EXPECT_TRUE(ruby.ends_with("</code></pre></figure>")) << ruby;
  std::string numbered = render("{% highlight text linenos %}\na\nb\n{% endhighlight %}");
  EXPECT_NE(numbered.find("<pre class=\"lineno\">1\n2\n</pre>"), std::string::npos) << numbered;
  EXPECT_THROW(render("{% highlight %}x{% endhighlight %}"), liquid::LiquidError);
}

}  // namespace
}  // namespace mayfly::site
