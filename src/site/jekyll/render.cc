#include "site/jekyll/render.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "core/xxhash64.h"
#include "site/jekyll/prepare.h"
#include "site/jekyll/sass.h"
#include "site/jekyll/yaml_value.h"

namespace mayfly::site {
namespace fs = std::filesystem;
using liquid::Array;
using liquid::Context;
using liquid::Hash;
using liquid::LiquidError;
using liquid::Value;

struct SiteRenderer::LayoutTemplate {
  const Layout* layout;
  std::shared_ptr<const liquid::Template> tpl;
};

std::shared_ptr<const std::string> ConversionCache::find(uint64_t key, uint64_t check) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.check != check) return nullptr;
  it->second.used = true;
  return it->second.html;
}

void ConversionCache::put(uint64_t key, uint64_t check, std::shared_ptr<const std::string> html) {
  std::lock_guard<std::mutex> lock(mutex_);
  entries_[key] = Entry{check, std::move(html), true};
}

void ConversionCache::sweep() {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (!it->second.used) {
      it = entries_.erase(it);
    } else {
      it->second.used = false;
      ++it;
    }
  }
}

size_t ConversionCache::size() {
  std::lock_guard<std::mutex> lock(mutex_);
  return entries_.size();
}

namespace {

std::string read_text(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

// Jekyll::Utils.has_liquid_construct?: only bodies with tags or output are rendered.
bool has_liquid(std::string_view s) {
  return s.find("{%") != std::string_view::npos || s.find("{{") != std::string_view::npos;
}

// The first line of the template being parsed on this thread, for warnings' locations.
thread_local int parse_first_line = 1;

Value to_array(const std::vector<Document*>& docs, const std::function<Value(const Document&)>& f) {
  Array a;
  a.reserve(docs.size());
  for (const Document* d : docs) a.push_back(f(*d));
  return a;
}

}  // namespace

SiteRenderer::SiteRenderer(const SiteConfig& config, SiteContent& content, int64_t now,
                           ConversionCache* cache)
    : config_(config),
      content_(content),
      now_(now),
      env_(liquid::Environment::standard()),
      cache_(cache) {
  register_jekyll_filters(env_);
  register_jekyll_tags(env_);
  // liquid.error_mode: warn (Jekyll's default) reports bad markup and goes on.
  env_.set_error_mode(config_.liquid_error_mode == "strict" ? liquid::ErrorMode::kStrict
                      : config_.liquid_error_mode == "lax"  ? liquid::ErrorMode::kLax
                                                            : liquid::ErrorMode::kWarn);
  env_.set_warning_handler([this](const liquid::LiquidError& e) {
    // Bodies are parsed without their front matter: shift to the file's own lines.
    liquid::Location loc = e.location();
    loc.line += size_t(std::max(0, parse_first_line - 1));
    std::lock_guard<std::mutex> lock(warnings_mutex_);
    warnings_.push_back(e.file() + ":" + std::to_string(loc.line) + ":" + std::to_string(loc.col) +
                        ": " + e.message());
  });
  std::vector<fs::path> include_dirs = {config_.source / config_.includes_dir};
  if (!config_.theme_dir.empty()) include_dirs.push_back(config_.theme_dir / "_includes");
  partials_ = std::make_unique<liquid::Partials>(
      [include_dirs, this](std::string_view name) -> std::optional<liquid::PartialSource> {
        std::string n(name);
        if (n.find("..") != std::string::npos) return std::nullopt;  // stay inside _includes
        for (const fs::path& dir : include_dirs) {
          fs::path p = dir / n;
          if (fs::is_regular_file(p))
            return liquid::PartialSource{read_text(p), config_.includes_dir + "/" + n};
        }
        return std::nullopt;
      },
      env_);
  if (const Value* k = config_.data.get("kramdown").is_hash()
                           ? config_.data.as_hash().find("kramdown")
                           : nullptr) {
    if (const Value* sq = k->as_hash().find("smart_quotes"); sq && sq->is_bool())
      markdown_options_.smart_quotes = sq->as_bool();
    if (const Value* hw = k->as_hash().find("hard_wrap"); hw && hw->is_bool())
      markdown_options_.hard_wrap = hw->as_bool();
    if (const Value* ai = k->as_hash().find("auto_ids"); ai && ai->is_bool())
      markdown_options_.heading_ids = ai->as_bool();
    if (const Value* eo = k->as_hash().find("entity_output"); eo && eo->is_string())
      markdown_options_.typographic_entities = eo->as_string() != "as_char";
  }
  if (cache_) {
    const markdown::Options& o = markdown_options_;
    std::string fingerprint = {char(o.smart_quotes),   char(o.typographic_entities),
                               char(o.heading_ids),    char(o.footnotes),
                               char(o.bare_autolinks), char(o.hard_wrap),
                               char(o.highlight_code), char(o.raw_html)};
    fingerprint += o.heading_id_prefix + '\0' + o.default_code_language;
    cache_seed_ = xxhash64(fingerprint.data(), fingerprint.size());
  }
  // The whole file is not needed once its front matter is parsed.
  for (const auto& d : content_.pages) std::string().swap(d->raw);
  for (const auto& d : content_.posts) std::string().swap(d->raw);
  for (const auto& [name, docs] : content_.collections)
    for (const auto& d : docs) std::string().swap(d->raw);
  for (const auto& d : content_.pages) urls_by_path_[d->relative_path] = d->url;
  for (const auto& d : content_.posts) {
    urls_by_path_[d->relative_path] = d->url;
    post_urls_[d->source_path.stem().string()] = d->url;
  }
  for (const auto& [name, docs] : content_.collections)
    for (const auto& d : docs) urls_by_path_[d->relative_path] = d->url;
  for (const auto& s : content_.static_files) urls_by_path_[s.relative_path] = s.url;
}

SiteRenderer::~SiteRenderer() = default;

void SiteRenderer::add_page(std::unique_ptr<Document> page, Hash paginator,
                            std::vector<const Document*> posts) {
  paginated_.push_back({page.get(), std::move(paginator), std::move(posts)});
  generated_.push_back(std::move(page));
}

namespace {

// Templates are parsed without their front matter; errors report lines of the whole file.
template <typename Fn>
auto with_file_lines(const std::string& file, int first_line, Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const LiquidError& e) {
    if (first_line <= 1 || e.file() != file) throw;
    liquid::Location loc = e.location();
    loc.line += first_line - 1;
    throw LiquidError(file, loc, e.message());
  }
}

}  // namespace

