// Random access to the lines of a Markdown source, by cmark's 1-based line numbers.
#pragma once

#include <string_view>
#include <vector>

namespace mayfly::site::markdown {

class SourceLines {
 public:
  explicit SourceLines(std::string_view source);

  int count() const { return static_cast<int>(starts_.size()); }
  // Line n without its line ending; empty when out of range.
  std::string_view line(int n) const;
  // Lines first..last (inclusive) as they are in the source, with their line endings.
  std::string_view span(int first, int last) const;
  // The source from the start of line n to the end.
  std::string_view from(int n) const;

 private:
  std::string_view source_;
  std::vector<size_t> starts_;
};

}  // namespace mayfly::site::markdown
