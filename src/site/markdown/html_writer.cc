#include "site/markdown/html_writer.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>

#include <algorithm>
#include <cstring>
#include <optional>

#include "site/markdown/attribute_list.h"
#include "site/markdown/code_block.h"
#include "site/markdown/escape.h"
#include "site/markdown/parse.h"
#include "site/markdown/pipe_table.h"
#include "site/markdown/raw_html.h"
#include "site/markdown/render.h"

namespace mayfly::site::markdown {
namespace {

// kramdown parses raw HTML and writes void elements back in XHTML form ("<br>" becomes
// "<br />"); themes and filters that count words see that form, so write it the same way.
std::string void_tag_as_kramdown(std::string_view tag) {
  static constexpr std::string_view kVoid[] = {"br",     "hr",    "wbr", "img", "input",
                                               "source", "embed", "col", "area"};
  if (tag.size() < 4 || tag.front() != '<' || tag.back() != '>') return std::string(tag);
  size_t n = 1;
  while (n < tag.size() && std::isalpha(static_cast<unsigned char>(tag[n]))) ++n;
  std::string name(tag.substr(1, n - 1));
  for (char& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
  bool is_void = false;
  for (std::string_view v : kVoid) is_void = is_void || name == v;
  if (!is_void ||
      (n < tag.size() - 1 && !std::isspace(static_cast<unsigned char>(tag[n])) && tag[n] != '/'))
    return std::string(tag);
  std::string_view attrs = tag.substr(n, tag.size() - 1 - n);
  if (!attrs.empty() && attrs.back() == '/') attrs.remove_suffix(1);
  while (!attrs.empty() && std::isspace(static_cast<unsigned char>(attrs.back())))
    attrs.remove_suffix(1);
  return "<" + name + std::string(attrs) + " />";
}

std::string_view literal(cmark_node* node) {
  const char* s = cmark_node_get_literal(node);
  return s == nullptr ? std::string_view() : std::string_view(s);
}

std::string_view cstr(const char* s) {
  return s == nullptr ? std::string_view() : s;
}

void append_plain_text(std::string& out, cmark_node* node, bool with_images) {
  for (cmark_node* child = cmark_node_first_child(node); child != nullptr;
       child = cmark_node_next(child)) {
    switch (cmark_node_get_type(child)) {
      case CMARK_NODE_TEXT:
      case CMARK_NODE_CODE:
        out.append(literal(child));
        break;
      case CMARK_NODE_SOFTBREAK:
      case CMARK_NODE_LINEBREAK:
        out.push_back(' ');
        break;
      case CMARK_NODE_HTML_INLINE:
      case CMARK_NODE_FOOTNOTE_REFERENCE:
        break;
      case CMARK_NODE_IMAGE:
        if (with_images) append_plain_text(out, child, with_images);
        break;
      default:
        append_plain_text(out, child, with_images);
        break;
    }
  }
}

// kramdown's "## Title {#id}": removes the {#id} from the heading's last text and returns it.
std::string take_explicit_id(cmark_node* heading) {
  cmark_node* last = cmark_node_last_child(heading);
  if (last == nullptr || cmark_node_get_type(last) != CMARK_NODE_TEXT) return {};
  std::string_view text = literal(last);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  if (!text.ends_with('}')) return {};
  size_t open = text.rfind("{#");
  if (open == std::string_view::npos) return {};
  std::string id(text.substr(open + 2, text.size() - open - 3));
  if (id.empty() || !((id[0] >= 'a' && id[0] <= 'z') || (id[0] >= 'A' && id[0] <= 'Z'))) {
    return {};
  }
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == ':';
    if (!ok) return {};
  }
  std::string_view rest = text.substr(0, open);
  while (!rest.empty() && (rest.back() == ' ' || rest.back() == '\t')) rest.remove_suffix(1);
  cmark_node_set_literal(last, std::string(rest).c_str());
  return id;
}

}  // namespace

std::string plain_text(cmark_node* node, bool with_images) {
  std::string out;
  append_plain_text(out, node, with_images);
  return out;
}

HtmlWriter::HtmlWriter(const Options& options, std::string_view source, std::string& out)
    : options_(options), lines_(source), out_(out), ids_(options.heading_id_prefix) {}

void HtmlWriter::document(cmark_node* doc) {
  collect_definitions(doc);
  blocks(doc, 0);
  if (!footnotes_.empty()) {
    if (!out_.empty()) out_.push_back('\n');
    footnote_section();
  }
}

// cmark-gfm moves the referenced definitions to the end of the document, in the order of their
// first reference, and gives each reference the number of its definition as its literal.
void HtmlWriter::collect_definitions(cmark_node* doc) {
  for (cmark_node* n = cmark_node_first_child(doc); n != nullptr; n = cmark_node_next(n)) {
    if (cmark_node_get_type(n) == CMARK_NODE_FOOTNOTE_DEFINITION) definitions_.push_back(n);
  }
}

namespace {

// A paragraph that is only an attribute list (last_line false), or whose last line is one
// (last_line true: those inline nodes are unlinked and freed): its attributes.
std::optional<Attributes> paragraph_ial(cmark_node* para, bool last_line) {
  cmark_node* from = cmark_node_first_child(para);
  if (last_line) {
    cmark_node* brk = nullptr;
    for (cmark_node* c = cmark_node_last_child(para); c != nullptr; c = cmark_node_previous(c)) {
      if (cmark_node_get_type(c) == CMARK_NODE_SOFTBREAK) {
        brk = c;
        break;
      }
    }
    if (brk == nullptr) return std::nullopt;
    from = cmark_node_next(brk);
  }
  if (from == nullptr) return std::nullopt;
  std::string text;
  for (cmark_node* c = from; c != nullptr; c = cmark_node_next(c)) {
    if (cmark_node_get_type(c) != CMARK_NODE_TEXT) return std::nullopt;
    text += cstr(cmark_node_get_literal(c));
  }
  std::optional<Attributes> attrs = parse_block_ial(text);
  if (attrs && last_line) {
    cmark_node* c = cmark_node_previous(from);  // the soft break
    while (c != nullptr) {
      cmark_node* next = cmark_node_next(c);
      cmark_node_free(c);
      c = next;
    }
  }
  return attrs;
}

}  // namespace

void HtmlWriter::blocks(cmark_node* parent, int indent) {
  const bool top = cmark_node_get_type(parent) == CMARK_NODE_DOCUMENT;
  bool first = true;
  size_t previous_start = std::string::npos;  // where the previous block's HTML begins
  for (cmark_node* n = cmark_node_first_child(parent); n != nullptr; n = cmark_node_next(n)) {
    if (cmark_node_get_type(n) == CMARK_NODE_FOOTNOTE_DEFINITION) continue;
    // kramdown's block attribute list on its own line: it belongs to the block just above
    // (no blank line between); anywhere else it is dropped.
    std::optional<Attributes> trailing;
    if (cmark_node_get_type(n) == CMARK_NODE_PARAGRAPH) {
      if (auto own = paragraph_ial(n, false)) {
        if (!blank_before(n) && previous_start != std::string::npos)
          apply_attributes(out_, previous_start, *own);
        continue;
      }
      trailing = paragraph_ial(n, true);  // "text\n{: .x}": unlinked from the paragraph
    }
    // kramdown keeps the source's blank lines between blocks as empty lines.
    if (!first && blank_before(n)) out_.push_back('\n');
    first = false;
    if (top && options_.raw_html && cmark_node_get_type(n) == CMARK_NODE_HTML_BLOCK) {
      // kramdown: the element stays raw up to its closing tag, Markdown inside included.
      const int start = cmark_node_get_start_line(n);
      const int end = raw_html_element_end(lines_, start, cmark_node_get_end_line(n), literal(n));
      if (end > 0) {
        out_.append(lines_.span(start, end));
        if (!out_.empty() && out_.back() != '\n') out_.push_back('\n');
        while (cmark_node_next(n) != nullptr &&
               cmark_node_get_end_line(cmark_node_next(n)) <= end &&
               cmark_node_get_type(cmark_node_next(n)) != CMARK_NODE_FOOTNOTE_DEFINITION) {
          n = cmark_node_next(n);
        }
        continue;
      }
    }
    previous_start = out_.size();
    block(n, indent, false);
    if (trailing) apply_attributes(out_, previous_start, *trailing);
  }
}

// Nesting beyond this depth (thousands of "> " or list levels) is written as plain text, so
// that hostile input can neither overflow the stack nor blow the indentation up quadratically.
constexpr int kMaxDepth = 256;
constexpr int kMaxIndent = 64;

// Appends the text of every descendant of `node`, iteratively.
void HtmlWriter::flat_text(cmark_node* node) {
  cmark_iter* iter = cmark_iter_new(node);
  for (cmark_event_type ev; (ev = cmark_iter_next(iter)) != CMARK_EVENT_DONE;) {
    cmark_node* n = cmark_iter_get_node(iter);
    if (ev != CMARK_EVENT_ENTER) continue;
    switch (cmark_node_get_type(n)) {
      case CMARK_NODE_TEXT:
      case CMARK_NODE_CODE:
      case CMARK_NODE_CODE_BLOCK:
        append_escaped_text(out_, literal(n));
        break;
      case CMARK_NODE_SOFTBREAK:
      case CMARK_NODE_LINEBREAK:
      case CMARK_NODE_PARAGRAPH:
        out_.push_back('\n');
        break;
      default:
        break;
    }
  }
  cmark_iter_free(iter);
}

void HtmlWriter::block(cmark_node* node, int indent, bool transparent) {
  DepthGuard guard(depth_);
  if (depth_ > kMaxDepth) {
    flat_text(node);
    return;
  }
  indent = std::min(indent, kMaxIndent);
  const auto pad = static_cast<size_t>(indent);
  switch (cmark_node_get_type(node)) {
    case CMARK_NODE_PARAGRAPH:
      if (auto table = pipe_table_of(node)) {
        pipe_table(*table, indent);
        return;
      }
      if (transparent) {
        inlines(node);
        return;
      }
      out_.append(pad, ' ').append("<p>");
      inlines(node);
      out_.append("</p>\n");
      return;
    case CMARK_NODE_HEADING:
      heading(node, indent);
      return;
    case CMARK_NODE_BLOCK_QUOTE:
      out_.append(pad, ' ').append("<blockquote>\n");
      blocks(node, indent + 2);
      out_.append(pad, ' ').append("</blockquote>\n");
      return;
    case CMARK_NODE_LIST:
      list(node, indent);
      return;
    case CMARK_NODE_CODE_BLOCK: {
      std::string_view info = cstr(cmark_node_get_fence_info(node));
      if (CodeFigure figure; options_.raw_html && octopress_fence_info(info, figure)) {
        out_.append(static_cast<size_t>(indent), ' ');
        append_code_figure(out_, literal(node), figure);
        out_.push_back('\n');
        return;
      }
      std::string_view lang = info_language(info);
      append_code_block(out_, literal(node), lang, options_, indent);
      return;
    }
    case CMARK_NODE_HTML_BLOCK:
      if (options_.raw_html) {
        out_.append(literal(node));
        if (!out_.empty() && out_.back() != '\n') out_.push_back('\n');
      } else {
        out_.append(pad, ' ').append("<p>");
        append_escaped_text(out_, literal(node));
        out_.append("</p>\n");
      }
      return;
    case CMARK_NODE_THEMATIC_BREAK:
      out_.append(pad, ' ').append("<hr />\n");
      return;
    default:
      break;
  }
  if (ext_kind(node) == ExtKind::kTable) {
    if (after_block_boundary(node)) {
      table(node, indent);
    } else {
      table_as_paragraph(node, indent);
    }
    return;
  }
  blocks(node, indent);
}

bool HtmlWriter::is_setext(cmark_node* node) const {
  std::string_view line = lines_.line(cmark_node_get_start_line(node));
  const auto column = static_cast<size_t>(std::max(cmark_node_get_start_column(node) - 1, 0));
  line = line.substr(std::min(column, line.size()));
  size_t i = line.find_first_not_of(" \t");
  return i == std::string_view::npos || line[i] != '#';
}

namespace {

// A setext underline ("===" or "---"), after any blockquote markers and indentation.
std::string_view underline_of(std::string_view line) {
  size_t start = line.find_first_not_of(" \t>");
  if (start == std::string_view::npos) return {};
  line.remove_prefix(start);
  size_t end = line.find_last_not_of(" \t");
  line = line.substr(0, end + 1);
  if (line.empty() || (line[0] != '=' && line[0] != '-')) return {};
  if (line.find_first_not_of(line[0]) != std::string_view::npos) return {};
  return line;
}

}  // namespace

// The line of a setext heading's underline (cmark's end line may be the line after it).
int HtmlWriter::setext_underline_line(cmark_node* node) const {
  for (int n = cmark_node_get_start_line(node) + 1; n <= cmark_node_get_end_line(node); ++n) {
    if (!underline_of(lines_.line(n)).empty()) return n;
  }
  return cmark_node_get_start_line(node) + 1;
}

// kramdown's setext headings are one line long; a longer text with an underline is a
// paragraph whose last line is the underline ("---" then reads as an em dash).
void HtmlWriter::setext_paragraph(cmark_node* node, int indent, int underline_line) {
  std::string_view underline = underline_of(lines_.line(underline_line));
  out_.append(static_cast<size_t>(indent), ' ').append("<p>");
  inlines(node);
  out_.push_back('\n');
  if (options_.smart_quotes && underline.starts_with("---")) {
    text("\u2014");
    text(underline.substr(3));
  } else if (options_.smart_quotes && underline.starts_with("--")) {
    text("\u2013");
    text(underline.substr(2));
  } else {
    text(underline);
  }
  out_.append("</p>\n");
}

bool HtmlWriter::blank_before(cmark_node* node) const {
  const int start = cmark_node_get_start_line(node);
  return start > 1 && lines_.line(start - 1).find_first_not_of(" \t>") == std::string_view::npos;
}

// kramdown's "after a block boundary": the node starts its container or follows a blank line.
bool HtmlWriter::after_block_boundary(cmark_node* node) const {
  const int start = cmark_node_get_start_line(node);
  if (start <= 1 || cmark_node_previous(node) == nullptr) return true;
  return lines_.line(start - 1).find_first_not_of(" \t>") == std::string_view::npos;
}

// A table kramdown does not see (no blank line before it) reads as the text of its lines.
void HtmlWriter::table_as_paragraph(cmark_node* node, int indent) {
  std::string text;
  for (int n = cmark_node_get_start_line(node); n <= cmark_node_get_end_line(node); ++n) {
    std::string_view line = lines_.line(n);
    size_t body = line.find_first_not_of(" \t>");
    if (body == std::string_view::npos) break;
    if (!text.empty()) text.push_back('\n');
    text.append(line.substr(body));
  }
  out_.append(static_cast<size_t>(indent), ' ').append("<p>");
  inline_markdown(text, false);
  out_.append("</p>\n");
}

void HtmlWriter::heading(cmark_node* node, int indent) {
  if (is_setext(node)) {
    const int underline = setext_underline_line(node);
    // kramdown: a setext heading is a single line that follows a blank line (or starts its
    // container); anything else stays a paragraph.
    const int start = cmark_node_get_start_line(node);
    if (underline > start + 1 || !after_block_boundary(node)) {
      setext_paragraph(node, indent, underline);
      return;
    }
  }
  const std::string level = std::to_string(cmark_node_get_heading_level(node));
  out_.append(static_cast<size_t>(indent), ' ').append("<h").append(level);
  std::string explicit_id = take_explicit_id(node);
  if (!explicit_id.empty()) {
    out_.append(" id=\"");
    append_escaped_attr(out_, explicit_id);
    out_.append("\"");
  } else if (options_.heading_ids) {
    std::string id = ids_.next(plain_text(node, false));
    if (!id.empty()) {
      out_.append(" id=\"");
      append_escaped_attr(out_, id);
      out_.append("\"");
    }
  }
  out_.append(">");
  inlines(node);
  out_.append("</h").append(level).append(">\n");
}

void HtmlWriter::list(cmark_node* node, int indent) {
  const bool ordered = cmark_node_get_list_type(node) == CMARK_ORDERED_LIST;
  const char* tag = ordered ? "ol" : "ul";
  bool tasks = false;
  for (cmark_node* n = cmark_node_first_child(node); n != nullptr; n = cmark_node_next(n)) {
    tasks = tasks || is_task_item(n);
  }
  out_.append(static_cast<size_t>(indent), ' ').append("<").append(tag);
  if (tasks) out_.append(" class=\"task-list\"");
  out_.append(">\n");
  const bool tight = cmark_node_get_list_tight(node) != 0;
  for (cmark_node* n = cmark_node_first_child(node); n != nullptr; n = cmark_node_next(n)) {
    item(n, indent + 2, tight, tasks);
  }
  out_.append(static_cast<size_t>(indent), ' ').append("</").append(tag).append(">\n");
}

void HtmlWriter::item(cmark_node* node, int indent, bool tight, bool in_task_list) {
  const auto pad = static_cast<size_t>(indent);
  out_.append(pad, ' ').append("<li");
  const bool task = is_task_item(node);
  // kramdown gives every item of a task list the class, with or without a checkbox.
  if (in_task_list) out_.append(" class=\"task-list-item\"");
  out_.append(">");
  const char* checkbox = task_checked(node)
                             ? "<input type=\"checkbox\" class=\"task-list-item-checkbox\" "
                               "disabled=\"disabled\" checked=\"checked\" />"
                             : "<input type=\"checkbox\" class=\"task-list-item-checkbox\" "
                               "disabled=\"disabled\" />";
  cmark_node* first = cmark_node_first_child(node);
  const bool inline_first =
      first == nullptr ||
      (tight && cmark_node_get_type(first) == CMARK_NODE_PARAGRAPH && !pipe_table_of(first));
  if (inline_first) {
    if (task) out_.append(checkbox);
    if (first != nullptr) inlines(first);
    cmark_node* rest = first == nullptr ? nullptr : cmark_node_next(first);
    if (rest != nullptr) {
      out_.push_back('\n');
      for (; rest != nullptr; rest = cmark_node_next(rest)) {
        if (cmark_node_get_type(rest) == CMARK_NODE_PARAGRAPH) {
          out_.append(pad + 2, ' ');
          inlines(rest);
          out_.push_back('\n');
        } else {
          block(rest, indent + 2, false);
        }
      }
      out_.append(pad, ' ');
    }
    out_.append("</li>\n");
    return;
  }
  out_.push_back('\n');
  for (cmark_node* n = first; n != nullptr; n = cmark_node_next(n)) {
    if (task && n == first && cmark_node_get_type(n) == CMARK_NODE_PARAGRAPH) {
      out_.append(pad + 2, ' ').append("<p>").append(checkbox);
      inlines(n);
      out_.append("</p>\n");
    } else if (tight && cmark_node_get_type(n) == CMARK_NODE_PARAGRAPH && !pipe_table_of(n)) {
      out_.append(pad + 2, ' ');
      inlines(n);
      out_.push_back('\n');
    } else {
      block(n, indent + 2, false);
    }
  }
  out_.append(pad, ' ').append("</li>\n");
}

void HtmlWriter::table(cmark_node* node, int indent) {
  const auto pad = static_cast<size_t>(indent);
  const int columns = cmark_gfm_extensions_get_table_columns(node);
  const uint8_t* align = cmark_gfm_extensions_get_table_alignments(node);
  out_.append(pad, ' ').append("<table>\n");
  cmark_node* row = cmark_node_first_child(node);
  if (row != nullptr && cmark_gfm_extensions_get_table_row_is_header(row)) {
    out_.append(pad + 2, ' ').append("<thead>\n");
    table_row(row, indent + 4, true, align, columns);
    out_.append(pad + 2, ' ').append("</thead>\n");
    row = cmark_node_next(row);
  }
  if (row != nullptr) {
    out_.append(pad + 2, ' ').append("<tbody>\n");
    for (; row != nullptr; row = cmark_node_next(row)) {
      table_row(row, indent + 4, false, align, columns);
    }
    out_.append(pad + 2, ' ').append("</tbody>\n");
  }
  out_.append(pad, ' ').append("</table>\n");
}

std::optional<PipeTable> HtmlWriter::pipe_table_of(cmark_node* paragraph) const {
  if (!after_block_boundary(paragraph)) return std::nullopt;
  const int start = cmark_node_get_start_line(paragraph);
  std::string_view first = lines_.line(start);
  const auto column = static_cast<size_t>(std::max(cmark_node_get_start_column(paragraph) - 1, 0));
  first = first.substr(std::min(column, first.size()));
  if (!has_cell_separator(first)) return std::nullopt;
  std::vector<std::string_view> rows{first};
  for (int n = start + 1; n <= cmark_node_get_end_line(paragraph); ++n) {
    std::string_view line = lines_.line(n);
    size_t body = line.find_first_not_of(" \t>");
    if (body == std::string_view::npos) break;
    rows.push_back(line.substr(body));
  }
  return parse_pipe_table(rows);
}

void HtmlWriter::pipe_table(const PipeTable& table, int indent) {
  const auto pad = static_cast<size_t>(indent);
  auto section = [&](const char* tag, const char* cell,
                     const std::vector<std::vector<std::string>>& rows) {
    if (rows.empty()) return;
    out_.append(pad + 2, ' ').append("<").append(tag).append(">\n");
    for (const auto& row : rows) {
      out_.append(pad + 4, ' ').append("<tr>\n");
      for (size_t i = 0; i < row.size(); ++i) {
        out_.append(pad + 6, ' ').append("<").append(cell);
        const char a = i < table.align.size() ? table.align[i] : 0;
        if (a == 'l') out_.append(" style=\"text-align: left\"");
        if (a == 'c') out_.append(" style=\"text-align: center\"");
        if (a == 'r') out_.append(" style=\"text-align: right\"");
        out_.append(">");
        inline_markdown(row[i], true);
        out_.append("</").append(cell).append(">\n");
      }
      out_.append(pad + 4, ' ').append("</tr>\n");
    }
    out_.append(pad + 2, ' ').append("</").append(tag).append(">\n");
  };
  out_.append(pad, ' ').append("<table>\n");
  section("thead", "th", table.head);
  section("tbody", "td", table.body);
  out_.append(pad, ' ').append("</table>\n");
}

void HtmlWriter::inline_markdown(std::string_view text, bool tables) {
  // The cell is inline content: a leading character that would start a block is escaped, and
  // the document's link reference definitions come along so that [text][ref] resolves.
  std::string fragment;
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits > 0 && digits < text.size() && (text[digits] == '.' || text[digits] == ')')) {
    fragment.append(text.substr(0, digits)).push_back('\\');  // not an ordered list
    text.remove_prefix(digits);
  } else if (!text.empty() &&
             std::string_view(">#-+*=_~").find(text[0]) != std::string_view::npos) {
    fragment.push_back('\\');
  }
  fragment.append(text);
  fragment.append("\n\n");
  fragment.append(definitions_for(text));
  Document doc = parse(fragment, options_, tables);
  cmark_node* first = cmark_node_first_child(doc.get());
  if (first != nullptr && cmark_node_get_type(first) == CMARK_NODE_PARAGRAPH) {
    inlines(first);
  } else if (first != nullptr && cmark_node_get_type(first) == CMARK_NODE_HTML_BLOCK &&
             options_.raw_html) {
    std::string_view html = literal(first);
    while (!html.empty() && html.back() == '\n') html.remove_suffix(1);
    out_.append(html);
  } else {
    append_escaped_text(out_, text);
  }
}

