#include "site/jekyll/front_matter.h"

#include <mutex>
#include <string>
#include <unordered_map>

#include "site/jekyll/yaml_value.h"

namespace mayfly::site {
namespace {

// Parsed front matter by its YAML text. yaml-cpp takes most of the time of reading a site,
// and a rebuild (`serve --watch`) reads the same front matter again for every unchanged
// file. Values are immutable, so one parse is shared. Only successful parses are kept
// (errors name the file).
liquid::Value parse_yaml_cached(std::string_view yaml, const std::string& file) {
  static std::mutex mutex;
  static std::unordered_map<std::string, liquid::Value, liquid::StringHash, liquid::StringEq> cache;
  {
    std::lock_guard<std::mutex> lock(mutex);
    if (auto it = cache.find(yaml); it != cache.end()) return it->second;
  }
  liquid::Value v = parse_yaml(yaml, file, 2);
  std::lock_guard<std::mutex> lock(mutex);
  if (cache.size() >= 100000) cache.clear();  // a bound for long watch sessions
  cache.emplace(std::string(yaml), v);
  return v;
}

}  // namespace

bool has_front_matter(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // a UTF-8 byte order mark
  if (!text.starts_with("---")) return false;
  std::string_view rest = text.substr(3);
  while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
  return rest.starts_with("\n") || rest.starts_with("\r\n");
}

std::optional<FrontMatter> parse_front_matter(std::string_view text, const std::string& file) {
  if (!has_front_matter(text)) return std::nullopt;
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  size_t start = text.find('\n') + 1;
  // The block ends at a line that is "---" or "..." (Jekyll's front matter pattern).
  size_t pos = start;
  int line = 2;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    std::string_view l =
        text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    if (l.ends_with('\r')) l.remove_suffix(1);
    while (!l.empty() && (l.back() == ' ' || l.back() == '\t')) l.remove_suffix(1);
    if (l == "---" || l == "...") {
      FrontMatter fm;
      std::string_view yaml = text.substr(start, pos - start);
      fm.data = parse_yaml_cached(yaml, file);
      if (fm.data.is_nil()) fm.data = liquid::Hash{};
      if (!fm.data.is_hash())
        throw SourceError(file, 2, 1, "front matter must be a mapping of keys to values");
      fm.content = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
      fm.content_line = line + 1;
      return fm;
    }
    if (end == std::string_view::npos) break;
    pos = end + 1;
    ++line;
  }
  throw SourceError(file, 1, 1,
                    "front matter is not closed (no line of '---' after the opening one)");
}

}  // namespace mayfly::site
