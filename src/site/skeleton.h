#pragma once
// The new-blog skeleton that `mayfly new` writes (layouts, includes, stylesheet, about
// page, first post, 404 page), embedded from src/site/skeleton/ at build time. The
// repository's examples/blog is this skeleton as written out.
#include <string_view>
#include <vector>

namespace mayfly::site {

struct EmbeddedFile {
  std::string_view path;  // relative, '/'-separated
  std::string_view content;
};

const std::vector<EmbeddedFile>& skeleton_files();

}  // namespace mayfly::site
