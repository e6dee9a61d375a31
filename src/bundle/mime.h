#pragma once
// Content types by file extension, and which of them are worth precompressing.
#include <string>
#include <string_view>

namespace mayfly::bundle {

// The Content-Type header value for a path, with "; charset=utf-8" for text types.
std::string content_type_for(std::string_view path);

// False for formats that are already compressed (images, fonts, archives, media), where
// gzip and brotli variants would only cost build time.
bool worth_compressing(std::string_view content_type);

}  // namespace mayfly::bundle
