#include "site/markdown/parse.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>

extern "C" {
#include <cmark-gfm/node.h>
}

#include <cstring>
#include <mutex>

#include "site/markdown/render.h"

namespace mayfly::site::markdown {
namespace {

struct Extensions {
  cmark_syntax_extension* table = nullptr;
  cmark_syntax_extension* strikethrough = nullptr;
  cmark_syntax_extension* tasklist = nullptr;
  cmark_syntax_extension* autolink = nullptr;
};

const Extensions& extensions() {
  static const Extensions ext = [] {
    cmark_gfm_core_extensions_ensure_registered();
    Extensions e;
    e.table = cmark_find_syntax_extension("table");
    e.strikethrough = cmark_find_syntax_extension("strikethrough");
    e.tasklist = cmark_find_syntax_extension("tasklist");
    e.autolink = cmark_find_syntax_extension("autolink");
    return e;
  }();
  return ext;
}

void attach(cmark_parser* parser, cmark_syntax_extension* ext) {
  if (ext != nullptr) cmark_parser_attach_syntax_extension(parser, ext);
}

}  // namespace

void NodeDeleter::operator()(cmark_node* node) const {
  cmark_node_free(node);
}

Document parse(std::string_view markdown, const Options& options, bool tables) {
  const Extensions& ext = extensions();
  int flags = CMARK_OPT_UNSAFE | CMARK_OPT_STRIKETHROUGH_DOUBLE_TILDE;
  if (options.smart_quotes) flags |= CMARK_OPT_SMART;
  if (options.footnotes) flags |= CMARK_OPT_FOOTNOTES;
  if (options.hard_wrap) flags |= CMARK_OPT_HARDBREAKS;
  cmark_parser* parser = cmark_parser_new(flags);
  if (tables) attach(parser, ext.table);
  attach(parser, ext.strikethrough);
  attach(parser, ext.tasklist);
  if (options.bare_autolinks) attach(parser, ext.autolink);
  cmark_parser_feed(parser, markdown.data(), markdown.size());
  Document doc(cmark_parser_finish(parser));
  cmark_parser_free(parser);
  return doc;
}

ExtKind ext_kind(cmark_node* node) {
  const Extensions& ext = extensions();
  cmark_syntax_extension* owner = cmark_node_get_syntax_extension(node);
  if (owner == nullptr) return ExtKind::kNone;
  if (owner == ext.strikethrough) return ExtKind::kStrikethrough;
  if (owner != ext.table) return ExtKind::kNone;
  const char* type = cmark_node_get_type_string(node);
  if (std::strcmp(type, "table") == 0) return ExtKind::kTable;
  if (std::strcmp(type, "table_row") == 0 || std::strcmp(type, "table_header") == 0) {
    return ExtKind::kTableRow;
  }
  if (std::strcmp(type, "table_cell") == 0) return ExtKind::kTableCell;
  return ExtKind::kNone;
}

bool is_task_item(cmark_node* node) {
  return cmark_node_get_type(node) == CMARK_NODE_ITEM &&
         cmark_node_get_syntax_extension(node) == extensions().tasklist &&
         extensions().tasklist != nullptr;
}

bool task_checked(cmark_node* node) {
  return cmark_gfm_extensions_get_tasklist_item_checked(node);
}

std::string_view footnote_label(cmark_node* definition) {
  if (cmark_node_get_type(definition) != CMARK_NODE_FOOTNOTE_DEFINITION) return {};
  const cmark_chunk& label = definition->as.literal;
  if (label.data == nullptr || label.len <= 0) return {};
  return {reinterpret_cast<const char*>(label.data), static_cast<size_t>(label.len)};
}

}  // namespace mayfly::site::markdown
