#include "site/jekyll/prepare.h"

#include <fnmatch.h>

#include <algorithm>
#include <regex>

#include "site/jekyll/url.h"
#include "site/jekyll/yaml_value.h"
#include "site/liquid/date.h"

namespace mayfly::site {
namespace fs = std::filesystem;
using liquid::Array;
using liquid::Hash;
using liquid::Value;

namespace {

std::string type_of(const Document& d) {
  switch (d.kind) {
    case DocumentKind::Page:
      return "pages";
    case DocumentKind::Post:
      return "posts";
    case DocumentKind::Draft:
      return "drafts";
    case DocumentKind::CollectionDocument:
      return d.collection;
  }
  return "";
}

// Jekyll::FrontmatterDefaults#applies_path?: the scope's path is a prefix of the file's
// path (as a directory), or a glob when it holds '*'.
bool path_applies(const std::string& scope, const std::string& relative) {
  if (scope.empty() || scope == ".") return true;
  std::string s = scope;
  while (s.starts_with("./")) s.erase(0, 2);
  while (!s.empty() && s.back() == '/') s.pop_back();
  if (s.find('*') != std::string::npos)
    return fnmatch(s.c_str(), relative.c_str(), 0) == 0 ||
           fnmatch((s + "/*").c_str(), relative.c_str(), 0) == 0;
  return relative == s || relative.starts_with(s + "/");
}

void merge_into(Hash& target, const Hash& source) {
  for (const auto& [k, v] : source) {
    const Value* existing = target.find(k);
    if (existing && existing->is_hash() && v.is_hash()) {
      Hash merged = existing->as_hash();
      merge_into(merged, v.as_hash());
      target.set(k, Value(std::move(merged)));
    } else {
      target.set(k, v);
    }
  }
}

void apply_defaults(Document& d, const SiteConfig& config) {
  std::string type = type_of(d);
  // More specific scopes win: apply the general ones first (Jekyll sorts by path depth,
  // then by whether a type is given).
  std::vector<const FrontMatterDefault*> applicable;
  for (const auto& def : config.defaults) {
    if (!def.type.empty() && def.type != type && !(def.type == "posts" && type == "drafts"))
      continue;
    if (!path_applies(def.path, d.relative_path)) continue;
    applicable.push_back(&def);
  }
  std::stable_sort(applicable.begin(), applicable.end(), [](auto* a, auto* b) {
    auto depth = [](const std::string& p) {
      return std::count(p.begin(), p.end(), '/') + (p.empty() ? 0 : 1);
    };
    if (depth(a->path) != depth(b->path)) return depth(a->path) < depth(b->path);
    return a->type.empty() && !b->type.empty();
  });
  Hash data;
  for (const auto* def : applicable)
    if (def->values.is_hash()) merge_into(data, def->values.as_hash());
  for (const auto& [k, v] : d.front_matter) data.set(k, v);
  d.data = std::move(data);
}

std::vector<std::string> words_or_list(const Value* v) {
  std::vector<std::string> out;
  if (v == nullptr || v->is_nil()) return out;
  if (v->is_array()) {
    for (const Value& e : v->as_array())
      if (!e.is_nil()) out.push_back(e.to_string());
    return out;
  }
  // A string is split on whitespace (Jekyll::Utils.pluralized_array_from_hash).
  std::string s = v->to_string();
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    size_t j = i;
    while (j < s.size() && !std::isspace(static_cast<unsigned char>(s[j]))) ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

std::vector<std::string> pluralized(const Hash& data, const char* singular, const char* plural) {
  const Value* one = data.find(singular);
  if (one && !one->is_nil()) return words_or_list(one);
  return words_or_list(data.find(plural));
}

Array to_array(const std::vector<std::string>& v) {
  Array a;
  for (const auto& s : v) a.push_back(s);
  return a;
}

void set_post_date(Document& d, const std::string& file) {
  static const std::regex re(R"(^(\d{2,4})-(\d{1,2})-(\d{1,2})-)");
  const Value* fm_date = d.data.find("date");
  if (fm_date && !fm_date->is_nil()) {
    auto dt = liquid::DateTime::parse(fm_date->to_string());
    if (!dt)
      throw SourceError(d.relative_path, 2, 1,
                        "invalid date '" + fm_date->to_string() + "' in front matter");
    // Jekyll::Utils.parse_date converts to local time (the site's timezone).
    d.date = dt->epoch;
    d.date_offset = liquid::DateTime::from_epoch(dt->epoch).offset;
    return;
  }
  std::smatch m;
  if (std::regex_search(file, m, re)) {
    // Midnight of that day in the site's time zone.
    std::string text = m[1].str() + "-" + m[2].str() + "-" + m[3].str();
    auto dt = liquid::DateTime::parse(text);
    if (!dt) throw SourceError(d.relative_path, 1, 1, "invalid date in the file name");
    d.date = dt->epoch;
    d.date_offset = dt->offset;
    return;
  }
  d.date_offset = liquid::DateTime::from_epoch(d.date).offset;
}

std::vector<Placeholder> document_placeholders(const Document& d, const SiteConfig& config) {
  liquid::DateTime t = liquid::DateTime::from_epoch(d.date, d.date_offset);
  std::string slug_source = d.data.find("slug") && !d.data.find("slug")->is_nil()
                                ? d.data.find("slug")->to_string()
                                : d.slug;
  std::string rel = d.relative_path;
  // :path of a collection document: its path inside the collection, without extension.
  std::string coll_prefix = (config.collections_dir.empty() ? "" : config.collections_dir + "/") +
                            "_" + d.collection + "/";
  std::string inner = rel.starts_with(coll_prefix) ? rel.substr(coll_prefix.size()) : rel;
  std::string inner_no_ext =
      inner.substr(0, inner.size() - d.source_path.extension().string().size());
  std::string cats;
  std::string slug_cats;
  // Jekyll::Drops::UrlDrop#categories: downcased, each once.
  std::vector<std::string> seen;
  for (const auto& c : d.categories) {
    std::string lower = c;
    for (char& ch : lower) ch = char(std::tolower(static_cast<unsigned char>(ch)));
    if (std::find(seen.begin(), seen.end(), lower) != seen.end()) continue;
    seen.push_back(lower);
    if (!cats.empty()) cats += "/";
    cats += lower;
    if (!slug_cats.empty()) slug_cats += "/";
    slug_cats += slugify(c);
  }
  std::vector<Placeholder> p = {
      {"collection", d.collection},
      {"path", inner_no_ext},
      {"name", d.source_path.stem().string()},
      {"title", slugify(slug_source, SlugMode::Pretty, true)},
      {"slug", slugify(slug_source)},
      {"categories", cats, !cats.empty()},
      {"slugified_categories", slug_cats, !slug_cats.empty()},
      {"year", t.strftime("%Y")},
      {"month", t.strftime("%m")},
      {"day", t.strftime("%d")},
      {"hour", t.strftime("%H")},
      {"minute", t.strftime("%M")},
      {"second", t.strftime("%S")},
      {"i_day", t.strftime("%-d")},
      {"i_month", t.strftime("%-m")},
      {"short_month", t.strftime("%b")},
      {"long_month", t.strftime("%B")},
      {"short_year", t.strftime("%y")},
      {"y_day", t.strftime("%j")},
      {"short_day", t.strftime("%a")},
      {"long_day", t.strftime("%A")},
      {"week", t.strftime("%V")},
      {"w_year", t.strftime("%G")},
      {"w_day", t.strftime("%u")},
      {"output_ext", d.output_ext},
  };
  return p;
}

std::string page_url(const Document& d, const SiteConfig& config) {
  const Value* permalink = d.data.find("permalink");
  fs::path rel(d.relative_path);
  std::string dir = rel.parent_path().string();
  std::string basename = rel.stem().string();
  std::vector<Placeholder> p = {
      {"path", dir}, {"basename", basename}, {"output_ext", d.output_ext}};
  if (permalink && !permalink->is_nil()) return expand_url(permalink->to_string(), p);
  std::string tmpl;
  if (d.output_ext != ".html")
    tmpl = "/:path/:basename:output_ext";
  else if (basename == "index")
    tmpl = "/:path/";
  else
    tmpl = add_permalink_suffix("/:path/:basename", config.permalink);
  return expand_url(tmpl, p);
}

std::string document_url(const Document& d, const SiteConfig& config) {
  const Value* permalink = d.data.find("permalink");
  std::vector<Placeholder> p = document_placeholders(d, config);
  if (permalink && !permalink->is_nil()) return expand_url(permalink->to_string(), p);
  const CollectionConfig* c = config.collection(d.collection);
  std::string tmpl;
  if (c && !c->permalink.empty())
    tmpl = post_permalink_template(c->permalink);
  else if (d.collection == "posts")
    tmpl = post_permalink_template(config.permalink);
  else
    tmpl = "/:collection/:path:output_ext";
  return expand_url(tmpl, p);
}

// Jekyll::Document#id: File.join(File.dirname(url), slug). Ruby's dirname ignores a trailing
// slash, so "/2020/01/02/title/" and "/2020/01/02/title.html" both give "/2020/01/02/title".
std::string document_id(std::string_view url, const std::string& slug) {
  while (url.size() > 1 && url.back() == '/') url.remove_suffix(1);
  size_t slash = url.rfind('/');
  std::string dir =
      slash == std::string_view::npos || slash == 0 ? "" : std::string(url.substr(0, slash));
  return dir + "/" + slug;
}

void fill_page_data(Document& d, const SiteConfig& config) {
  Hash& h = d.data;
  fs::path rel(d.relative_path);
  h.set("url", d.url);
  h.set("path", d.relative_path);
  h.set("relative_path", d.relative_path);
  h.set("name", rel.filename().string());
  if (d.kind == DocumentKind::Page) {
    std::string dir = "/" + rel.parent_path().string();
    if (!dir.ends_with('/')) dir += "/";
    h.set("dir", dir);
    return;
  }
  h.set("collection", d.collection);
  h.set("ext", d.source_path.extension().string());
  std::string basename = rel.stem().string();
  if (d.collection != "posts") {
    h.set("slug", d.data.find("slug") ? *d.data.find("slug") : Value(basename));
    if (!h.find("title")) h.set("title", titleize_slug(basename));
    h.set("id", document_id(d.url, h.find("slug")->to_string()));
    return;
  }
  h.set("draft", d.kind == DocumentKind::Draft);
  if (!h.find("slug")) h.set("slug", d.slug);
  if (!h.find("title") || h.find("title")->is_nil()) h.set("title", titleize_slug(d.slug));
  h.set("date", format_time(d.date, d.date_offset));
  h.set("categories", to_array(d.categories));
  h.set("tags", to_array(d.tags));
  h.set("id", document_id(d.url, h.find("slug")->to_string()));
  (void)config;
}

bool published(const Document& d) {
  const Value* p = d.data.find("published");
  return p == nullptr || p->is_nil() || p->truthy();
}

}  // namespace

std::string format_time(int64_t epoch, int offset) {
  return liquid::DateTime::from_epoch(epoch, offset).strftime("%Y-%m-%d %H:%M:%S %z");
}

std::string titleize_slug(std::string_view slug) {
  std::string out;
  bool start = true;
  for (char c : slug) {
    if (c == '-') {
      out += ' ';
      start = true;
    } else {
      out += start ? char(std::toupper(static_cast<unsigned char>(c))) : c;
      start = false;
    }
  }
  return out;
}

void prepare_site(SiteContent& content, const SiteConfig& config, int64_t now) {
  auto prepare_all = [&](std::vector<std::unique_ptr<Document>>& docs, bool dated) {
    std::vector<std::unique_ptr<Document>> kept;
    for (auto& d : docs) {
      apply_defaults(*d, config);
      if (!published(*d) && !config.unpublished) continue;
      if (dated) {
        set_post_date(*d, d->source_path.filename().string());
        for (const auto& c : pluralized(d->data, "category", "categories"))
          if (std::find(d->categories.begin(), d->categories.end(), c) == d->categories.end())
            d->categories.push_back(c);
        d->tags = pluralized(d->data, "tag", "tags");
        if (d->date > now && !config.future && d->kind == DocumentKind::Post) {
          content.next_future = std::min(content.next_future, d->date);
          continue;
        }
      }
      d->url = d->kind == DocumentKind::Page ? page_url(*d, config) : document_url(*d, config);
      d->output_path = output_path_for_url(d->url, d->output_ext);
      fill_page_data(*d, config);
      kept.push_back(std::move(d));
    }
    docs = std::move(kept);
  };
  prepare_all(content.pages, false);
  prepare_all(content.posts, true);
  for (auto& [name, docs] : content.collections) prepare_all(docs, false);

  // Posts oldest first, as Jekyll sorts them (date, then path); site.posts reverses.
  std::stable_sort(content.posts.begin(), content.posts.end(), [](const auto& a, const auto& b) {
    if (a->date != b->date) return a->date < b->date;
    return a->relative_path < b->relative_path;
  });
  if (config.limit_posts > 0 && content.posts.size() > size_t(config.limit_posts))
    content.posts.erase(content.posts.begin(), content.posts.end() - config.limit_posts);
  for (auto& [name, docs] : content.collections) {
    const CollectionConfig* c = config.collection(name);
    std::stable_sort(docs.begin(), docs.end(), [&](const auto& a, const auto& b) {
      if (c && !c->sort_by.empty()) {
        const Value* x = a->data.find(c->sort_by);
        const Value* y = b->data.find(c->sort_by);
        if (x && y && liquid::comparable(*x, *y)) {
          int cmp = liquid::compare(*x, *y);
          if (cmp != 0) return cmp < 0;
        }
      }
      return a->relative_path < b->relative_path;
    });
  }
}

}  // namespace mayfly::site
