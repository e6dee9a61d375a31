#include "site/markdown/parse.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>

extern "C" {
#include <cmark-gfm/node.h>
}

#include <dlfcn.h>

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <vector>

#include "site/markdown/render.h"

// cmark-gfm keeps the characters that start an extension's inline syntax ("~" for
// strikethrough) in one process-wide table: cmark_parser_finish adds them before it parses
// inlines and removes them after. With documents parsed on several threads, one parser's
// removal hides "~" from another in the middle of its parse, and ~~text~~ comes out as it is
// now and then. Every parser here attaches the same extensions, so the characters are added
// and never removed: this definition takes the library's place (its call goes through the
// PLT) and forwards only the additions.
extern "C" __attribute__((visibility("default"), used)) void
cmark_manage_extensions_special_characters(cmark_parser* parser, int add) {
  using Fn = void (*)(cmark_parser*, int);
  static const Fn original =
      reinterpret_cast<Fn>(dlsym(RTLD_NEXT, "cmark_manage_extensions_special_characters"));
  if (add && original != nullptr) original(parser, add);
}

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

// The bump allocator behind ParseArena: one per thread, its blocks kept between documents.
// Every allocation has a 16-byte header with its size, so realloc can copy (or grow in
// place when it is the newest allocation) and free can tell arena memory from heap memory.
class Arena {
 public:
  static constexpr size_t kHeader = 16;
  static constexpr size_t kBlock = 256 * 1024;
  static constexpr uint64_t kHeapTag = 0x68656170;  // an allocation made while no arena was active

  void* alloc(size_t size) {
    size_t need = kHeader + ((size + 15) & ~size_t(15));
    if (cur_ == blocks_.size() || blocks_[cur_].size - used_ < need) next_block(need);
    Block& b = blocks_[cur_];
    unsigned char* p = b.data + used_;
    last_ = p;
    used_ += need;
    auto* h = reinterpret_cast<uint64_t*>(p);
    h[0] = size;
    h[1] = 0;
    std::memset(p + kHeader, 0, size);
    return p + kHeader;
  }

  void* grow(void* ptr, size_t size) {
    unsigned char* p = static_cast<unsigned char*>(ptr) - kHeader;
    auto* h = reinterpret_cast<uint64_t*>(p);
    size_t old = h[0];
    if (size <= old) return ptr;
    size_t need = kHeader + ((size + 15) & ~size_t(15));
    if (p == last_ && size_t(p - blocks_[cur_].data) + need <= blocks_[cur_].size) {
      used_ = size_t(p - blocks_[cur_].data) + need;  // the newest allocation grows in place
      h[0] = size;
      return ptr;
    }
    void* fresh = alloc(size);
    std::memcpy(fresh, ptr, old);
    return fresh;
  }

  // Back to empty; blocks beyond the first few go back to the system.
  void reset() {
    while (blocks_.size() > 4) {
      std::free(blocks_.back().data);
      blocks_.pop_back();
    }
    cur_ = 0;
    used_ = 0;
    last_ = nullptr;
  }

  ~Arena() {
    for (Block& b : blocks_) std::free(b.data);
  }

  int depth = 0;

 private:
  struct Block {
    unsigned char* data;
    size_t size;
  };
  void next_block(size_t need) {
    while (cur_ < blocks_.size()) {
      if (++cur_ < blocks_.size() && blocks_[cur_].size >= need) {
        used_ = 0;
        return;
      }
    }
    size_t size = need > kBlock ? need : kBlock;
    auto* data = static_cast<unsigned char*>(std::aligned_alloc(16, (size + 15) & ~size_t(15)));
    if (data == nullptr) throw std::bad_alloc();
    blocks_.push_back({data, size});
    cur_ = blocks_.size() - 1;
    used_ = 0;
  }

  std::vector<Block> blocks_;
  size_t cur_ = 0;
  size_t used_ = 0;
  unsigned char* last_ = nullptr;
};

thread_local Arena t_arena;

void* heap_alloc(size_t size) {
  auto* p = static_cast<unsigned char*>(std::calloc(1, Arena::kHeader + size));
  if (p == nullptr) std::abort();  // as cmark-gfm's own allocator does
  auto* h = reinterpret_cast<uint64_t*>(p);
  h[0] = size;
  h[1] = Arena::kHeapTag;
  return p + Arena::kHeader;
}

bool on_heap(void* ptr) {
  return reinterpret_cast<uint64_t*>(static_cast<unsigned char*>(ptr) - Arena::kHeader)[1] ==
         Arena::kHeapTag;
}

void* arena_calloc(size_t n, size_t size) {
  size_t total = n * size;
  if (t_arena.depth == 0) return heap_alloc(total);
  return t_arena.alloc(total);
}

void* arena_realloc(void* ptr, size_t size) {
  if (ptr == nullptr) return arena_calloc(1, size);
  if (on_heap(ptr) || t_arena.depth == 0) {
    // Heap memory stays on the heap (and arena memory seen after its scope cannot be
    // moved safely, which the scope rules rule out).
    unsigned char* p = static_cast<unsigned char*>(ptr) - Arena::kHeader;
    size_t old = reinterpret_cast<uint64_t*>(p)[0];
    void* fresh = heap_alloc(size);
    std::memcpy(fresh, ptr, old < size ? old : size);
    if (on_heap(ptr)) std::free(p);
    return fresh;
  }
  return t_arena.grow(ptr, size);
}

void arena_free(void* ptr) {
  if (ptr != nullptr && on_heap(ptr)) std::free(static_cast<unsigned char*>(ptr) - Arena::kHeader);
}

cmark_mem kArenaMem = {arena_calloc, arena_realloc, arena_free};

void attach(cmark_parser* parser, cmark_syntax_extension* ext) {
  if (ext != nullptr) cmark_parser_attach_syntax_extension(parser, ext);
}

}  // namespace

ParseArena::ParseArena() {
  ++t_arena.depth;
}

ParseArena::~ParseArena() {
  if (--t_arena.depth == 0) t_arena.reset();
}

void NodeDeleter::operator()(cmark_node* node) const {
  if (!in_arena) cmark_node_free(node);
}

Document parse(std::string_view markdown, const Options& options, bool tables) {
  const Extensions& ext = extensions();
  int flags = CMARK_OPT_UNSAFE | CMARK_OPT_STRIKETHROUGH_DOUBLE_TILDE;
  if (options.smart_quotes) flags |= CMARK_OPT_SMART;
  if (options.footnotes) flags |= CMARK_OPT_FOOTNOTES;
  if (options.hard_wrap) flags |= CMARK_OPT_HARDBREAKS;
  bool in_arena = t_arena.depth > 0;
  cmark_parser* parser =
      cmark_parser_new_with_mem(flags, in_arena ? &kArenaMem : cmark_get_default_mem_allocator());
  if (tables) attach(parser, ext.table);
  attach(parser, ext.strikethrough);
  attach(parser, ext.tasklist);
  if (options.bare_autolinks) attach(parser, ext.autolink);
  cmark_parser_feed(parser, markdown.data(), markdown.size());
  Document doc(cmark_parser_finish(parser), NodeDeleter{in_arena});
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