std::shared_ptr<const liquid::Template> SiteRenderer::parse(const std::string& source,
                                                            const std::string& file,
                                                            int first_line) const {
  // For the warning handler; partials parsed later during rendering start at line 1.
  struct FirstLine {
    explicit FirstLine(int line) { parse_first_line = line; }
    ~FirstLine() { parse_first_line = 1; }
  } first(first_line);
  return with_file_lines(file, first_line,
                         [&] { return liquid::Template::parse(source, file, env_); });
}

// Jekyll sets site.related_posts for each document: for a post, the ten newest other posts
// (without lsi); for anything else, none.
Value SiteRenderer::site_for(const Document& d, const Value& site) const {
  if (!site.is_hash()) return site;
  Hash h = site.as_hash();
  Array related;
  if (d.collection == "posts") {
    Value posts = site.get("posts");
    if (posts.is_array()) {
      for (const Value& p : posts.as_array()) {
        if (related.size() == 10) break;
        if (p.get("path").to_string() == d.relative_path) continue;
        related.push_back(p);
      }
    }
  }
  h.set("related_posts", Value(std::move(related)));
  return Value(std::move(h));
}

RenderHost SiteRenderer::host_for(const Document& d) const {
  RenderHost h;
  h.config = &config_;
  h.urls_by_path = &urls_by_path_;
  h.post_urls = &post_urls_;
  h.current_path = d.relative_path;
  const markdown::Options* opts = &markdown_options_;
  h.markdownify = [opts](std::string_view text) { return markdown::render(text, *opts); };
  return h;
}

