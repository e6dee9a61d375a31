#include "site/jekyll/plugins.h"

#include <algorithm>

#include "site/jekyll/host.h"
#include "site/jekyll/prepare.h"
#include "site/jekyll/url.h"
#include "site/liquid/liquid.h"

namespace mayfly::site {
using liquid::Array;
using liquid::Context;
using liquid::Hash;
using liquid::TagBody;
using liquid::TagInfo;
using liquid::TagRenderer;
using liquid::Value;

namespace {

std::string strip_html(std::string_view s) {
  std::string out;
  bool tag = false;
  for (char c : s) {
    if (c == '<')
      tag = true;
    else if (c == '>')
      tag = false;
    else if (!tag)
      out += c;
  }
  return out;
}

std::string squish(std::string_view s) {
  std::string out;
  bool space = false;
  for (unsigned char c : s) {
    if (std::isspace(c)) {
      space = !out.empty();
    } else {
      if (space) out += ' ';
      space = false;
      out += char(c);
    }
  }
  return out;
}

std::string get_str(const Value& h, std::string_view key) {
  Value v = h.get(key);
  return v.is_nil() ? std::string() : v.to_string();
}

// site.author / page.author may be a string or a hash with a name.
std::string author_name(const Value& v) {
  if (v.is_hash()) return get_str(v, "name");
  return v.is_nil() ? "" : v.to_string();
}

TagRenderer feed_meta_tag(const TagInfo&) {
  return [](Context& ctx, std::string& out, const TagBody*) {
    const RenderHost& host = render_host(ctx);
    std::string title = get_str(ctx.get("site"), "title");
    if (title.empty()) title = get_str(ctx.get("site"), "name");
    out += "<link type=\"application/atom+xml\" rel=\"alternate\" href=\"" +
           absolute_url(*host.config, "/feed.xml") + "\" title=\"" + xml_escape(title) + "\" />";
  };
}

TagRenderer seo_tag(const TagInfo& info) {
  bool with_title = info.markup.find("title=false") == std::string_view::npos;
  return [with_title](Context& ctx, std::string& out, const TagBody*) {
    const RenderHost& host = render_host(ctx);
    Value site = ctx.get("site"), page = ctx.get("page"), paginator = ctx.get("paginator");
    std::string site_title = get_str(site, "title");
    if (site_title.empty()) site_title = get_str(site, "name");
    std::string page_title = get_str(page, "title");
    std::string site_desc = get_str(site, "description");
    std::string url = get_str(page, "url");
    bool home = url == "/" || url == "/index.html";
    std::string title = page_title.empty() ? site_title
                        : site_title.empty() || page_title == site_title
                            ? page_title
                            : page_title + " | " + site_title;
    if (home && !site_desc.empty() && page_title.empty()) title = site_title + " | " + site_desc;
    int64_t pnum = paginator.get("page").is_number() ? int64_t(paginator.get("page").number()) : 1;
    if (pnum > 1) title += " | Page " + std::to_string(pnum);
    std::string desc = get_str(page, "description");
    if (desc.empty()) desc = squish(strip_html(get_str(page, "excerpt")));
    if (desc.empty()) desc = site_desc;
    std::string canonical = absolute_url(*host.config, url);
    std::string author = author_name(page.get("author"));
    if (author.empty()) author = author_name(site.get("author"));
    bool article = !page.get("date").is_nil();
    out += "<!-- Begin Jekyll SEO tag (mayfly) -->\n";
    if (with_title) out += "<title>" + xml_escape(title) + "</title>\n";
    out += "<meta name=\"generator\" content=\"mayfly\" />\n";
    std::string og_title = page_title.empty() ? site_title : page_title;
    out += "<meta property=\"og:title\" content=\"" + xml_escape(og_title) + "\" />\n";
    if (!author.empty()) out += "<meta name=\"author\" content=\"" + xml_escape(author) + "\" />\n";
    out += "<meta property=\"og:locale\" content=\"" +
           xml_escape(get_str(site, "lang").empty() ? "en_US" : get_str(site, "lang")) + "\" />\n";
    if (!desc.empty()) {
      out += "<meta name=\"description\" content=\"" + xml_escape(desc) + "\" />\n";
      out += "<meta property=\"og:description\" content=\"" + xml_escape(desc) + "\" />\n";
    }
    out += "<link rel=\"canonical\" href=\"" + xml_escape(canonical) + "\" />\n";
    out += "<meta property=\"og:url\" content=\"" + xml_escape(canonical) + "\" />\n";
    if (!site_title.empty())
      out += "<meta property=\"og:site_name\" content=\"" + xml_escape(site_title) + "\" />\n";
    out += std::string("<meta property=\"og:type\" content=\"") +
           (article ? "article" : "website") + "\" />\n";
    if (article)
      out += "<meta property=\"article:published_time\" content=\"" + xmlschema(page.get("date")) +
             "\" />\n";
    out += "<meta name=\"twitter:card\" content=\"summary\" />\n";
    out += "<meta property=\"twitter:title\" content=\"" + xml_escape(og_title) + "\" />\n";
    Hash ld;
    ld.set("@context", "https://schema.org");
    ld.set("@type", article ? "BlogPosting" : "WebSite");
    ld.set("headline", og_title);
    if (!desc.empty()) ld.set("description", desc);
    ld.set("url", canonical);
    if (article) {
      ld.set("datePublished", xmlschema(page.get("date")));
      ld.set("dateModified", xmlschema(page.get("date")));
    }
    if (!author.empty()) ld.set("author", Hash{{"@type", "Person"}, {"name", author}});
    out +=
        "<script type=\"application/ld+json\">\n" + to_json(Value(std::move(ld))) + "</script>\n";
    out += "<!-- End Jekyll SEO tag -->\n";
  };
}

std::string feed_xml(const SiteConfig& config, const SiteRenderer& r, const SiteContent& content,
                     int64_t) {
  const Value& site = r.site_value();
  std::string url = absolute_url(config, "/");
  std::string feed_url = absolute_url(config, "/feed.xml");
  std::string title = get_str(site, "title");
  if (title.empty()) title = get_str(site, "name");
  std::string out =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?><feed xmlns=\"http://www.w3.org/2005/Atom\" >";
  out += "<generator uri=\"https://github.com/mayfly\" version=\"" + std::string("0.1") +
         "\">mayfly</generator>";
  out +=
      "<link href=\"" + xml_escape(feed_url) + "\" rel=\"self\" type=\"application/atom+xml\" />";
  out += "<link href=\"" + xml_escape(url) + "\" rel=\"alternate\" type=\"text/html\" />";
  out += "<updated>" + xmlschema(site.get("time")) + "</updated>";
  out += "<id>" + xml_escape(feed_url) + "</id>";
  if (!title.empty()) out += "<title type=\"html\">" + xml_escape(title) + "</title>";
  if (!get_str(site, "description").empty())
    out += "<subtitle>" + xml_escape(get_str(site, "description")) + "</subtitle>";
  std::string site_author = author_name(site.get("author"));
  if (!site_author.empty()) out += "<author><name>" + xml_escape(site_author) + "</name></author>";
  int limit = 10;
  if (Value f = site.get("feed"); f.is_hash() && f.get("posts_limit").is_number())
    limit = int(f.get("posts_limit").number());
  int n = 0;
  for (auto it = content.posts.rbegin(); it != content.posts.rend() && n < limit; ++it) {
    const Document& d = **it;
    if (d.kind == DocumentKind::Draft) continue;
    ++n;
    Value page = r.document_value(d);
    std::string post_url = absolute_url(config, d.url);
    std::string t = squish(strip_html(get_str(page, "title")));
    out += "<entry><title type=\"html\">" + xml_escape(t) + "</title>";
    out += "<link href=\"" + xml_escape(post_url) +
           "\" rel=\"alternate\" type=\"text/html\" title=\"" + xml_escape(t) + "\" />";
    std::string date = xmlschema(page.get("date"));
    out += "<published>" + date + "</published><updated>" + date + "</updated>";
    out += "<id>" + xml_escape(post_url) + "</id>";
    out += "<content type=\"html\" xml:base=\"" + xml_escape(post_url) + "\">" +
           xml_escape(d.content) + "</content>";
    std::string author = author_name(page.get("author"));
    if (author.empty()) author = site_author;
    if (!author.empty()) out += "<author><name>" + xml_escape(author) + "</name></author>";
    for (const auto& c : d.categories) out += "<category term=\"" + xml_escape(c) + "\" />";
    for (const auto& tg : d.tags) out += "<category term=\"" + xml_escape(tg) + "\" />";
    std::string summary = squish(strip_html(d.excerpt));
    if (!summary.empty()) out += "<summary type=\"html\">" + xml_escape(summary) + "</summary>";
    out += "</entry>";
  }
  out += "</feed>";
  return out;
}

std::string sitemap_xml(const SiteConfig& config, const SiteRenderer& r,
                        const SiteContent& content) {
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset "
      "xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n";
  auto add = [&](const std::string& url, const std::string& lastmod) {
    out += "<url>\n<loc>" + xml_escape(absolute_url(config, url)) + "</loc>\n";
    if (!lastmod.empty()) out += "<lastmod>" + lastmod + "</lastmod>\n";
    out += "</url>\n";
  };
  auto listed = [](const Document& d) {
    const Value* s = d.data.find("sitemap");
    return !(s && s->is_bool() && !s->as_bool());
  };
  for (const auto& d : content.posts)
    if (listed(*d) && d->kind == DocumentKind::Post)
      add(d->url, xmlschema(r.document_value(*d).get("date")));
  for (const auto& [name, docs] : content.collections)
    for (const auto& d : docs)
      if (d->write && listed(*d)) add(d->url, "");
  for (const auto& p : content.pages) {
    if (p->output_ext != ".html" || !listed(*p) || p->url == "/404.html") continue;
    const Value* lm = p->data.find("last_modified_at");
    add(p->url, lm ? xmlschema(*lm) : "");
  }
  for (const auto& s : content.static_files) {
    std::string ext = std::filesystem::path(s.relative_path).extension().string();
    if (ext == ".html" || ext == ".htm" || ext == ".xhtml" || ext == ".pdf") add(s.url, "");
  }
  out += "</urlset>\n";
  return out;
}

}  // namespace

Plugins::Plugins(const SiteConfig& config) : config_(config) {}

bool Plugins::enabled(const std::string& name) const {
  if (std::find(config_.plugins.begin(), config_.plugins.end(), name) != config_.plugins.end())
    return true;
  // minima declares jekyll-feed and jekyll-seo-tag as its dependencies; Jekyll loads them.
  return config_.theme == "minima" && (name == "jekyll-feed" || name == "jekyll-seo-tag");
}

void Plugins::before_render(SiteRenderer& renderer, SiteContent& content) {
  liquid::Environment& env = renderer.environment();
  env.register_tag("feed_meta", feed_meta_tag);
  env.register_tag("seo", seo_tag);
  if (config_.paginate <= 0 || !enabled("jekyll-paginate")) return;
  // jekyll-paginate: index.html in the directory of paginate_path is the first page.
  std::string path_tmpl = config_.paginate_path;
  std::string dir = path_tmpl.substr(0, path_tmpl.find(":num"));
  dir = dir.substr(0, dir.rfind('/') + 1);
  if (dir.empty() || dir[0] != '/') dir = "/" + dir;
  std::string index_rel = dir.substr(1) + "index.html";
  auto it = std::find_if(content.pages.begin(), content.pages.end(),
                         [&](const auto& p) { return p->relative_path == index_rel; });
  if (it == content.pages.end()) return;
  std::vector<const Document*> posts;
  for (auto p = content.posts.rbegin(); p != content.posts.rend(); ++p)
    if ((*p)->kind == DocumentKind::Post) posts.push_back(p->get());
  int per = config_.paginate;
  int total_pages = std::max(1, int((posts.size() + size_t(per) - 1) / size_t(per)));
  auto page_path = [&](int n) -> std::string {
    if (n <= 1) return dir;
    std::string p = path_tmpl;
    p.replace(p.find(":num"), 4, std::to_string(n));
    if (p.empty() || p[0] != '/') p = "/" + p;
    return p;
  };
  Document& index = **it;
  std::unique_ptr<Document> first = std::move(*it);
  content.pages.erase(it);
  for (int n = 1; n <= total_pages; ++n) {
    // The renderer fills in paginator.posts once the posts' content exists.
    std::vector<const Document*> page_posts;
    for (size_t i = size_t(n - 1) * size_t(per); i < posts.size() && i < size_t(n) * size_t(per);
         ++i)
      page_posts.push_back(posts[i]);
    Hash pg{{"page", n},
            {"per_page", per},
            {"total_posts", int64_t(posts.size())},
            {"total_pages", total_pages},
            {"previous_page", n > 1 ? Value(n - 1) : Value(nullptr)},
            {"previous_page_path", n > 1 ? Value(page_path(n - 1)) : Value(nullptr)},
            {"next_page", n < total_pages ? Value(n + 1) : Value(nullptr)},
            {"next_page_path", n < total_pages ? Value(page_path(n + 1)) : Value(nullptr)}};
    std::unique_ptr<Document> doc;
    if (n == 1) {
      doc = std::move(first);
    } else {
      doc = std::make_unique<Document>(index);
      std::string url = page_path(n);
      if (!url.ends_with('/') && url.find('.') == std::string::npos) url += "/";
      doc->url = url;
      doc->output_path = output_path_for_url(url, ".html");
      doc->data.set("url", url);
    }
    renderer.add_page(std::move(doc), std::move(pg), std::move(page_posts));
  }
}

std::vector<GeneratedFile> Plugins::after_render(const SiteRenderer& renderer,
                                                 const SiteContent& content) {
  std::vector<GeneratedFile> out;
  auto exists = [&](const std::string& path) {
    for (const auto& p : content.pages)
      if (p->output_path == path) return true;
    for (const auto& s : content.static_files)
      if (s.output_path == path) return true;
    return false;
  };
  if (enabled("jekyll-feed") && !exists("feed.xml"))
    out.push_back({"feed.xml", feed_xml(config_, renderer, content, 0), "jekyll-feed"});
  if (enabled("jekyll-sitemap")) {
    if (!exists("sitemap.xml"))
      out.push_back({"sitemap.xml", sitemap_xml(config_, renderer, content), "jekyll-sitemap"});
    if (!exists("robots.txt"))
      out.push_back({"robots.txt", "Sitemap: " + absolute_url(config_, "/sitemap.xml") + "\n",
                     "jekyll-sitemap"});
  }
  return out;
}

}  // namespace mayfly::site
