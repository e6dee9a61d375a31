// Jekyll's tags: highlight, link, post_url, include_relative.
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include "site/jekyll/host.h"
#include "site/jekyll/octopress_tags.h"
#include "site/jekyll/read_tracker.h"
#include "site/markdown/highlight/highlight.h"

namespace mayfly::site {
using liquid::Context;
using liquid::Environment;
using liquid::RenderError;
using liquid::TagBody;
using liquid::TagInfo;
using liquid::TagRenderer;
using liquid::Value;

namespace {

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

// Renders `{{ ... }}` inside a tag's markup (Jekyll allows variables in link/post_url).
std::string render_markup(Context& ctx, const std::string& markup) {
  if (markup.find("{{") == std::string::npos) return markup;
  auto tpl = liquid::Template::parse(markup, "tag markup", ctx.env());
  return tpl->render(ctx);
}

TagRenderer highlight_tag(const TagInfo& info) {
  // {% highlight LANG [linenos] %}: Jekyll::Tags::HighlightBlock.
  std::istringstream words{std::string(info.markup)};
  std::string lang, option;
  words >> lang;
  if (lang.empty()) throw info.error("highlight needs a language: {% highlight ruby %}");
  bool linenos = false;
  while (words >> option)
    if (option == "linenos" || option.starts_with("linenos=")) linenos = true;
  for (char& c : lang) c = char(std::tolower(static_cast<unsigned char>(c)));
  return [lang, linenos](Context& ctx, std::string& out, const TagBody* body) {
    std::string code = body ? body->render(ctx) : "";
    // Jekyll drops leading and trailing line breaks of the block.
    size_t start = code.find_first_not_of("\r\n");
    size_t end = code.find_last_not_of("\r\n");
    code = start == std::string::npos ? "" : code.substr(start, end - start + 1);
    std::string html = markdown::highlight(code, lang);
    out += "<figure class=\"highlight\"><pre><code class=\"language-" + lang + "\" data-lang=\"" +
           lang + "\">";
    if (linenos) {
      size_t lines = std::count(code.begin(), code.end(), '\n') + 1;
      out +=
          "<table class=\"rouge-table\"><tbody><tr><td class=\"gutter gl\"><pre class=\"lineno\">";
      for (size_t i = 1; i <= lines; ++i) out += std::to_string(i) + "\n";
      out += "</pre></td><td class=\"code\"><pre>" + html + "\n</pre></td></tr></tbody></table>";
    } else {
      out += html;
    }
    out += "</code></pre></figure>";
  };
}

TagRenderer link_tag(const TagInfo& info) {
  std::string markup = trim(info.markup);
  if (markup.empty()) throw info.error("link needs a path: {% link _posts/2020-01-01-hello.md %}");
  return [markup](Context& ctx, std::string& out, const TagBody*) {
    const RenderHost& host = render_host(ctx);
    std::string path = trim(render_markup(ctx, markup));
    while (path.starts_with("/")) path.erase(0, 1);
    auto it = host.urls_by_path->find(path);
    if (it == host.urls_by_path->end())
      throw RenderError("could not find document '" + path + "' in tag 'link'");
    out += relative_url(*host.config, it->second);
  };
}

TagRenderer post_url_tag(const TagInfo& info) {
  std::string markup = trim(info.markup);
  if (markup.empty()) throw info.error("post_url needs a post: {% post_url 2020-01-01-hello %}");
  return [markup](Context& ctx, std::string& out, const TagBody*) {
    const RenderHost& host = render_host(ctx);
    std::string name = trim(render_markup(ctx, markup));
    while (name.starts_with("/")) name.erase(0, 1);
    auto it = host.post_urls->find(name);
    if (it == host.post_urls->end()) {
      // A subdirectory may be named: "category/2020-01-01-x" matches by its last part too.
      std::string base =
          name.substr(name.rfind('/') == std::string::npos ? 0 : name.rfind('/') + 1);
      it = host.post_urls->find(base);
    }
    if (it == host.post_urls->end())
      throw RenderError("could not find post '" + name + "' in tag 'post_url'");
    out += relative_url(*host.config, it->second);
  };
}

// Parsed once per file and text: the file is read each time, so that a process that builds
// again (serve --watch) never renders a file as it was before an edit.
class RelativeIncludes {
 public:
  std::shared_ptr<const liquid::Template> get(const std::filesystem::path& file,
                                              const std::string& display, const Environment& env) {
    std::ifstream f(file, std::ios::binary);
    if (!f) return nullptr;
    std::ostringstream s;
    s << f.rdbuf();
    std::string text = s.str();
    std::string key = file.string() + '\0' + text;
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
    auto tpl = liquid::Template::parse(text, display, env);
    cache_.emplace(std::move(key), tpl);
    return tpl;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const liquid::Template>> cache_;
};

TagRenderer include_relative_tag(const TagInfo& info) {
  std::string markup = trim(info.markup);
  std::string file = markup.substr(0, markup.find_first_of(" \t"));
  if (file.empty()) throw info.error("include_relative needs a file name");
  if (file.find("..") != std::string::npos)
    throw info.error("include_relative may not climb out with '..'");
  return [file](Context& ctx, std::string& out, const TagBody*) {
    static RelativeIncludes cache;
    const RenderHost& host = render_host(ctx);
    std::filesystem::path dir = std::filesystem::path(host.current_path).parent_path();
    std::string rel = (dir / render_markup(ctx, file)).lexically_normal().string();
    auto tpl = cache.get(host.config->source / rel, rel, ctx.env());
    if (!tpl) throw RenderError("could not locate the included file '" + rel + "'");
    // A source file read behind the documents' values: serve --watch must know.
    if (auto* tracker = dynamic_cast<ReadTracker*>(liquid::hash_read_observer))
      tracker->on_file(rel);
    tpl->render_to(ctx, out);
  };
}

}  // namespace

void register_jekyll_tags(Environment& env) {
  env.register_block("highlight", highlight_tag);
  env.register_tag("link", link_tag);
  env.register_tag("post_url", post_url_tag);
  env.register_tag("include_relative", include_relative_tag);
  // Octopress 2's tags are always there: no Jekyll tag uses their names.
  register_octopress_tags(env);
}

}  // namespace mayfly::site
