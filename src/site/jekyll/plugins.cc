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

std::string trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
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

// What `smartify` does to markup in a title: kramdown's SmartyPants output escapes a bare '&'
// (one that does not start an entity); tags pass through. jekyll-feed then xml_escapes it again.
std::string smart_amp(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '&') {
      size_t j = i + 1;
      if (j < s.size() && s[j] == '#') ++j;
      size_t k = j;
      while (k < s.size() && std::isalnum(static_cast<unsigned char>(s[k]))) ++k;
      if (!(k > j && k < s.size() && s[k] == ';')) {
        out += "&amp;";
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

// jekyll-seo-tag's format_string: markup stripped, whitespace squeezed; empty means unset.
std::string seo_string(const Value& v) {
  return v.is_nil() ? std::string() : squish(strip_html(v.to_string()));
}

// The author jekyll-seo-tag and jekyll-feed name: page.author, else the first of
// page.authors, else site.author; a name found in site.data.authors is looked up there.
Value resolve_author(const Value& site, const Value& page) {
  Value a = page.get("author");
  if (a.is_nil() || (a.is_string() && a.to_string().empty())) {
    Value list = page.get("authors");
    if (list.is_array() && !list.as_array().empty()) a = list.as_array().front();
  }
  if (a.is_nil()) a = site.get("author");
  if (a.is_string()) {
    Value known = site.get("data").get("authors").get(std::string_view(a.to_string()));
    if (!known.is_nil()) return known;
  }
  return a;
}

TagRenderer seo_tag(const TagInfo& info) {
  bool with_title = info.markup.find("title=false") == std::string_view::npos;
  return [with_title](Context& ctx, std::string& out, const TagBody*) {
    const RenderHost& host = render_host(ctx);
    Value site = ctx.get("site"), page = ctx.get("page"), paginator = ctx.get("paginator");
    std::string site_title = seo_string(site.get("title"));
    if (site_title.empty()) site_title = seo_string(site.get("name"));
    std::string site_desc = seo_string(site.get("description"));
    std::string tagline = seo_string(site.get("tagline"));
    std::string page_title = seo_string(page.get("title"));
    if (page_title.empty()) page_title = site_title;
    std::string url = get_str(page, "url");
    // Title rules of jekyll-seo-tag 2.8 (Drop#title), with "Page N of M for " on later pages.
    std::string title;
    if (!site_title.empty() && page_title != site_title)
      title = page_title + " | " + site_title;
    else if (!site_desc.empty() && !site_title.empty())
      title = site_title + " | " + (tagline.empty() ? site_desc : tagline);
    else
      title = page_title;
    Value pnum = paginator.get("page");
    if (pnum.is_number() && pnum.number() > 1)
      title = "Page " + pnum.to_string() + " of " + paginator.get("total_pages").to_string() +
              " for " + title;
    std::string desc = seo_string(page.get("description"));
    if (desc.empty()) desc = seo_string(page.get("excerpt"));
    if (desc.empty()) desc = site_desc;
    std::string canonical = get_str(page, "canonical_url");
    if (canonical.empty()) {
      canonical = absolute_url(*host.config, url);
      if (canonical.ends_with("/index.html")) canonical.resize(canonical.size() - 10);
    }
    Value author_v = resolve_author(site, page);
    std::string author = author_name(author_v);
    bool article = !page.get("date").is_nil();
    // homepage_or_about?: "/", "/index.html", "/about/", "/about/index.html".
    bool home_or_about = url == "/" || url == "/index.html" || url == "/index.htm" ||
                         url == "/about/" || url == "/about/index.html";
    std::string lang = get_str(page, "lang");
    if (lang.empty()) lang = get_str(site, "lang");
    if (lang.empty()) lang = "en_US";
    std::string locale = get_str(page, "locale");
    if (locale.empty()) locale = get_str(site, "locale");
    if (locale.empty()) locale = lang;
    std::replace(locale.begin(), locale.end(), '-', '_');
    out += "<!-- Begin Jekyll SEO tag (mayfly) -->\n";
    if (with_title && !title.empty()) out += "<title>" + xml_escape(title) + "</title>\n";
    out += "<meta name=\"generator\" content=\"mayfly\" />\n";
    if (!page_title.empty())
      out += "<meta property=\"og:title\" content=\"" + xml_escape(page_title) + "\" />\n";
    if (!author.empty()) out += "<meta name=\"author\" content=\"" + xml_escape(author) + "\" />\n";
    out += "<meta property=\"og:locale\" content=\"" + xml_escape(locale) + "\" />\n";
    if (!desc.empty()) {
      out += "<meta name=\"description\" content=\"" + xml_escape(desc) + "\" />\n";
      out += "<meta property=\"og:description\" content=\"" + xml_escape(desc) + "\" />\n";
    }
    // Liquid truthiness: an empty site.url still counts, only a missing one does not.
    if (!site.get("url").is_nil() && !(site.get("url").is_bool() && !site.get("url").as_bool())) {
      out += "<link rel=\"canonical\" href=\"" + xml_escape(canonical) + "\" />\n";
      out += "<meta property=\"og:url\" content=\"" + xml_escape(canonical) + "\" />\n";
    }
    if (!site_title.empty())
      out += "<meta property=\"og:site_name\" content=\"" + xml_escape(site_title) + "\" />\n";
    out += std::string("<meta property=\"og:type\" content=\"") +
           (article ? "article" : "website") + "\" />\n";
    if (article)
      out += "<meta property=\"article:published_time\" content=\"" + xmlschema(page.get("date")) +
             "\" />\n";
    if (!paginator.get("previous_page").is_nil())
      out += "<link rel=\"prev\" href=\"" +
             xml_escape(absolute_url(*host.config, get_str(paginator, "previous_page_path"))) +
             "\" />\n";
    if (!paginator.get("next_page").is_nil())
      out += "<link rel=\"next\" href=\"" +
             xml_escape(absolute_url(*host.config, get_str(paginator, "next_page_path"))) +
             "\" />\n";
    out += "<meta name=\"twitter:card\" content=\"summary\" />\n";
    if (!page_title.empty())
      out += "<meta property=\"twitter:title\" content=\"" + xml_escape(page_title) + "\" />\n";
    Hash ld;
    ld.set("@context", "https://schema.org");
    ld.set("@type", home_or_about ? "WebSite" : article ? "BlogPosting" : "WebPage");
    if (!desc.empty()) ld.set("description", desc);
    ld.set("headline", page_title);
    ld.set("url", canonical);
    if (article) {
      Value modified = page.get("last_modified_at");
      ld.set("dateModified", xmlschema(modified.is_nil() ? page.get("date") : modified));
      ld.set("datePublished", xmlschema(page.get("date")));
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
  if (!title.empty()) out += "<title type=\"html\">" + xml_escape(smart_amp(title)) + "</title>";
  if (!get_str(site, "description").empty())
    out += "<subtitle>" + xml_escape(get_str(site, "description")) + "</subtitle>";
  Value site_author = site.get("author");
  if (!site_author.is_nil()) {
    std::string name = author_name(site_author);
    out += "<author><name>" + xml_escape(name) + "</name>";
    if (site_author.is_hash() && !site_author.get("email").is_nil())
      out += "<email>" + xml_escape(get_str(site_author, "email")) + "</email>";
    if (site_author.is_hash() && !site_author.get("uri").is_nil())
      out += "<uri>" + xml_escape(get_str(site_author, "uri")) + "</uri>";
    out += "</author>";
  }
  int limit = 10;
  if (Value f = site.get("feed"); f.is_hash() && f.get("posts_limit").is_number())
    limit = int(f.get("posts_limit").number());
  int n = 0;
  // Newest first; drafts only when the site shows them (jekyll-feed filters on site.show_drafts).
  for (auto it = content.posts.rbegin(); it != content.posts.rend() && n < limit; ++it) {
    const Document& d = **it;
    if (d.kind == DocumentKind::Draft && !config.show_drafts) continue;
    ++n;
    Value page = r.document_value(d);
    std::string post_url = absolute_url(config, d.url);
    std::string t = squish(strip_html(smart_amp(get_str(page, "title"))));
    out += "<entry><title type=\"html\">" + xml_escape(t) + "</title>";
    out += "<link href=\"" + xml_escape(post_url) +
           "\" rel=\"alternate\" type=\"text/html\" title=\"" + xml_escape(t) + "\" />";
    std::string date = xmlschema(page.get("date"));
    Value modified = page.get("last_modified_at");
    out += "<published>" + date + "</published><updated>" +
           (modified.is_nil() ? date : xmlschema(modified)) + "</updated>";
    out += "<id>" + xml_escape(absolute_url(config, get_str(page, "id"))) + "</id>";
    out += "<content type=\"html\" xml:base=\"" + xml_escape(post_url) + "\">" +
           xml_escape(trim(d.content)) + "</content>";
    Value author = resolve_author(site, page);
    out += "<author><name>" + xml_escape(author_name(author)) + "</name>";
    if (author.is_hash() && !author.get("email").is_nil())
      out += "<email>" + xml_escape(get_str(author, "email")) + "</email>";
    if (author.is_hash() && !author.get("uri").is_nil())
      out += "<uri>" + xml_escape(get_str(author, "uri")) + "</uri>";
    out += "</author>";
    if (Value c = page.get("category"); !c.is_nil())
      out += "<category term=\"" + xml_escape(c.to_string()) + "\" />";
    else
      for (const auto& c2 : d.categories) out += "<category term=\"" + xml_escape(c2) + "\" />";
    for (const auto& tg : d.tags) out += "<category term=\"" + xml_escape(tg) + "\" />";
    std::string summary = get_str(page, "description");
    if (summary.empty()) summary = get_str(page, "excerpt");
    summary = squish(strip_html(summary));
    if (!summary.empty()) out += "<summary type=\"html\">" + xml_escape(summary) + "</summary>";
    out += "</entry>";
  }
  out += "</feed>";
  return out;
}

// jekyll-sitemap: collection documents with output (posts among them, drafts too when shown),
// then HTML pages (paginated ones included) but not 404.html, then static HTML and PDF files.
std::string sitemap_xml(const SiteConfig& config, const SiteRenderer& r,
                        const SiteContent& content) {
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset "
      "xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n";
  auto add = [&](std::string url, const std::string& lastmod) {
    if (size_t i = url.find("/index.html"); i != std::string::npos) url.replace(i, 11, "/");
    out += "<url>\n<loc>" + xml_escape(absolute_url(config, url)) + "</loc>\n";
    if (!lastmod.empty()) out += "<lastmod>" + lastmod + "</lastmod>\n";
    out += "</url>\n";
  };
  auto listed = [](const Document& d) {
    const Value* s = d.data.find("sitemap");
    return !(s && s->is_bool() && !s->as_bool());
  };
  auto lastmod = [](const Document& d) {
    const Value* lm = d.data.find("last_modified_at");
    if (lm && !lm->is_nil()) return xmlschema(*lm);
    const Value* date = d.data.find("date");
    return date && !date->is_nil() ? xmlschema(*date) : std::string();
  };
  for (const auto& d : content.posts)
    if (listed(*d) && (d->kind == DocumentKind::Post || config.show_drafts))
      add(d->url, lastmod(*d));
  for (const auto& [name, docs] : content.collections)
    for (const auto& d : docs)
      if (d->write && listed(*d)) add(d->url, lastmod(*d));
  for (const Document* p : r.outputs()) {
    if (p->kind != DocumentKind::Page || p->output_ext != ".html" || !listed(*p) ||
        p->url == "/404.html")
      continue;
    const Value* lm = p->data.find("last_modified_at");
    add(p->url, lm && !lm->is_nil() ? xmlschema(*lm) : "");
  }
  for (const auto& s : content.static_files) {
    std::filesystem::path rel(s.relative_path);
    std::string ext = rel.extension().string();
    if (rel.filename() == "404.html") continue;
    if (ext == ".html" || ext == ".htm" || ext == ".xhtml" || ext == ".pdf")
      add("/" + s.relative_path, "");
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
  // jekyll-paginate's template page: an index.html in the directory of paginate_path or in
  // one of its parents, the deepest one (Pager.pagination_candidate?); its URL is page 1's.
  std::string path_tmpl = config_.paginate_path;
  while (path_tmpl.starts_with("/")) path_tmpl.erase(0, 1);
  auto it = content.pages.end();
  {
    // File.dirname: trailing slashes do not count ("page:num/" is in the root).
    std::string dir = path_tmpl;
    while (dir.ends_with("/")) dir.pop_back();
    dir = dir.substr(0, dir.rfind('/') == std::string::npos ? 0 : dir.rfind('/'));
    for (;;) {
      std::string index_rel = dir.empty() ? "index.html" : dir + "/index.html";
      it = std::find_if(content.pages.begin(), content.pages.end(),
                        [&](const auto& p) { return p->relative_path == index_rel; });
      if (it != content.pages.end() || dir.empty()) break;
      size_t slash = dir.rfind('/');
      dir = slash == std::string::npos ? "" : dir.substr(0, slash);
    }
  }
  if (it == content.pages.end()) return;
  const std::string first_url = (*it)->url;
  std::vector<const Document*> posts;
  for (auto p = content.posts.rbegin(); p != content.posts.rend(); ++p)
    if ((*p)->kind == DocumentKind::Post || config_.show_drafts) posts.push_back(p->get());
  int per = config_.paginate;
  int total_pages = std::max(1, int((posts.size() + size_t(per) - 1) / size_t(per)));
  auto page_path = [&](int n) -> std::string {
    if (n <= 1) return first_url;
    std::string p = path_tmpl;
    if (size_t at = p.find(":num"); at != std::string::npos) p.replace(at, 4, std::to_string(n));
    return "/" + p;
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
