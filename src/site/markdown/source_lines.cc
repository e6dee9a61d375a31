#include "site/markdown/source_lines.h"

#include <cstring>

namespace mayfly::site::markdown {

SourceLines::SourceLines(std::string_view source) : source_(source) {
  starts_.push_back(0);
  const char* begin = source.data();
  const char* end = begin + source.size();
  for (const char* p = begin; p < end;) {
    const auto* nl = static_cast<const char*>(std::memchr(p, '\n', size_t(end - p)));
    if (nl == nullptr || nl + 1 >= end) break;
    starts_.push_back(size_t(nl + 1 - begin));
    p = nl + 1;
  }
}

std::string_view SourceLines::line(int n) const {
  if (n < 1 || n > count()) return {};
  size_t start = starts_[static_cast<size_t>(n - 1)];
  size_t end = source_.find('\n', start);
  if (end == std::string_view::npos) end = source_.size();
  if (end > start && source_[end - 1] == '\r') --end;
  return source_.substr(start, end - start);
}

std::string_view SourceLines::span(int first, int last) const {
  if (first < 1) first = 1;
  if (last > count()) last = count();
  if (first > last) return {};
  size_t start = starts_[static_cast<size_t>(first - 1)];
  size_t end = last < count() ? starts_[static_cast<size_t>(last)] : source_.size();
  return source_.substr(start, end - start);
}

std::string_view SourceLines::from(int n) const {
  if (n < 1 || n > count()) return {};
  return source_.substr(starts_[static_cast<size_t>(n - 1)]);
}

}  // namespace mayfly::site::markdown
