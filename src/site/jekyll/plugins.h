#pragma once
// The plugins every Jekyll blog lists, built in: jekyll-paginate (paginator), jekyll-feed
// (feed.xml, {% feed_meta %}), jekyll-sitemap (sitemap.xml, robots.txt) and
// jekyll-seo-tag ({% seo %}).
#include <string>
#include <vector>

#include "site/jekyll/config.h"
#include "site/jekyll/reader.h"
#include "site/jekyll/render.h"

namespace mayfly::site {

struct GeneratedFile {
  std::string path;  // relative to the destination
  std::string content;
  std::string plugin;
};

class Plugins {
 public:
  explicit Plugins(const SiteConfig& config);
  // Registers the plugin tags and adds paginated pages.
  void before_render(SiteRenderer& renderer, SiteContent& content);
  // Feeds, sitemaps and robots.txt, made from the rendered site.
  std::vector<GeneratedFile> after_render(const SiteRenderer& renderer, const SiteContent& content);

  bool enabled(const std::string& name) const;

 private:
  const SiteConfig& config_;
};

}  // namespace mayfly::site