std::shared_ptr<const std::string> SiteRenderer::convert(const Document& d,
                                                         std::string_view text) const {
  if (d.markdown) {
    if (!cache_)
      return std::make_shared<const std::string>(markdown::render(text, markdown_options_));
    uint64_t key = xxhash64(text.data(), text.size(), cache_seed_);
    uint64_t check = xxhash64(text.data(), text.size(), ~cache_seed_);
    if (auto hit = cache_->find(key, check)) return hit;
    auto html = std::make_shared<const std::string>(markdown::render(text, markdown_options_));
    cache_->put(key, check, html);
    return html;
  }
  std::string ext = d.source_path.extension().string();
  if (ext == ".scss" || ext == ".sass")
    return std::make_shared<const std::string>(
        compile_sass(std::string(text), ext == ".sass", config_, d.relative_path));
  return std::make_shared<const std::string>(text);
}

Value SiteRenderer::document_value(const Document& d) const {
  Hash h = d.data;
  h.set("content", d.content.ptr() ? Value(d.content.ptr()) : Value(d.body));
  h.set("output", nullptr);
  if (d.collection == "posts") h.set("excerpt", d.excerpt);
  return h;
}

Value SiteRenderer::build_site_value() const {
  Hash site = config_.data.as_hash();
  site.set("time", format_time(now_, liquid::DateTime::from_epoch(now_).offset));
  std::vector<Document*> posts;
  for (auto it = content_.posts.rbegin(); it != content_.posts.rend(); ++it)
    posts.push_back(it->get());
  Array post_values;
  for (Document* p : posts) {
    auto it = post_values_.find(p);
    post_values.push_back(it != post_values_.end() ? it->second
                                                   : tracked_value(*p, document_value(*p)));
  }
  site.set("posts", post_values);
  Array related;
  for (size_t i = 0; i < post_values.size() && i < 10; ++i) related.push_back(post_values[i]);
  site.set("related_posts", related);
  std::vector<Document*> pages;
  for (const auto& p : content_.pages) pages.push_back(p.get());
  // Generated pages (jekyll-paginate's index pages) are in site.pages too, as in Jekyll.
  for (const auto& p : generated_) pages.push_back(p.get());
  // Pages show their text before rendering, as when site_ is first built (they render after
  // it); a rebuild after a body edit finds them rendered and must show the same.
  auto page_value = [this](const Document& d) {
    Value v = document_value(d);
    if (d.content.ptr()) {
      Hash h = v.as_hash();
      h.set("content", d.body);
      v = Value(std::move(h));
    }
    return tracked_value(d, std::move(v));
  };
  site.set("pages", to_array(pages, page_value));
  Array html_pages;
  for (Document* p : pages)
    if (p->output_ext == ".html") html_pages.push_back(page_value(*p));
  site.set("html_pages", html_pages);
  Array statics, html_files;
  for (const auto& s : content_.static_files) {
    fs::path p(s.relative_path);
    Value v =
        Hash{{"path", "/" + s.relative_path},
             {"modified_time", format_time(s.mtime, liquid::DateTime::from_epoch(s.mtime).offset)},
             {"name", p.filename().string()},
             {"basename", p.stem().string()},
             {"extname", p.extension().string()},
             {"collection", s.collection.empty() ? Value(nullptr) : Value(s.collection)},
             {"url", s.url}};
    statics.push_back(v);
    if (p.extension() == ".html") html_files.push_back(v);
  }
  site.set("static_files", statics);
  site.set("html_files", html_files);
  // Categories and tags: name → posts, newest first; the names in the order the oldest
  // posts first name them (Jekyll's Site#post_attr_hash walks the posts oldest first).
  Hash categories, tags;
  std::map<std::string, Array> cat_map, tag_map;
  std::vector<std::string> cat_order, tag_order;
  for (size_t i = posts.size(); i-- > 0;) {
    for (const auto& c : posts[i]->categories)
      if (cat_map.emplace(c, Array{}).second) cat_order.push_back(c);
    for (const auto& t : posts[i]->tags)
      if (tag_map.emplace(t, Array{}).second) tag_order.push_back(t);
  }
  for (size_t i = 0; i < posts.size(); ++i) {
    for (const auto& c : posts[i]->categories) cat_map[c].push_back(post_values[i]);
    for (const auto& t : posts[i]->tags) tag_map[t].push_back(post_values[i]);
  }
  for (const auto& c : cat_order) categories.set(c, Value(cat_map[c]));
  for (const auto& t : tag_order) tags.set(t, Value(tag_map[t]));
  site.set("categories", categories);
  site.set("tags", tags);
  site.set("data", content_.data);
  Array collections, documents;
  Hash posts_meta{{"label", "posts"},
                  {"output", true},
                  {"docs", Value(post_values)},
                  {"relative_directory", "_posts"}};
  // site.collections is sorted by label, "posts" among them (Jekyll's site_payload);
  // site.documents follows _config.yml's order, posts last.
  std::map<std::string, Value> by_label{{"posts", Value(posts_meta)}};
  for (const CollectionConfig& cc : config_.collections) {
    auto found = content_.collections.find(cc.name);
    if (cc.name == "posts" || found == content_.collections.end()) continue;
    const std::string& name = found->first;
    Array items;
    for (const auto& d : found->second) items.push_back(tracked_value(*d, document_value(*d)));
    for (const auto& v : items) documents.push_back(v);
    by_label[name] = Hash{{"label", name},
                          {"output", cc.output},
                          {"docs", Value(items)},
                          {"relative_directory", "_" + name}};
    site.set(name, Value(items));
  }
  for (auto& [label, v] : by_label) collections.push_back(std::move(v));
  for (const auto& v : post_values) documents.push_back(v);
  site.set("collections", collections);
  site.set("documents", documents);
  return site;
}

