#include "site/markdown/escape.h"

namespace mayfly::site::markdown {
namespace {

template <bool kAttr>
void append_escaped(std::string& out, std::string_view text) {
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char* rep = nullptr;
    switch (text[i]) {
      case '&':
        rep = "&amp;";
        break;
      case '<':
        rep = "&lt;";
        break;
      case '>':
        rep = "&gt;";
        break;
      case '"':
        if (kAttr) rep = "&quot;";
        break;
      default:
        break;
    }
    if (rep == nullptr) continue;
    out.append(text.substr(start, i - start));
    out.append(rep);
    start = i + 1;
  }
  out.append(text.substr(start));
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
