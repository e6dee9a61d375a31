// The extension API the generator uses: custom filters, custom tags, drops and partials.
#include <gtest/gtest.h>

#include <map>

#include "test_util.h"

namespace mayfly::site::liquid {
namespace {

using testing::render;

TEST(Extension, CustomFilterWithArgumentsAndKeywords) {
  Environment env = Environment::standard();
  // `{{ url | relative_url }}`-style filter reading host state through the context.
  env.register_filter(
      "relative_url",
      [](const Value& in, std::span<const Value>, const KwArgs&, Context& ctx) -> Value {
        std::string base = ctx.get("site").get("baseurl").to_string();
        return base + in.to_string();
      },
      0, 0);
  env.register_filter(
      "wrap",
      [](const Value& in, std::span<const Value> args, const KwArgs& kw, Context&) -> Value {
        std::string l = args[0].to_string();
        const Value* r = kw.find("right");
        return l + in.to_string() + (r ? r->to_string() : l);
      },
      1, 1);
  Value data = Hash{{"site", Hash{{"baseurl", "/blog"}}}};
  EXPECT_EQ(render("{{ '/a.css' | relative_url }}", data, env), "/blog/a.css");
  EXPECT_EQ(render("{{ 'x' | wrap: '[' }} {{ 'x' | wrap: '(', right: ')' }}", data, env),
            "[x[ (x)");
  // Arity is checked at render time with the filter's location.
  EXPECT_THROW(render("{{ 'x' | wrap }}", data, env), LiquidError);
}

TEST(Extension, CustomFilterErrorsGetTheLocation) {
  Environment env = Environment::standard();
  env.register_filter("boom",
                      [](const Value&, std::span<const Value>, const KwArgs&, Context&) -> Value {
                        throw RenderError("it broke");
                      });
  try {
    render("\n {{ 1 | boom }}", Hash{}, env);
    FAIL();
  } catch (const LiquidError& e) {
    EXPECT_STREQ(e.what(), "test.html:2:9: boom: it broke");
  }
}

TEST(Extension, CustomBlockTagRendersItsBody) {
  Environment env = Environment::standard();
  // {% shout times %}body{% endshout %}: the body upcased, `times` times.
  env.register_block("shout", [](const TagInfo& info) -> TagRenderer {
    Expression times = Expression::parse(info.markup, *info.env);
    return [times](Context& ctx, std::string& out, const TagBody* body) {
      std::string s = body->render(ctx);
      for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      auto n = times.evaluate(ctx).as_int();
      for (std::int64_t i = 0; i < n; ++i) out += s;
    };
  });
  EXPECT_EQ(render("{% shout n %}hi {{ who }}!{% endshout %}", Hash{{"n", 2}, {"who", "bob"}}, env),
            "HI BOB!HI BOB!");
  EXPECT_EQ(
      render("{% for i in (1..2) %}{% shout 1 %}{{ i }}{% endshout %}{% endfor %}", Hash{}, env),
      "12");
}

TEST(Extension, CustomTagMarkupErrorsAreParseErrors) {
  Environment env = Environment::standard();
  env.register_tag("post_url", [](const TagInfo& info) -> TagRenderer {
    if (info.markup.empty()) throw info.error("post_url needs a post name");
    std::string name(info.markup);
    return [name](Context&, std::string& out, const TagBody*) { out += "/" + name + "/"; };
  });
  EXPECT_EQ(render("{% post_url 2020-01-01-hello %}", Hash{}, env), "/2020-01-01-hello/");
  try {
    render("x\n  {% post_url %}", Hash{}, env);
    FAIL();
  } catch (const LiquidError& e) {
    EXPECT_STREQ(e.what(), "test.html:2:3: post_url needs a post name");
  }
}

TEST(Extension, RawBodyBlockTagSeesItsSource) {
  Environment env = Environment::standard();
  env.register_block(
      "highlight",
      [](const TagInfo& info) -> TagRenderer {
        std::string lang(info.markup);
        return [lang](Context&, std::string& out, const TagBody* body) {
          out += "<pre class=\"" + lang + "\">" + std::string(body->source()) + "</pre>";
        };
      },
      /*raw_body=*/true);
  EXPECT_EQ(render("{% highlight ruby %}{{ not.liquid }}{% endhighlight %}", Hash{}, env),
            "<pre class=\"ruby\">{{ not.liquid }}</pre>");
}

TEST(Extension, ConditionExpressionForWhereExp) {
  auto cond = ConditionExpression::parse("post.year > 2020 and post.draft != true");
  Context ctx;
  ctx.set_local("post", Hash{{"year", 2021}, {"draft", false}});
  EXPECT_TRUE(cond.evaluate(ctx));
  ctx.set_local("post", Hash{{"year", 2019}});
  EXPECT_FALSE(cond.evaluate(ctx));
}

// page.content computed on demand.
class LazyPage : public Drop {
 public:
  mutable int computed = 0;
  Value get(std::string_view key) const override {
    if (key == "content") {
      ++computed;
      return "<p>body</p>";
    }
    if (key == "title") return "Hello";
    return {};
  }
};

TEST(Extension, DropsAreEvaluatedLazily) {
  auto page = std::make_shared<LazyPage>();
  Value data = Hash{{"page", Value(std::shared_ptr<const Drop>(page))}};
  EXPECT_EQ(render("{{ page.title }}", data), "Hello");
  EXPECT_EQ(page->computed, 0);
  EXPECT_EQ(render("{{ page.content }}{{ page.missing }}", data), "<p>body</p>");
  EXPECT_EQ(page->computed, 1);
}

TEST(Extension, JekyllIncludeWithParametersAndDynamicNames) {
  std::map<std::string, std::string> files = {
      {"note.html", "<b>{{ include.text }}</b>{{ include.n | plus: 1 }}"},
      {"icon-github.svg", "GH({{ include.user }})"},
  };
  int loads = 0;
  Partials partials([&](std::string_view name) -> std::optional<PartialSource> {
    ++loads;
    auto it = files.find(std::string(name));
    if (it == files.end()) return std::nullopt;
    return PartialSource{it->second, "_includes/" + it->first};
  });
  auto t = Template::parse(
      "{% include note.html text=\"hi\" n=page.n %}|"
      "{% include icon-{{ page.icon }}.svg user=page.user %}|"
      "{% include note.html text='again' %}",
      "layout.html");
  Context ctx(Hash{{"page", Hash{{"n", 41}, {"icon", "github"}, {"user", "me"}}}});
  ctx.set_partials(&partials);
  EXPECT_EQ(t->render(ctx), "<b>hi</b>42|GH(me)|<b>again</b>1");
  EXPECT_EQ(t->render(ctx), "<b>hi</b>42|GH(me)|<b>again</b>1");
  EXPECT_EQ(loads, 2);  // parsed once per name, then cached
}

TEST(Extension, IncludeErrorsNameThePartial) {
  Partials partials([](std::string_view name) -> std::optional<PartialSource> {
    if (name == "bad.html") return PartialSource{"ok\n{% if %}", "_includes/bad.html"};
    return std::nullopt;
  });
  auto t = Template::parse("{% include bad.html %}", "page.md");
  Context ctx;
  ctx.set_partials(&partials);
  try {
    t->render(ctx);
    FAIL();
  } catch (const LiquidError& e) {
    EXPECT_STREQ(e.what(), "_includes/bad.html:2:6: expected a value, found end of markup");
  }
  auto missing = Template::parse("{% include nope.html %}", "page.md");
  try {
    missing->render(ctx);
    FAIL();
  } catch (const LiquidError& e) {
    EXPECT_STREQ(e.what(), "page.md:1:1: could not locate the included file 'nope.html'");
  }
}

}  // namespace
}  // namespace mayfly::site::liquid