void SiteRenderer::render_body(Document& d, const SiteFn& site, const Value& paginator,
                               ReadSet* reads) {
  std::string_view body = d.body;
  if (has_liquid(body) &&
      !(d.data.find("render_with_liquid") && !d.data.find("render_with_liquid")->truthy())) {
    std::string text;
    auto tpl = parse(d.body, d.relative_path, d.body_line);
    Value doc_site = site_for(d, site());
    Hash globals{{"site", doc_site}, {"page", document_value(d)}};
    if (!paginator.is_nil()) globals.set("paginator", paginator);
    Context ctx(Value(std::move(globals)), env_);
    ctx.strict_variables = config_.liquid_strict_variables;
    ctx.strict_filters = config_.liquid_strict_filters;
    ctx.set_partials(partials_.get());
    RenderHost host = host_for(d);
    ctx.host() = static_cast<const RenderHost*>(&host);
    {
      ReadTracker tracker(document_hashes_, doc_site, reads);
      text = with_file_lines(d.relative_path, d.body_line, [&] { return tpl->render(ctx); });
    }
    d.content = convert(d, text);
    return;
  }
  d.content = convert(d, body);
}

void SiteRenderer::render_excerpt(Document& d, const SiteFn& site, ReadSet* reads) {
  const Value* sep_v = d.data.find("excerpt_separator");
  std::string sep = sep_v && !sep_v->is_nil() ? sep_v->to_string() : config_.excerpt_separator;
  if (const Value* e = d.data.find("excerpt");
      e && !e->is_nil() && d.front_matter.contains("excerpt")) {
    d.excerpt = *convert(d, e->to_string());
    return;
  }
  std::string_view head_view = d.body;
  if (!sep.empty()) {
    size_t at = head_view.find(sep);
    if (at != std::string::npos) head_view = head_view.substr(0, at);
  }
  if (has_liquid(head_view)) {
    std::string head(head_view);
    try {
      auto tpl = parse(head, d.relative_path, d.body_line);
      Value doc_site = site_for(d, site());
      Context ctx(Value(Hash{{"site", doc_site}, {"page", document_value(d)}}), env_);
      ctx.strict_variables = config_.liquid_strict_variables;
      ctx.strict_filters = config_.liquid_strict_filters;
      ctx.set_partials(partials_.get());
      RenderHost host = host_for(d);
      ctx.host() = static_cast<const RenderHost*>(&host);
      ReadTracker tracker(document_hashes_, doc_site, reads);
      head = with_file_lines(d.relative_path, d.body_line, [&] { return tpl->render(ctx); });
    } catch (const LiquidError&) {
      // The separator may cut a block tag in half (Jekyll then closes it); fall back to
      // the rendered content's first part.
      const std::string& content = d.content;
      size_t at = content.find("</p>");
      d.excerpt = at == std::string::npos ? content : content.substr(0, at + 4) + "\n";
      return;
    }
    d.excerpt = *convert(d, head);
    return;
  }
  d.excerpt = *convert(d, head_view);
}

