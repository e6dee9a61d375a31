#pragma once
// Turns what the reader found into documents ready to render: front matter defaults,
// dates, categories and tags, publishing rules, URLs and output paths, sorting, and the
// `page` data each document shows to templates.
#include <cstdint>

#include "site/jekyll/config.h"
#include "site/jekyll/reader.h"

namespace mayfly::site {

// now: the build's time (site.time); posts dated after it are skipped unless
// config.future. Throws SourceError for an unparsable date.
void prepare_site(SiteContent& content, const SiteConfig& config, int64_t now);

// Jekyll's Time#to_s: "2014-03-15 10:00:00 +0100".
std::string format_time(int64_t epoch, int offset);

// Jekyll::Utils.titleize_slug: "my-first-post" → "My First Post".
std::string titleize_slug(std::string_view slug);

}  // namespace mayfly::site
