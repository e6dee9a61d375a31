#pragma once
// What Jekyll's filters and tags reach during a render (through liquid::Context::host()).
#include <functional>
#include <map>
#include <string>

#include "site/jekyll/config.h"
#include "site/liquid/liquid.h"

namespace mayfly::site {

struct RenderHost {
  const SiteConfig* config = nullptr;
  // Relative source path ("_posts/2020-01-01-x.md", "about.md") → URL, for {% link %}.
  const std::map<std::string, std::string>* urls_by_path = nullptr;
  // Post file name without extension ("2020-01-01-x") → URL, for {% post_url %}.
  const std::map<std::string, std::string>* post_urls = nullptr;
  // The document being rendered, relative to the source (for include_relative).
  std::string current_path;
  // Markdown conversion, as the site is configured (markdownify).
  std::function<std::string(std::string_view)> markdownify;
};

// The host of the current render; throws liquid::RenderError when there is none.
const RenderHost& render_host(liquid::Context& ctx);

// Jekyll's filters (relative_url, where_exp, jsonify, …) and tags (highlight, link,
// post_url, include_relative), added to an environment that already has the standard ones.
void register_jekyll_filters(liquid::Environment& env);
void register_jekyll_tags(liquid::Environment& env);

// Jekyll::Filters::URLFilters, for use outside templates too.
std::string relative_url(const SiteConfig& config, std::string_view input);
std::string absolute_url(const SiteConfig& config, std::string_view input);

// Ruby's Time#xmlschema of a date value ("2014-03-15T10:00:00+01:00"); empty if not a date.
std::string xmlschema(const liquid::Value& date);

// Ruby's to_json for Liquid values.
std::string to_json(const liquid::Value& v);

}  // namespace mayfly::site