void SiteRenderer::apply_layouts(Document& d, const Value& site, const Value& paginator,
                                 const OutputFn& on_output, ReadSet* reads) {
  // The output so far, shared (never copied) with the next layout's `content`.
  Value output = d.content.ptr() ? Value(d.content.ptr()) : Value(d.content.str());
  const Value* layout_name = d.data.find("layout");
  std::string name = layout_name && !layout_name->is_nil() ? layout_name->to_string() : "";
  Hash layout_data;
  std::set<std::string> seen;
  const Value doc_site = site_for(d, site);
  auto known = post_values_.find(&d);
  Value page = known != post_values_.end() ? known->second : document_value(d);
  RenderHost host = host_for(d);
  while (!name.empty() && name != "none" && name != "null") {
    auto it = layouts_.find(name);
    if (it == layouts_.end()) {
      std::lock_guard<std::mutex> lock(warnings_mutex_);
      warnings_.push_back(d.relative_path + ": layout '" + name + "' does not exist");
      break;
    }
    if (!seen.insert(name).second) {
      throw SourceError(it->second->layout->relative_path, 1, 1,
                        "layout '" + name + "' includes itself");
    }
    const Layout& l = *it->second->layout;
    Hash merged = l.data;
    for (const auto& [k, v] : layout_data) merged.set(k, v);  // the inner layout wins
    layout_data = merged;
    Hash globals;
    globals.set("site", doc_site);
    globals.set("page", page);
    globals.set("layout", Value(layout_data));
    globals.set("content", std::move(output));
    if (!paginator.is_nil()) globals.set("paginator", paginator);
    Context ctx(Value(std::move(globals)), env_);
    ctx.strict_variables = config_.liquid_strict_variables;
    ctx.strict_filters = config_.liquid_strict_filters;
    ctx.set_partials(partials_.get());
    ctx.host() = static_cast<const RenderHost*>(&host);
    ReadTracker tracker(document_hashes_, doc_site, reads);
    output = Value(with_file_lines(l.relative_path, l.body_line,
                                   [&] { return it->second->tpl->render(ctx); }));
    const Value* parent = l.data.find("layout");
    name = parent && !parent->is_nil() ? parent->to_string() : "";
  }
  if (on_output) {
    on_output(d, output.as_string());
  } else {
    d.output = output.as_string();
  }
}

std::vector<Document*> SiteRenderer::outputs() const {
  std::vector<Document*> out;
  for (const auto& d : content_.pages) out.push_back(d.get());
  for (const auto& d : content_.posts) out.push_back(d.get());
  for (const auto& [name, docs] : content_.collections)
    for (const auto& d : docs)
      if (d->write) out.push_back(d.get());
  for (const auto& d : generated_) out.push_back(d.get());
  return out;
}

Value SiteRenderer::tracked_value(const Document& d, Value v) const {
  if (tracking_) document_hashes_.add(v, &d);
  return v;
}

void SiteRenderer::link_posts() {
  // Values are rebuilt from scratch; the hashes of the previous ones are gone.
  document_hashes_.clear();
  // Posts as site.posts shows them, with next and previous (oldest first in content_); the
  // values share each post's content. next and previous show the neighbours without theirs.
  std::vector<Value> base(content_.posts.size());
  for (size_t i = 0; i < content_.posts.size(); ++i) {
    Document& d = *content_.posts[i];
    base[i] = tracked_value(d, document_value(d));
  }
  for (size_t i = 0; i < content_.posts.size(); ++i) {
    Document& d = *content_.posts[i];
    Hash h = base[i].as_hash();
    Value previous = i > 0 ? base[i - 1] : Value(nullptr);
    Value next = i + 1 < content_.posts.size() ? base[i + 1] : Value(nullptr);
    h.set("previous", previous);
    h.set("next", next);
    d.data.set("previous", previous);
    d.data.set("next", next);
    post_values_[&d] = tracked_value(d, Value(std::move(h)));
  }
  base.clear();
  site_ = build_site_value();
}

