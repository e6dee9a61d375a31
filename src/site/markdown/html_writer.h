// Walks a cmark-gfm syntax tree and writes HTML the way kramdown's HTML converter does.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "site/markdown/footnotes.h"
#include "site/markdown/heading_ids.h"
#include "site/markdown/pipe_table.h"
#include "site/markdown/source_lines.h"

struct cmark_node;

namespace mayfly::site::markdown {

struct Options;

class HtmlWriter {
 public:
  HtmlWriter(const Options& options, std::string_view source, std::string& out);

  // The whole document, footnotes at the end.
  void document(cmark_node* doc);
  // Only the inline content of `parent` (e.g. a paragraph).
  void inlines(cmark_node* parent);

 private:
  void blocks(cmark_node* parent, int indent);
  void block(cmark_node* node, int indent, bool transparent);
  void heading(cmark_node* node, int indent);
  bool is_setext(cmark_node* node) const;
  int setext_underline_line(cmark_node* node) const;
  void setext_paragraph(cmark_node* node, int indent, int underline_line);
  void list(cmark_node* node, int indent);
  void item(cmark_node* node, int indent, bool tight, bool in_task_list);
  void table(cmark_node* node, int indent);
  void table_row(cmark_node* row, int indent, bool header, const uint8_t* align, int columns);
  void footnote_section();
  std::optional<PipeTable> pipe_table_of(cmark_node* paragraph) const;
  void pipe_table(const PipeTable& table, int indent);
  // Renders `text` as inline Markdown (a table cell) with this document's options.
  void inline_markdown(std::string_view text, bool tables);
  bool after_block_boundary(cmark_node* node) const;
  bool blank_before(cmark_node* node) const;
  void table_as_paragraph(cmark_node* node, int indent);
  std::string definitions_for(std::string_view text);
  void inline_node(cmark_node* node);
  void text(std::string_view s);
  void footnote_reference(cmark_node* node);
  void collect_definitions(cmark_node* doc);

  void flat_text(cmark_node* node);

  struct DepthGuard {
    explicit DepthGuard(int& d) : depth(d) { ++depth; }
    ~DepthGuard() { --depth; }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;
    int& depth;
  };

  const Options& options_;
  int depth_ = 0;
  SourceLines lines_;
  std::string& out_;
  HeadingIds ids_;
  Footnotes footnotes_;
  std::vector<cmark_node*> definitions_;
  std::unordered_map<std::string, std::string> references_;
  bool references_collected_ = false;
};

// The visible text of a node's inline content (text and code; no markup or raw HTML), with or
// without the alt text of images.
std::string plain_text(cmark_node* node, bool with_images);

}  // namespace mayfly::site::markdown
