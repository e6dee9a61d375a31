// Fuzzes the page pipeline of `mayfly build` on one template: Liquid parsing in Jekyll's
// default error mode (warn) with Jekyll's and Octopress's tags, rendering, then Markdown
// (block attribute lists, titled fences, raw HTML). Invariant: no crash, no sanitizer report;
// Liquid and site errors are ordinary outcomes. Inputs with loops are only parsed, so that a
// nested loop over a split string cannot make a unit run for minutes.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "site/jekyll/host.h"
#include "site/liquid/liquid.h"
#include "site/markdown/render.h"

namespace {

struct Fixture {
  Fixture() {
    env = mayfly::site::liquid::Environment::standard();
    mayfly::site::register_jekyll_filters(env);
    mayfly::site::register_jekyll_tags(env);
    env.set_error_mode(mayfly::site::liquid::ErrorMode::kWarn);
    env.set_warning_handler([](const mayfly::site::liquid::LiquidError&) {});
    config.url = "https://example.org";
    host.config = &config;
    host.urls_by_path = &urls;
    host.post_urls = &posts;
    host.markdownify = [](std::string_view t) { return mayfly::site::markdown::render(t); };
  }
  mayfly::site::liquid::Environment env;
  mayfly::site::SiteConfig config;
  std::map<std::string, std::string> urls{{"about.md", "/about/"}}, posts;
  mayfly::site::RenderHost host;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 8192) return 0;
  static Fixture f;
  std::string_view src(reinterpret_cast<const char*>(data), size);
  std::string text(src);
  try {
    auto tpl = mayfly::site::liquid::Template::parse(src, "post.md", f.env);
    if (src.find("for") == std::string_view::npos &&
        src.find("tablerow") == std::string_view::npos) {
      mayfly::site::liquid::Context ctx(
          mayfly::site::liquid::Value(mayfly::site::liquid::Hash{{"title", "T"}}), f.env);
      ctx.host() = static_cast<const mayfly::site::RenderHost*>(&f.host);
      text = tpl->render(ctx);
    }
  } catch (const std::exception&) {
    // Bad templates are reported to the user; not a finding.
  }
  if (text.size() <= 1 << 20) (void)mayfly::site::markdown::render(text);
  return 0;
}