void SiteRenderer::relink_post(Document& d, Replacements& replaced) {
  size_t i = 0;
  while (i < content_.posts.size() && content_.posts[i].get() != &d) ++i;
  Value old = post_values_.at(&d);
  const Value* previous = old.as_hash().find("previous");
  const Value* next = old.as_hash().find("next");
  // As link_posts() makes it: from the data as prepared (a neighbour edited just before
  // has set this post's previous or next in d.data).
  d.data = prepared_data_.at(&d);
  Value base = tracked_value(d, document_value(d));
  Hash h = base.as_hash();
  h.set("previous", *previous);
  h.set("next", *next);
  d.data.set("previous", *previous);
  d.data.set("next", *next);
  auto swap_in = [&](Document& doc, Value value) {
    Value before = post_values_.at(&doc);
    document_hashes_.remove(before);
    replaced.to[&before.as_hash()] = value;
    // A value replaced twice (neighbours edited together) is found by its first address too.
    for (auto& [from, to] : replaced.to)
      if (to.is_hash() && &to.as_hash() == &before.as_hash()) to = value;
    replaced.retired.push_back(before);
    post_values_[&doc] = tracked_value(doc, std::move(value));
  };
  // The neighbours' next and previous show this post without its own neighbours.
  // (This post's old value as they show it is no document's any more.)
  if (i > 0) {
    document_hashes_.remove(post_values_.at(content_.posts[i - 1].get()).get("next"));
  } else if (i + 1 < content_.posts.size()) {
    document_hashes_.remove(post_values_.at(content_.posts[i + 1].get()).get("previous"));
  }
  if (i > 0) {
    Document& prev_doc = *content_.posts[i - 1];
    Hash p = post_values_.at(&prev_doc).as_hash();
    p.set("next", base);
    prev_doc.data.set("next", base);
    swap_in(prev_doc, Value(std::move(p)));
  }
  if (i + 1 < content_.posts.size()) {
    Document& next_doc = *content_.posts[i + 1];
    Hash n = post_values_.at(&next_doc).as_hash();
    n.set("previous", base);
    next_doc.data.set("previous", base);
    swap_in(next_doc, Value(std::move(n)));
  }
  swap_in(d, Value(std::move(h)));
}

namespace {

// Whether replace_values() kept a value as it was (it returns scalars unchanged).
bool same(const Value& a, const Value& b) {
  if (a.is_hash() && b.is_hash()) return &a.as_hash() == &b.as_hash();
  if (a.is_array() && b.is_array()) return a.array_ptr() == b.array_ptr();
  return a.type() == b.type() && !a.is_hash() && !a.is_array();
}

}  // namespace

Value SiteRenderer::replace_values(const Value& v, const Replacements& replaced) const {
  if (v.is_hash()) {
    const Hash& h = v.as_hash();
    if (auto r = replaced.to.find(&h); r != replaced.to.end()) return r->second;
    // A document's value holds no other document's but its neighbours' (handled above).
    if (document_hashes_.find(&h)) return v;
    Hash out;
    bool any = false;
    for (const auto& [k, item] : h.entries()) {
      Value n = replace_values(item, replaced);
      any |= !same(n, item);
      out.set(k, std::move(n));
    }
    return any ? Value(std::move(out)) : v;
  }
  if (v.is_array()) {
    Array out;
    out.reserve(v.as_array().size());
    bool any = false;
    for (const Value& item : v.as_array()) {
      out.push_back(replace_values(item, replaced));
      any |= !same(out.back(), item);
    }
    return any ? Value(std::move(out)) : v;
  }
  return v;
}

Value SiteRenderer::paginator_value(Paginated& p) const {
  Array posts;
  for (const Document* d : p.posts) {
    auto it = post_values_.find(d);
    posts.push_back(it != post_values_.end() ? it->second : document_value(*d));
  }
  p.paginator.set("posts", Value(std::move(posts)));
  return Value(p.paginator);
}

