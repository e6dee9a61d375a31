// Parsing Markdown into a cmark-gfm syntax tree with the GFM extensions attached.
#pragma once

#include <memory>
#include <string_view>

struct cmark_node;

namespace mayfly::site::markdown {

struct Options;

// Frees a tree, unless it lives in a ParseArena (then the arena releases it as a whole).
struct NodeDeleter {
  bool in_arena = false;
  void operator()(cmark_node* node) const;
};
using Document = std::unique_ptr<cmark_node, NodeDeleter>;

// While one exists on a thread, the trees parsed on that thread are allocated from a bump
// arena and released together when it goes out of scope; the trees must not outlive it.
// cmark-gfm allocates a node, buffer or chunk every few bytes of input, and malloc/free took
// a third of a site build's time before this. Nests: an inner scope uses the outer arena.
class ParseArena {
 public:
  ParseArena();
  ~ParseArena();
  ParseArena(const ParseArena&) = delete;
  ParseArena& operator=(const ParseArena&) = delete;
};

// Parses `markdown` (CommonMark + tables, strikethrough, task lists, footnotes, and bare
// autolinks when enabled). The extensions are registered once per process.
Document parse(std::string_view markdown, const Options& options, bool tables = true);

// Node kinds that come from extensions (their numeric types are assigned at registration).
enum class ExtKind { kNone, kTable, kTableRow, kTableCell, kStrikethrough };
ExtKind ext_kind(cmark_node* node);
bool is_task_item(cmark_node* node);
bool task_checked(cmark_node* node);

// The label of a footnote definition ("note" for [^note]: ...); cmark-gfm's API has no getter
// for it, so this reads the node (libcmark-gfm-dev ships node.h).
std::string_view footnote_label(cmark_node* definition);

}  // namespace mayfly::site::markdown
