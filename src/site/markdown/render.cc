#include "site/markdown/render.h"

#include <cmark-gfm.h>

#include "site/markdown/html_writer.h"
#include "site/markdown/parse.h"

namespace mayfly::site::markdown {

std::string render(std::string_view markdown, const Options& options) {
  ParseArena arena;
  Document doc = parse(markdown, options);
  std::string out;
  out.reserve(markdown.size() + markdown.size() / 2);
  HtmlWriter(options, markdown, out).document(doc.get());
  return out;
}

std::string render_inline(std::string_view markdown, const Options& options) {
  ParseArena arena;
  Document doc = parse(markdown, options);
  cmark_node* first = cmark_node_first_child(doc.get());
  if (first != nullptr && cmark_node_next(first) == nullptr &&
      cmark_node_get_type(first) == CMARK_NODE_PARAGRAPH) {
    std::string out;
    HtmlWriter(options, markdown, out).inlines(first);
    return out;
  }
  std::string out;
  HtmlWriter(options, markdown, out).document(doc.get());
  return out;
}

}  // namespace mayfly::site::markdown