void SiteRenderer::run(unsigned threads, const OutputFn& on_output) {
  for (const auto& [name, layout] : content_.layouts) {
    auto lt = std::make_unique<LayoutTemplate>();
    lt->layout = &layout;
    lt->tpl = parse(layout.body, layout.relative_path, layout.body_line);
    layouts_.emplace(name, std::move(lt));
  }
  // Phase 1: posts and collection documents get their content (site.posts shows it). The
  // `site` of this phase is built only when a body has Liquid in it.
  std::vector<Document*> docs;
  for (const auto& d : content_.posts) docs.push_back(d.get());
  for (const auto& [name, list] : content_.collections)
    for (const auto& d : list) docs.push_back(d.get());
  std::once_flag early_once;
  Value early_site;
  SiteFn early = [&]() -> const Value& {
    std::call_once(early_once, [&] { early_site = build_site_value(); });
    return early_site;
  };
  // Built before any body renders, so that a body reading another post's content sees its
  // source text whatever the thread timing (reproducible output; no read of a content
  // another thread is writing). Needed only when some body has Liquid in it.
  if (std::any_of(docs.begin(), docs.end(), [](const Document* d) { return has_liquid(d->body); }))
    early();
  if (tracking_) {
    // The document hashes are registered before the render threads look them up.
    for (const auto& d : content_.posts) prepared_data_[d.get()] = d->data;
    for (Document* d : docs) early_reads_[d], reads_[d];
    for (Document* d : outputs()) reads_[d];
  }
  parallel_for(docs.size(), threads, [&](size_t i) {
    ReadSet* reads = tracking_ ? &early_reads_.at(docs[i]) : nullptr;
    render_body(*docs[i], early, Value(), reads);
    if (docs[i]->collection == "posts") render_excerpt(*docs[i], early, reads);
  });
  early_site = Value();
  document_hashes_.sweep();  // the early site's values
  for (auto& [d, r] : early_reads_) {
    // A body that includes a file (include_relative) may include a post's: as good as
    // reading that post.
    early_reads_documents_ |= r.documents || !r.files.empty();
    early_reads_time_ |= r.time;
  }
  // Their text is converted now; what templates see from here on is the content.
  for (Document* d : docs) std::string().swap(d->body);
  link_posts();

  // Phase 2: layouts for documents; pages render completely. Pages go first: an archive of
  // every post is the longest single job, so it must not start last.
  std::vector<std::pair<Document*, Value>> pages;
  for (const auto& p : content_.pages) pages.emplace_back(p.get(), Value());
  for (auto& p : paginated_) pages.emplace_back(p.page, paginator_value(p));
  SiteFn final_site = [this]() -> const Value& { return site_; };
  size_t total = docs.size() + pages.size();
  parallel_for(total, threads, [&](size_t i) {
    if (i >= pages.size()) {
      Document* d = docs[i - pages.size()];
      ReadSet* reads = tracking_ ? &reads_.at(d) : nullptr;
      apply_layouts(*d, site_, Value(), on_output, reads);
    } else {
      auto& [page, paginator] = pages[i];
      ReadSet* reads = tracking_ ? &reads_.at(page) : nullptr;
      render_body(*page, final_site, paginator, reads);
      apply_layouts(*page, site_, paginator, on_output, reads);
    }
  });
  for (auto& [d, r] : reads_) r.finish();
}

}  // namespace mayfly::site

