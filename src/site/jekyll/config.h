#pragma once
// _config.yml, with Jekyll 4.3's defaults (Jekyll::Configuration::DEFAULTS).
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "site/liquid/value.h"

namespace mayfly::site {

struct CollectionConfig {
  std::string name;
  bool output = false;
  std::string permalink;  // empty: the site's default for this collection
  std::string sort_by;
};

struct FrontMatterDefault {
  std::string path;  // scope.path, relative to the source; "" for everything; may hold '*'
  std::string type;  // scope.type: pages, posts, drafts, or a collection name; "" for any
  liquid::Value values;
};

struct SiteConfig {
  std::filesystem::path source;       // absolute
  std::filesystem::path destination;  // absolute
  std::string layouts_dir = "_layouts";
  std::string includes_dir = "_includes";
  std::string data_dir = "_data";
  std::string sass_dir = "_sass";
  // sass.style; jekyll-sass-converter keeps "compact" as the default with libsass (sassc).
  std::string sass_style = "compact";
  // liquid: error_mode (strict, warn, lax; Jekyll's default: warn), strict_filters,
  // strict_variables.
  std::string liquid_error_mode = "warn";
  bool liquid_strict_filters = false;
  bool liquid_strict_variables = false;
  std::vector<std::string> sass_load_paths;  // absolute; the theme's _sass among them
  // A gem-based theme (`theme: minima`): its _layouts, _includes, _sass and assets are
  // used where the site has none of its own.
  std::string theme;
  std::filesystem::path theme_dir;  // empty when there is no theme or it was not found
  std::string collections_dir;
  std::vector<std::string> include;
  std::vector<std::string> exclude;
  std::set<std::string> markdown_ext;  // without the dot
  std::string permalink = "date";
  std::string excerpt_separator = "\n\n";
  std::string baseurl;
  std::string url;
  std::string timezone;
  int paginate = 0;
  std::string paginate_path = "/page:num";
  bool show_drafts = false;
  bool future = false;
  bool unpublished = false;
  int limit_posts = 0;
  std::vector<CollectionConfig> collections;  // "posts" first
  std::vector<FrontMatterDefault> defaults;
  std::vector<std::string> plugins;
  liquid::Value data;  // every key, as `site.*` sees it

  bool is_markdown(const std::filesystem::path& file) const;
  const CollectionConfig* collection(const std::string& name) const;
};

struct BuildFlags {
  std::optional<std::filesystem::path> destination;
  std::optional<std::string> baseurl;
  bool drafts = false;
  bool future = false;
  bool unpublished = false;
  std::vector<std::filesystem::path> config_files;  // default: SOURCE/_config.yml if present
};

// Reads the configuration of the site at `source` (Octopress's `source:` key is honoured:
// paths in it are relative to the directory holding _config.yml). Throws SourceError.
SiteConfig load_config(const std::filesystem::path& source, const BuildFlags& flags);

// Where a theme gem is installed (Debian's ruby gems, then user gem homes); empty if not.
std::filesystem::path find_theme(const std::string& name);

}  // namespace mayfly::site
