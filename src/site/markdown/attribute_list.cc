#include "site/markdown/attribute_list.h"

#include <cctype>

#include "site/markdown/escape.h"

namespace mayfly::site::markdown {

std::optional<Attributes> parse_block_ial(std::string_view line) {
  while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back())))
    line.remove_suffix(1);
  while (!line.empty() && std::isspace(static_cast<unsigned char>(line.front())))
    line.remove_prefix(1);
  if (line.size() < 3 || !line.starts_with("{:") || line.back() != '}') return std::nullopt;
  std::string_view body = line.substr(2, line.size() - 3);
  if (body.starts_with(":") || body.find('}') != std::string_view::npos) return std::nullopt;
  Attributes attrs;
  std::string classes;
  size_t i = 0;
  while (i < body.size()) {
    if (std::isspace(static_cast<unsigned char>(body[i]))) {
      ++i;
      continue;
    }
    size_t start = i;
    if (body[i] == '.' || body[i] == '#') {
      ++i;
      while (i < body.size() && !std::isspace(static_cast<unsigned char>(body[i]))) ++i;
      std::string_view name = body.substr(start + 1, i - start - 1);
      if (name.empty()) return std::nullopt;
      if (body[start] == '.') {
        if (!classes.empty()) classes += ' ';
        classes += name;
      } else {
        attrs.emplace_back("id", std::string(name));
      }
      continue;
    }
    while (i < body.size() && (std::isalnum(static_cast<unsigned char>(body[i])) ||
                               body[i] == '-' || body[i] == '_' || body[i] == ':'))
      ++i;
    std::string_view key = body.substr(start, i - start);
    if (key.empty()) return std::nullopt;
    if (i < body.size() && body[i] == '=') {
      ++i;
      std::string value;
      if (i < body.size() && (body[i] == '"' || body[i] == '\'')) {
        char q = body[i++];
        size_t close = body.find(q, i);
        if (close == std::string_view::npos) return std::nullopt;
        value = body.substr(i, close - i);
        i = close + 1;
      } else {
        size_t end = i;
        while (end < body.size() && !std::isspace(static_cast<unsigned char>(body[end]))) ++end;
        value = body.substr(i, end - i);
        i = end;
      }
      attrs.emplace_back(std::string(key), std::move(value));
    }
    // A bare word is a reference to an attribute list definition: not supported, ignored.
  }
  if (!classes.empty()) attrs.emplace_back("class", classes);
  return attrs;
}

void apply_attributes(std::string& html, std::size_t from, const Attributes& attrs) {
  size_t lt = html.find('<', from);
  if (lt == std::string::npos || lt + 1 >= html.size() || html[lt + 1] == '/' ||
      html[lt + 1] == '!')
    return;
  // Where new attributes go: before '>' or before " />".
  auto insert_point = [&]() -> size_t {
    size_t gt = html.find('>', lt);
    if (gt == std::string::npos) return std::string::npos;
    size_t end = gt;
    if (end > lt && html[end - 1] == '/') {
      --end;
      while (end > lt && html[end - 1] == ' ') --end;
    }
    return end;
  };
  size_t tag_end = insert_point();
  if (tag_end == std::string::npos) return;
  for (const auto& [key, value] : attrs) {
    std::string tag = html.substr(lt, tag_end - lt);
    std::string needle = " " + key + "=\"";
    size_t at = tag.find(needle);
    std::string escaped;
    append_escaped_attr(escaped, value);
    if (at != std::string::npos) {
      size_t vstart = lt + at + needle.size();
      size_t vend = html.find('"', vstart);
      if (vend == std::string::npos) continue;
      if (key == "class")
        html.insert(vend, " " + escaped);
      else
        html.replace(vstart, vend - vstart, escaped);
    } else {
      html.insert(tag_end, " " + key + "=\"" + escaped + "\"");
    }
    tag_end = insert_point();
    if (tag_end == std::string::npos) return;
  }
}

}  // namespace mayfly::site::markdown
