// Heading ids as kramdown's GFM parser makes them (auto_ids).
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>

namespace mayfly::site::markdown {

// The GFM slug of a heading's text: lowercased, characters other than word characters
// (letters, marks, digits, '_'), '-', space and tab dropped, spaces and tabs turned into '-'.
std::string gfm_slug(std::string_view text);

// Hands out ids for the headings of one document: the second "foo" becomes "foo-1", etc.
class HeadingIds {
 public:
  explicit HeadingIds(std::string prefix = {}) : prefix_(std::move(prefix)) {}
  std::string next(std::string_view heading_text);

 private:
  std::string prefix_;
  std::unordered_map<std::string, int> seen_;
};

}  // namespace mayfly::site::markdown