namespace {

// Link labels match case-insensitively with whitespace collapsed (ASCII folding here).
std::string normalize_label(std::string_view label) {
  std::string key;
  bool space = false;
  for (char c : label) {
    if (c == ' ' || c == '\t' || c == '\n') {
      space = !key.empty();
      continue;
    }
    if (space) key.push_back(' ');
    space = false;
    key.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
  }
  return key;
}

}  // namespace

// The definitions ("[label]: url" lines) of the labels a cell mentions, for parsing it alone.
std::string HtmlWriter::definitions_for(std::string_view text) {
  if (text.find('[') == std::string_view::npos) return {};
  if (!references_collected_) {
    references_collected_ = true;
    for (int n = 1; n <= lines_.count(); ++n) {
      std::string_view line = lines_.line(n);
      size_t i = line.find_first_not_of(' ');
      if (i == std::string_view::npos || i > 3 || line[i] != '[' ||
          line.substr(i).starts_with("[^")) {
        continue;
      }
      size_t close = line.find("]:", i);
      if (close == std::string_view::npos) continue;
      references_.try_emplace(normalize_label(line.substr(i + 1, close - i - 1)),
                              std::string(line.substr(i)));
    }
  }
  std::string out;
  for (size_t open = text.find('['); open != std::string_view::npos;
       open = text.find('[', open + 1)) {
    size_t close = text.find(']', open + 1);
    if (close == std::string_view::npos) break;
    auto it = references_.find(normalize_label(text.substr(open + 1, close - open - 1)));
    if (it != references_.end()) out.append(it->second).push_back('\n');
  }
  return out;
}

