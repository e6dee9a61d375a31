// Octopress 2's tags (codeblock, img, blockquote, pullquote) and titled backtick fences.
#include <gtest/gtest.h>

#include "site/jekyll/host.h"
#include "site/markdown/render.h"

namespace mayfly::site {
namespace {

class OctopressTags : public ::testing::Test {
 protected:
  void SetUp() override {
    env_ = liquid::Environment::standard();
    register_jekyll_filters(env_);
    register_jekyll_tags(env_);
  }
  std::string render(const std::string& tpl) {
    auto t = liquid::Template::parse(tpl, "post.md", env_);
    liquid::Context ctx(liquid::Value(liquid::Hash{{"who", "Ada"}}), env_);
    return t->render(ctx);
  }
  static bool has(const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos;
  }
  liquid::Environment env_;
};

TEST_F(OctopressTags, CodeblockWithTitleUrlAndLinkText) {
  std::string out = render(
      "{% codeblock Time to be Awesome! (awesome.rb) http://example.com/a.rb Download it! %}\n"
      "def x\n  1\nend\n{% endcodeblock %}");
  EXPECT_TRUE(
      out.starts_with("<figure class=\"code\"><figcaption><span>Time to be Awesome! "
                      "(awesome.rb)</span><a href=\"http://example.com/a.rb\">Download "
                      "it!</a></figcaption>"))
      << out;
  // The extension in the title picks the language; three numbered, balanced lines.
  EXPECT_TRUE(has(out, "<code class=\"rb\"><span class=\"line\"><span class=\"k\">def</span>"))
      << out;
  EXPECT_TRUE(has(out, "<span class=\"line-number\">3</span>")) << out;
  EXPECT_FALSE(has(out, "<span class=\"line-number\">4</span>")) << out;
  EXPECT_TRUE(out.ends_with("</code></pre></td></tr></table></div></figure>")) << out;
  EXPECT_FALSE(has(out, "\n\n")) << "a blank line would end the HTML block in Markdown";
}

TEST_F(OctopressTags, CodeblockLanguageOptionAndPlainText) {
  std::string out = render("{% codeblock lang:python %}x = 1{% endcodeblock %}");
  EXPECT_TRUE(has(out, "<code class=\"python\">")) << out;
  EXPECT_FALSE(has(out, "<figcaption>")) << out;
  out = render("{% codeblock %}<sarcasm>{{ who }}</sarcasm>{% endcodeblock %}");
  EXPECT_TRUE(has(out,
                  "<code class=\"plain\"><span class=\"line\">&lt;sarcasm&gt;Ada"
                  "&lt;/sarcasm&gt;</span>"))
      << out;
  out = render("{% codeblock Just a link http://x.example/y %}a{% endcodeblock %}");
  EXPECT_TRUE(has(out, "<a href=\"http://x.example/y\">link</a>")) << out;
}

TEST_F(OctopressTags, Img) {
  EXPECT_EQ(render("{% img /images/ninja.png %}"), "<img src=\"/images/ninja.png\">");
  EXPECT_EQ(render("{% img left half http://site.com/n.png Ninja Attack! %}"),
            "<img class=\"left half\" src=\"http://site.com/n.png\" title=\"Ninja Attack!\" "
            "alt=\"Ninja Attack!\">");
  EXPECT_EQ(render("{% img left /n.png 150 100 \"Ninja Attack!\" \"A ninja\" %}"),
            "<img class=\"left\" src=\"/n.png\" width=\"150\" height=\"100\" "
            "title=\"Ninja Attack!\" alt=\"A ninja\">");
  EXPECT_EQ(render("{% img /n.png 150 'It\"s' %}"),
            "<img src=\"/n.png\" width=\"150\" title=\"It&quot;s\" alt=\"It&quot;s\">");
  // Never fatal: a relative path and an empty tag still render.
  EXPECT_EQ(render("{% img images/a.png %}"), "<img src=\"images/a.png\">");
  EXPECT_EQ(render("{% img %}"), "");
}

TEST_F(OctopressTags, Blockquote) {
  EXPECT_EQ(render("{% blockquote %}\nJust words.\n{% endblockquote %}"),
            "<blockquote><p>Just words.</p></blockquote>");
  EXPECT_EQ(render("{% blockquote David Levithan, wide awake %}\nOne\ntwo\n\nThree\n"
                   "{% endblockquote %}"),
            "<blockquote><p>One<br/>two</p><p>Three</p><footer><strong>David Levithan</strong> "
            "<cite>Wide Awake</cite></footer></blockquote>");
  EXPECT_EQ(render("{% blockquote Bobby http://example.com/search?q=pants the search for the "
                   "pants %}Wheee!{% endblockquote %}"),
            "<blockquote><p>Wheee!</p><footer><strong>Bobby</strong> <cite><a "
            "href=\"http://example.com/search?q=pants\">The Search for the Pants</a></cite>"
            "</footer></blockquote>");
  std::string out = render(
      "{% blockquote Seth http://sethgodin.typepad.com/seths_blog/2009/07/welcome.html %}"
      "x{% endblockquote %}");
  EXPECT_TRUE(has(out, ">sethgodin.typepad.com/&hellip;</a>")) << out;
}

TEST_F(OctopressTags, Pullquote) {
  EXPECT_EQ(render("{% pullquote %}\nBefore {\" the quote \"} after.\n{% endpullquote %}"),
            "<span class=\"pullquote-right\" data-pullquote=\"the quote\">Before the quote "
            "after.</span>");
  EXPECT_EQ(render("{% pullquote left %}{\"Q\"}{% endpullquote %}"),
            "<span class=\"pullquote-left\" data-pullquote=\"Q\">Q</span>");
  EXPECT_EQ(render("{% pullquote %}no marks{% endpullquote %}"), "no marks");
}

TEST(OctopressFences, TitledFenceBecomesAFigure) {
  std::string html = markdown::render(
      "Text.\n\n``` ruby Is it prime? http://example.com/prime Source Article\n"
      "def prime?\nend\n```\n\nAfter.\n");
  EXPECT_TRUE(html.find("<figure class=\"code\"><figcaption><span>Is it prime?</span><a "
                        "href=\"http://example.com/prime\">Source Article</a></figcaption>") !=
              std::string::npos)
      << html;
  EXPECT_TRUE(html.find("<code class=\"ruby\">") != std::string::npos) << html;
  EXPECT_TRUE(html.find("<p>After.</p>") != std::string::npos) << html;
  // A fence without a title stays kramdown's code block.
  html = markdown::render("```ruby\nx\n```\n");
  EXPECT_TRUE(html.starts_with("<div class=\"language-ruby highlighter-rouge\">")) << html;
  // Attribute syntaxes of other tools are not titles.
  html = markdown::render("```js {linenos=true}\nx\n```\n");
  EXPECT_EQ(html.find("<figure"), std::string::npos) << html;
}

TEST(OctopressFences, CodeblockSurvivesMarkdown) {
  liquid::Environment env = liquid::Environment::standard();
  register_jekyll_tags(env);
  auto t = liquid::Template::parse(
      "Before.\n\n{% codeblock a.py %}\nx = 1\n\ny = 2\n{% endcodeblock %}\n\nAfter *this*.\n",
      "post.md", env);
  liquid::Context ctx(liquid::Value(liquid::Hash{}), env);
  std::string html = markdown::render(t->render(ctx));
  EXPECT_TRUE(html.find("<span class=\"line\"></span>") != std::string::npos) << html;
  EXPECT_TRUE(html.find("<p>After <em>this</em>.</p>") != std::string::npos) << html;
  EXPECT_EQ(html.find("<p><span class=\"line\">"), std::string::npos) << html;
}

}  // namespace
}  // namespace mayfly::site
