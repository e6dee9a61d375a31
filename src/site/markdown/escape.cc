#include "site/markdown/escape.h"

namespace mayfly::site::markdown {
namespace {

// Which bytes need an entity: 1 in text (& < >), 2 in attributes too (").
constexpr auto kSpecial = [] {
  struct Table {
    unsigned char v[256] = {};
  } t;
  t.v[static_cast<unsigned char>('&')] = 1;
  t.v[static_cast<unsigned char>('<')] = 1;
  t.v[static_cast<unsigned char>('>')] = 1;
  t.v[static_cast<unsigned char>('"')] = 2;
  return t;
}();

template <bool kAttr>
void append_escaped(std::string& out, std::string_view text) {
  // Runs without special bytes are appended whole; most text has none at all.
  constexpr unsigned char kMask = kAttr ? 3 : 1;
  const char* p = text.data();
  const char* end = p + text.size();
  const char* start = p;
  for (; p < end; ++p) {
    unsigned char c = static_cast<unsigned char>(*p);
    if ((kSpecial.v[c] & kMask) == 0) continue;
    out.append(start, size_t(p - start));
    switch (c) {
      case '&':
        out.append("&amp;", 5);
        break;
      case '<':
        out.append("&lt;", 4);
        break;
      case '>':
        out.append("&gt;", 4);
        break;
      default:
        out.append("&quot;", 6);
        break;
    }
    start = p + 1;
  }
  out.append(start, size_t(end - start));
}

// The typographic characters kramdown produces, by their UTF-8 encoding (all U+2000..U+203F
// except « » which are in Latin-1).
const char* typographic_entity(std::string_view s, size_t& len) {
  if (s.size() >= 2 && static_cast<unsigned char>(s[0]) == 0xC2) {
    len = 2;
    if (static_cast<unsigned char>(s[1]) == 0xAB) return "&#171;";
    if (static_cast<unsigned char>(s[1]) == 0xBB) return "&#187;";
    return nullptr;
  }
  if (s.size() < 3 || static_cast<unsigned char>(s[0]) != 0xE2 ||
      static_cast<unsigned char>(s[1]) != 0x80) {
    return nullptr;
  }
  len = 3;
  switch (static_cast<unsigned char>(s[2])) {
    case 0x93:
      return "&#8211;";
    case 0x94:
      return "&#8212;";
    case 0x98:
      return "&#8216;";
    case 0x99:
      return "&#8217;";
    case 0x9C:
      return "&#8220;";
    case 0x9D:
      return "&#8221;";
    case 0xA6:
      return "&#8230;";
    default:
      return nullptr;
  }
}

}  // namespace

void append_escaped_text(std::string& out, std::string_view text) {
  append_escaped<false>(out, text);
}

void append_escaped_attr(std::string& out, std::string_view text) {
  append_escaped<true>(out, text);
}

void append_escaped_text_entities(std::string& out, std::string_view text) {
  size_t start = 0;
  for (size_t i = 0; i < text.size();) {
    size_t len = 0;
    const char* entity = typographic_entity(text.substr(i), len);
    if (entity == nullptr) {
      ++i;
      continue;
    }
    append_escaped_text(out, text.substr(start, i - start));
    out.append(entity);
    i += len;
    start = i;
  }
  append_escaped_text(out, text.substr(start));
}

}  // namespace mayfly::site::markdown