void HtmlWriter::table_row(cmark_node* row, int indent, bool header, const uint8_t* align,
                           int columns) {
  const auto pad = static_cast<size_t>(indent);
  const char* tag = header ? "th" : "td";
  out_.append(pad, ' ').append("<tr>\n");
  int column = 0;
  for (cmark_node* cell = cmark_node_first_child(row); cell != nullptr;
       cell = cmark_node_next(cell), ++column) {
    out_.append(pad + 2, ' ').append("<").append(tag);
    const uint8_t a = (align != nullptr && column < columns) ? align[column] : 0;
    if (a == 'l') out_.append(" style=\"text-align: left\"");
    if (a == 'c') out_.append(" style=\"text-align: center\"");
    if (a == 'r') out_.append(" style=\"text-align: right\"");
    out_.append(">");
    inlines(cell);
    out_.append("</").append(tag).append(">\n");
  }
  out_.append(pad, ' ').append("</tr>\n");
}

void HtmlWriter::footnote_section() {
  const std::string_view nbsp = options_.typographic_entities ? "&nbsp;" : "\u00A0";
  out_.append("<div class=\"footnotes\" role=\"doc-endnotes\">\n  <ol>\n");
  // Rendering a note may reference further notes; notes() then grows.
  for (size_t i = 0; i < footnotes_.notes().size(); ++i) {
    cmark_node* def = footnotes_.notes()[i].def;
    std::string name = footnotes_.notes()[i].name;
    out_.append("    <li id=\"fn:");
    append_escaped_attr(out_, name);
    out_.append("\" role=\"doc-endnote\">\n");
    cmark_node* last = cmark_node_last_child(def);
    for (cmark_node* n = cmark_node_first_child(def); n != nullptr; n = cmark_node_next(n)) {
      if (n == last && cmark_node_get_type(n) == CMARK_NODE_PARAGRAPH) {
        out_.append("      <p>");
        inlines(n);
        Footnotes::append_backlinks(out_, footnotes_.notes()[i], nbsp);
        out_.append("</p>\n");
      } else {
        block(n, 6, false);
      }
    }
    if (last == nullptr || cmark_node_get_type(last) != CMARK_NODE_PARAGRAPH) {
      out_.append("      <p>");
      Footnotes::append_backlinks(out_, footnotes_.notes()[i], "");
      out_.append("</p>\n");
    }
    out_.append("    </li>\n");
  }
  out_.append("  </ol>\n</div>\n");
}

