// comment / # / raw / doc, and the table of built-in tags.
#include <unordered_map>

#include "site/liquid/context.h"
#include "site/liquid/parser.h"

namespace mayfly::site::liquid {

namespace {

class RawNode : public Node {
 public:
  explicit RawNode(std::string text) : text_(std::move(text)) {}
  void render(Context&, std::string& out) const override { out += text_; }

 private:
  std::string text_;
};

}  // namespace

std::unique_ptr<Node> parse_comment(Parser& p, const RawToken& tok) {
  p.skip_block("comment", "endcomment", tok);
  return nullptr;
}

std::unique_ptr<Node> parse_inline_comment(Parser& p, const RawToken& tok) {
  // Every line of a multi-line inline comment must start with '#'.
  std::string_view m = tok.text;
  std::size_t nl = m.find('\n');
  while (nl != std::string_view::npos) {
    std::size_t i = nl + 1;
    while (i < m.size() && (m[i] == ' ' || m[i] == '\t' || m[i] == '\r')) ++i;
    if (i < m.size() && m[i] != '#' && m[i] != '\n') {
      p.fail(m.data() + i, "every line of an inline comment must start with '#'");
    }
    nl = m.find('\n', i);
  }
  return nullptr;
}

std::unique_ptr<Node> parse_raw(Parser&, const RawToken& tok) {
  return std::make_unique<RawNode>(std::string(tok.text));
}

std::unique_ptr<Node> parse_doc(Parser&, const RawToken&) {
  return nullptr;
}

BuiltinTagParser find_builtin_tag(std::string_view name) {
  static const std::unordered_map<std::string_view, BuiltinTagParser> tags = {
      {"if", parse_if},
      {"unless", parse_unless},
      {"case", parse_case},
      {"for", parse_for},
      {"tablerow", parse_tablerow},
      {"cycle", parse_cycle},
      {"break", parse_break},
      {"continue", parse_continue},
      {"assign", parse_assign},
      {"capture", parse_capture},
      {"increment", parse_increment},
      {"decrement", parse_decrement},
      {"echo", parse_echo},
      {"comment", parse_comment},
      {"#", parse_inline_comment},
      {"raw", parse_raw},
      {"doc", parse_doc},
      {"ifchanged", parse_ifchanged},
      {"include", parse_include},
      {"render", parse_render},
  };
  auto it = tags.find(name);
  return it == tags.end() ? nullptr : it->second;
}

}  // namespace mayfly::site::liquid
