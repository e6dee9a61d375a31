#include "site/jekyll/config.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "site/jekyll/yaml_value.h"

namespace mayfly::site {
namespace fs = std::filesystem;
using liquid::Array;
using liquid::Hash;
using liquid::Value;

namespace {

std::string read_text(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  if (!f) throw SourceError(p.string(), 1, 1, "cannot read the file");
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

std::string str(const Hash& h, std::string_view key, std::string fallback = {}) {
  const Value* v = h.find(key);
  if (v == nullptr || v->is_nil()) return fallback;
  return v->to_string();
}

bool boolean(const Hash& h, std::string_view key, bool fallback) {
  const Value* v = h.find(key);
  return v == nullptr || v->is_nil() ? fallback : v->truthy();
}

std::vector<std::string> list(const Hash& h, std::string_view key) {
  std::vector<std::string> out;
  const Value* v = h.find(key);
  if (v == nullptr || v->is_nil()) return out;
  if (v->is_array()) {
    for (const Value& e : v->as_array()) out.push_back(e.to_string());
  } else {
    out.push_back(v->to_string());
  }
  return out;
}

// Jekyll::Configuration::DEFAULTS, the keys a theme may read through `site`.
Hash defaults() {
  Hash h;
  h.set("source", ".");
  h.set("destination", "./_site");
  h.set("collections_dir", "");
  h.set("cache_dir", ".jekyll-cache");
  h.set("plugins_dir", "_plugins");
  h.set("layouts_dir", "_layouts");
  h.set("data_dir", "_data");
  h.set("includes_dir", "_includes");
  h.set("collections", Hash{});
  h.set("safe", false);
  h.set("include", Array{".htaccess"});
  h.set("exclude", Array{});
  h.set("keep_files", Array{".git", ".svn"});
  h.set("encoding", "utf-8");
  h.set("markdown_ext", "markdown,mkdown,mkdn,mkd,md");
  h.set("strict_front_matter", false);
  h.set("show_drafts", nullptr);
  h.set("limit_posts", 0);
  h.set("future", false);
  h.set("unpublished", false);
  h.set("whitelist", Array{});
  h.set("plugins", Array{});
  h.set("markdown", "kramdown");
  h.set("highlighter", "rouge");
  h.set("lsi", false);
  h.set("excerpt_separator", "\n\n");
  h.set("incremental", false);
  h.set("detach", false);
  h.set("port", "4000");
  h.set("host", "127.0.0.1");
  h.set("baseurl", nullptr);
  h.set("show_dir_listing", false);
  h.set("permalink", "date");
  h.set("paginate_path", "/page:num");
  h.set("timezone", nullptr);
  h.set("quiet", false);
  h.set("verbose", false);
  h.set("defaults", Array{});
  h.set("liquid",
        Hash{{"error_mode", "warn"}, {"strict_filters", false}, {"strict_variables", false}});
  h.set("kramdown", Hash{{"auto_ids", true},
                         {"toc_levels", Array{1, 2, 3, 4, 5, 6}},
                         {"entity_output", "as_char"},
                         {"smart_quotes", "lsquo,rsquo,ldquo,rdquo"},
                         {"input", "GFM"},
                         {"hard_wrap", false},
                         {"guess_lang", true},
                         {"footnote_nr", 1},
                         {"show_warnings", false}});
  return h;
}

// Jekyll's always-excluded entries (Configuration#add_default_excludes).
const char* const kDefaultExcludes[] = {
    ".sass-cache",  ".jekyll-cache",  "gemfiles",      "Gemfile",      "Gemfile.lock",
    "node_modules", "vendor/bundle/", "vendor/cache/", "vendor/gems/", "vendor/ruby/"};

}  // namespace

bool SiteConfig::is_markdown(const fs::path& file) const {
  std::string ext = file.extension().string();
  if (ext.size() < 2) return false;
  std::string e = ext.substr(1);
  for (char& c : e) c = char(std::tolower(static_cast<unsigned char>(c)));
  return markdown_ext.count(e) > 0;
}

const CollectionConfig* SiteConfig::collection(const std::string& name) const {
  for (const auto& c : collections)
    if (c.name == name) return &c;
  return nullptr;
}

fs::path find_theme(const std::string& name) {
  std::vector<fs::path> roots = {"/usr/share/rubygems-integration/all/gems", "/usr/lib/ruby/gems",
                                 "/var/lib/gems", "/usr/local/lib/ruby/gems"};
  if (const char* home = std::getenv("HOME")) roots.push_back(fs::path(home) / ".gem");
  if (const char* gem_home = std::getenv("GEM_HOME"))
    roots.insert(roots.begin(), fs::path(gem_home) / "gems");
  std::vector<fs::path> found;
  for (const fs::path& root : roots) {
    std::error_code ec;
    if (!fs::is_directory(root, ec)) continue;
    for (auto it = fs::recursive_directory_iterator(root, ec);
         it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (ec) break;
      if (it.depth() > 3) {
        it.disable_recursion_pending();
        continue;
      }
      std::string fname = it->path().filename().string();
      if (it->is_directory() && fname.starts_with(name + "-") && fname.size() > name.size() + 1 &&
          std::isdigit(static_cast<unsigned char>(fname[name.size() + 1]))) {
        found.push_back(it->path());
        it.disable_recursion_pending();
      }
    }
  }
  if (found.empty()) return {};
  std::sort(found.begin(), found.end());
  return found.back();  // the highest version by name
}

SiteConfig load_config(const fs::path& source_arg, const BuildFlags& flags) {
  fs::path root = fs::absolute(source_arg).lexically_normal();
  if (!fs::is_directory(root))
    throw SourceError(source_arg.string(), 1, 1, "no such site directory");
  Hash merged = defaults();
  std::vector<fs::path> files = flags.config_files;
  if (files.empty()) {
    for (const char* name : {"_config.yml", "_config.yaml"}) {
      if (fs::exists(root / name)) {
        files.push_back(root / name);
        break;
      }
    }
  }
  for (const fs::path& f : files) {
    fs::path p = f.is_absolute() ? f : root / f;
    Value v = parse_yaml(read_text(p), p.string());
    if (v.is_nil()) continue;
    if (!v.is_hash()) throw SourceError(p.string(), 1, 1, "the configuration must be a mapping");
    for (const auto& [k, val] : v.as_hash()) merged.set(k, val);
  }

  SiteConfig c;
  // `source:` in _config.yml is relative to the directory that holds it (Octopress keeps
  // its site in source/ and writes public/).
  c.source = (root / str(merged, "source", ".")).lexically_normal();
  if (c.source.filename().empty()) c.source = c.source.parent_path();
  fs::path dest = flags.destination ? fs::absolute(*flags.destination)
                                    : root / str(merged, "destination", "./_site");
  c.destination = dest.lexically_normal();
  if (c.destination.filename().empty()) c.destination = c.destination.parent_path();
  c.layouts_dir = str(merged, "layouts_dir", "_layouts");
  c.includes_dir = str(merged, "includes_dir", "_includes");
  c.data_dir = str(merged, "data_dir", "_data");
  if (const Value* lq = merged.find("liquid"); lq && lq->is_hash()) {
    const Hash& h = lq->as_hash();
    std::string mode = str(h, "error_mode", "warn");
    if (mode != "strict" && mode != "warn" && mode != "lax")
      throw SourceError(files.empty() ? (root / "_config.yml").string() : files.back().string(), 1,
                        1, "liquid.error_mode must be strict, warn or lax, not '" + mode + "'");
    c.liquid_error_mode = mode;
    c.liquid_strict_filters = boolean(h, "strict_filters", false);
    c.liquid_strict_variables = boolean(h, "strict_variables", false);
  }
  if (const Value* sass = merged.find("sass"); sass && sass->is_hash()) {
    c.sass_dir = str(sass->as_hash(), "sass_dir", "_sass");
    std::string style = str(sass->as_hash(), "style", "compact");
    if (!style.empty() && style[0] == ':') style.erase(0, 1);
    if (style == "nested" || style == "expanded" || style == "compact" || style == "compressed")
      c.sass_style = style;
  }
  c.collections_dir = str(merged, "collections_dir");
  c.include = list(merged, "include");
  c.exclude = list(merged, "exclude");
  for (const char* e : kDefaultExcludes) c.exclude.push_back(e);
  for (std::string e : {str(merged, "markdown_ext")}) {
    size_t start = 0;
    while (start <= e.size()) {
      size_t comma = e.find(',', start);
      std::string item =
          e.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      while (!item.empty() && item.front() == ' ') item.erase(0, 1);
      while (!item.empty() && item.back() == ' ') item.pop_back();
      if (!item.empty()) c.markdown_ext.insert(item);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  c.permalink = str(merged, "permalink", "date");
  c.excerpt_separator = str(merged, "excerpt_separator", "\n\n");
  c.url = str(merged, "url");
  c.baseurl = flags.baseurl ? *flags.baseurl : str(merged, "baseurl");
  if (flags.baseurl) merged.set("baseurl", *flags.baseurl);
  c.timezone = str(merged, "timezone");
  if (const Value* p = merged.find("paginate"); p && p->is_number()) c.paginate = int(p->number());
  c.paginate_path = str(merged, "paginate_path", "/page:num");
  c.show_drafts = flags.drafts || boolean(merged, "show_drafts", false);
  c.future = flags.future || boolean(merged, "future", false);
  c.unpublished = flags.unpublished || boolean(merged, "unpublished", false);
  if (const Value* l = merged.find("limit_posts"); l && l->is_number())
    c.limit_posts = int(l->number());
  c.plugins = list(merged, "plugins");
  for (const std::string& g : list(merged, "gems")) c.plugins.push_back(g);  // Jekyll 2's name

  // Collections: a list of names or a map of name → settings; posts always exist.
  CollectionConfig posts{"posts", true, "", "date"};
  std::vector<CollectionConfig> cols;
  if (const Value* cv = merged.find("collections"); cv && !cv->is_nil()) {
    if (cv->is_array()) {
      for (const Value& n : cv->as_array()) cols.push_back({n.to_string(), false, "", ""});
    } else if (cv->is_hash()) {
      for (const auto& [name, settings] : cv->as_hash()) {
        CollectionConfig cc{name, false, "", ""};
        if (settings.is_hash()) {
          cc.output = boolean(settings.as_hash(), "output", false);
          cc.permalink = str(settings.as_hash(), "permalink");
          cc.sort_by = str(settings.as_hash(), "sort_by");
        }
        if (name == "posts") {
          posts.permalink = cc.permalink;
          continue;
        }
        cols.push_back(cc);
      }
    }
  }
  c.collections.push_back(posts);
  for (auto& cc : cols) c.collections.push_back(cc);

  if (const Value* d = merged.find("defaults"); d && d->is_array()) {
    for (const Value& entry : d->as_array()) {
      if (!entry.is_hash()) continue;
      FrontMatterDefault fd;
      if (const Value* scope = entry.as_hash().find("scope"); scope && scope->is_hash()) {
        fd.path = str(scope->as_hash(), "path");
        fd.type = str(scope->as_hash(), "type");
      }
      const Value* values = entry.as_hash().find("values");
      fd.values = values && values->is_hash() ? *values : Value(Hash{});
      c.defaults.push_back(fd);
    }
  }
  c.theme = str(merged, "theme");
  if (!c.theme.empty()) {
    c.theme_dir = find_theme(c.theme);
    if (!c.theme_dir.empty() && fs::is_directory(c.theme_dir / "_sass"))
      c.sass_load_paths.push_back((c.theme_dir / "_sass").string());
  }
  if (const Value* sass = merged.find("sass"); sass && sass->is_hash())
    for (const std::string& p : list(sass->as_hash(), "load_paths"))
      c.sass_load_paths.push_back((c.source / p).string());
  merged.set("source", c.source.string());
  merged.set("destination", c.destination.string());
  c.data = Value(std::move(merged));
  return c;
}

}  // namespace mayfly::site