void HtmlWriter::inlines(cmark_node* parent) {
  for (cmark_node* n = cmark_node_first_child(parent); n != nullptr; n = cmark_node_next(n)) {
    inline_node(n);
  }
}

void HtmlWriter::text(std::string_view s) {
  if (options_.typographic_entities) {
    append_escaped_text_entities(out_, s);
  } else {
    append_escaped_text(out_, s);
  }
}

void HtmlWriter::footnote_reference(cmark_node* node) {
  std::string_view number = literal(node);
  size_t index = 0;
  for (char c : number)
    index = c >= '0' && c <= '9' ? index * 10 + static_cast<size_t>(c - '0') : 0;
  if (index == 0 || index > definitions_.size()) {
    out_.append("[^");
    text(number);
    out_.append("]");
    return;
  }
  cmark_node* def = definitions_[index - 1];
  footnotes_.append_reference(out_, def, footnote_label(def));
}

void HtmlWriter::inline_node(cmark_node* node) {
  DepthGuard guard(depth_);
  if (depth_ > kMaxDepth) {
    flat_text(node);
    return;
  }
  switch (cmark_node_get_type(node)) {
    case CMARK_NODE_TEXT:
      text(literal(node));
      return;
    case CMARK_NODE_SOFTBREAK:
      out_.push_back('\n');
      return;
    case CMARK_NODE_LINEBREAK:
      out_.append("<br />\n");
      return;
    case CMARK_NODE_CODE:
      // kramdown highlights code spans with the default language too.
      if (options_.highlight_code && !options_.default_code_language.empty()) {
        out_.append("<code class=\"language-");
        append_escaped_attr(out_, options_.default_code_language);
        out_.append(" highlighter-rouge\">");
      } else {
        out_.append("<code>");
      }
      append_escaped_text(out_, literal(node));
      out_.append("</code>");
      return;
    case CMARK_NODE_HTML_INLINE:
      if (options_.raw_html) {
        out_.append(void_tag_as_kramdown(literal(node)));
      } else {
        append_escaped_text(out_, literal(node));
      }
      return;
    case CMARK_NODE_EMPH:
      out_.append("<em>");
      inlines(node);
      out_.append("</em>");
      return;
    case CMARK_NODE_STRONG:
      out_.append("<strong>");
      inlines(node);
      out_.append("</strong>");
      return;
    case CMARK_NODE_LINK: {
      out_.append("<a href=\"");
      append_escaped_attr(out_, cstr(cmark_node_get_url(node)));
      out_.append("\"");
      std::string_view title = cstr(cmark_node_get_title(node));
      if (!title.empty()) {
        out_.append(" title=\"");
        append_escaped_attr(out_, title);
        out_.append("\"");
      }
      out_.append(">");
      inlines(node);
      out_.append("</a>");
      return;
    }
    case CMARK_NODE_IMAGE: {
      out_.append("<img src=\"");
      append_escaped_attr(out_, cstr(cmark_node_get_url(node)));
      out_.append("\" alt=\"");
      append_escaped_attr(out_, plain_text(node, true));
      out_.append("\"");
      std::string_view title = cstr(cmark_node_get_title(node));
      if (!title.empty()) {
        out_.append(" title=\"");
        append_escaped_attr(out_, title);
        out_.append("\"");
      }
      out_.append(" />");
      return;
    }
    case CMARK_NODE_FOOTNOTE_REFERENCE:
      footnote_reference(node);
      return;
    default:
      break;
  }
  if (ext_kind(node) == ExtKind::kStrikethrough) {
    out_.append("<del>");
    inlines(node);
    out_.append("</del>");
    return;
  }
  inlines(node);
}

}  // namespace mayfly::site::markdown
