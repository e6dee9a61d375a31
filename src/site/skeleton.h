#pragma once
// The new-blog skeleton that `mayfly new` writes (layouts, includes, stylesheet, about
// page, first post, 404 page): examples/blog, embedded at build time.
#include <string_view>
#include <vector>

namespace mayfly::site {

struct EmbeddedFile {
  std::string_view path;  // relative, '/'-separated
  std::string_view content;
};

const std::vector<EmbeddedFile>& skeleton_files();

}  // namespace mayfly::site