namespace mayfly::site {

bool SiteRenderer::rerender_bodies(const std::vector<PostEdit>& edits, int64_t now,
                                   unsigned threads, const OutputFn& on_output) {
  document_hashes_.sweep();  // values the last rebuild replaced
  std::vector<Document*> changed;
  std::set<std::pair<const Document*, std::string>> changed_keys;
  for (const PostEdit& e : edits) {
    changed.push_back(e.post);
    auto prepared = prepared_data_.find(e.post);
    if (prepared == prepared_data_.end()) return false;
    for (const auto& [key, value] : e.values) {
      prepared->second.set(key, value);  // in place: the key keeps its position
      changed_keys.emplace(e.post, key);
    }
  }
  // A body that read other documents saw them half rendered (phase 1), or a time that is
  // no longer the build's: only a full build gives the same result then.
  bool time_changed = now != now_;
  if (!tracking_ || early_reads_documents_ || (time_changed && early_reads_time_)) return false;
  now_ = now;
  {
    std::lock_guard<std::mutex> lock(warnings_mutex_);
    warnings_.clear();
  }
  // Phase 1 for the edited posts, as run() does it: data without next and previous, no
  // content or excerpt yet. site_ stands in for the early site: the body may read only what
  // is the same in both (not the documents' values: checked after).
  Value early_site;
  bool early_built = false;
  SiteFn early = [&]() -> const Value& {
    if (!early_built) {
      early_site = build_site_value();
      early_built = true;
    }
    return early_site;
  };
  std::set<const Document*> edited(changed.begin(), changed.end());
  std::set<std::string> edited_files;
  for (const Document* d : changed) edited_files.insert(d->relative_path);
  for (Document* d : changed) {
    auto prepared = prepared_data_.find(d);
    if (prepared == prepared_data_.end()) return false;
    d->data = prepared->second;
    d->content = SharedText();
    d->excerpt.clear();
    ReadSet& reads = early_reads_[d];
    reads = ReadSet();
    render_body(*d, early, Value(), &reads);
    render_excerpt(*d, early, &reads);
    if (reads.documents || !reads.files.empty()) return false;
    early_reads_time_ |= reads.time;
    std::string().swap(d->body);
  }
  early_site = Value();
  document_hashes_.sweep();  // the early site's values
  // Only the edited posts' values and their neighbours' (whose next or previous shows them)
  // are new; site_ gets them in place of the old ones.
  Replacements replaced;
  for (Document* d : changed) relink_post(*d, replaced);
  Hash site = replace_values(site_, replaced).as_hash();
  site.set("time", format_time(now_, liquid::DateTime::from_epoch(now_).offset));
  site_ = Value(std::move(site));

  // Phase 2 for the edited posts and whatever read them.
  std::vector<std::pair<Document*, Value>> pages;  // rendered from their body
  std::vector<Document*> docs;                     // layouts only
  auto reached = [&](const Document* d) {
    auto r = reads_.find(d);
    if (r == reads_.end()) return false;
    if (time_changed && r->second.time) return true;
    for (const Document* t : r->second.texts)
      if (edited.count(t)) return true;
    for (const std::string& f : r->second.files)
      if (edited_files.count(f)) return true;
    for (const auto& k : r->second.keys)
      if (changed_keys.count(k)) return true;
    return false;
  };
  std::set<const Document*> is_page;
  for (const auto& p : content_.pages) {
    is_page.insert(p.get());
    if (reached(p.get())) pages.emplace_back(p.get(), Value());
  }
  for (auto& p : paginated_) {
    is_page.insert(p.page);
    if (reached(p.page)) pages.emplace_back(p.page, paginator_value(p));
  }
  for (Document* d : outputs())
    if (!is_page.count(d) && (edited.count(d) || reached(d))) docs.push_back(d);
  for (auto& [page, paginator] : pages) {
    reads_[page] = ReadSet();
    page->content = SharedText();  // pages render from their body, as the first time
  }
  for (Document* d : docs) reads_[d] = ReadSet();
  SiteFn final_site = [this]() -> const Value& { return site_; };
  parallel_for(pages.size() + docs.size(), threads, [&](size_t i) {
    if (i >= pages.size()) {
      Document* d = docs[i - pages.size()];
      apply_layouts(*d, site_, Value(), on_output, &reads_.at(d));
    } else {
      auto& [page, paginator] = pages[i];
      render_body(*page, final_site, paginator, &reads_.at(page));
      apply_layouts(*page, site_, paginator, on_output, &reads_.at(page));
    }
  });
  for (auto& [page, paginator] : pages) reads_.at(page).finish();
  for (Document* d : docs) reads_.at(d).finish();
  rerendered_ = pages.size() + docs.size();
  return true;
}

}  // namespace mayfly::site
