#pragma once
// Sass and SCSS pages (files with front matter) compiled with libsass, importing from
// the site's _sass directory, as jekyll-sass-converter does.
#include <string>

#include "site/jekyll/config.h"

namespace mayfly::site {

// Throws SourceError at file:line:col for a Sass error.
std::string compile_sass(const std::string& source, bool indented, const SiteConfig& config,
                         const std::string& file, int first_line = 1);

}  // namespace mayfly::site
