#include "site/markdown/highlight/highlight.h"

#include <string>

#include "site/markdown/escape.h"
#include "site/markdown/highlight/lexers.h"

namespace mayfly::site::markdown {
namespace syntax {
namespace {

using LexFn = void (*)(Scanner&);

template <CLang L>
void lex_c_like(Scanner& s) {
  lex_c_family(s, L);
}

struct Entry {
  std::string_view name;
  LexFn lex;
};

// Rouge's names and aliases for the languages lexed here.
constexpr Entry kLexers[] = {
    {"c", lex_c_like<CLang::kC>},
    {"h", lex_c_like<CLang::kC>},
    {"cpp", lex_c_like<CLang::kCpp>},
    {"c++", lex_c_like<CLang::kCpp>},
    {"cc", lex_c_like<CLang::kCpp>},
    {"cxx", lex_c_like<CLang::kCpp>},
    {"hpp", lex_c_like<CLang::kCpp>},
    {"cuda", lex_c_like<CLang::kCpp>},
    {"java", lex_c_like<CLang::kJava>},
    {"go", lex_c_like<CLang::kGo>},
    {"golang", lex_c_like<CLang::kGo>},
    {"rust", lex_c_like<CLang::kRust>},
    {"rs", lex_c_like<CLang::kRust>},
    {"javascript", lex_c_like<CLang::kJavaScript>},
    {"js", lex_c_like<CLang::kJavaScript>},
    {"jsx", lex_c_like<CLang::kJavaScript>},
    {"mjs", lex_c_like<CLang::kJavaScript>},
    {"cjs", lex_c_like<CLang::kJavaScript>},
    {"node", lex_c_like<CLang::kJavaScript>},
    {"typescript", lex_c_like<CLang::kTypeScript>},
    {"ts", lex_c_like<CLang::kTypeScript>},
    {"tsx", lex_c_like<CLang::kTypeScript>},
    {"python", lex_python},
    {"py", lex_python},
    {"python3", lex_python},
    {"ruby", lex_ruby},
    {"rb", lex_ruby},
    {"shell", lex_shell},
    {"bash", lex_shell},
    {"sh", lex_shell},
    {"zsh", lex_shell},
    {"ksh", lex_shell},
    {"console", lex_console},
    {"shell-session", lex_console},
    {"shell_session", lex_console},
    {"terminal", lex_console},
    {"ocaml", lex_ocaml},
    {"ml", lex_ocaml},
    {"html", lex_markup},
    {"xml", lex_markup},
    {"xhtml", lex_markup},
    {"svg", lex_markup},
    {"css", lex_css},
    {"scss", lex_css},
    {"sass", lex_css},
    {"less", lex_css},
    {"yaml", lex_yaml},
    {"yml", lex_yaml},
    {"json", lex_json},
    {"jsonc", lex_json},
    {"json-doc", lex_json},
    {"toml", lex_toml},
    {"diff", lex_diff},
    {"patch", lex_diff},
    {"udiff", lex_diff},
    {"sql", lex_sql},
    {"markdown", lex_markdown},
    {"md", lex_markdown},
    {"mkd", lex_markdown},
};

LexFn find_lexer(std::string_view lang) {
  std::string lower(lang);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  for (const Entry& e : kLexers) {
    if (e.name == lower) return e.lex;
  }
  return nullptr;
}

}  // namespace

bool has_lexer(std::string_view lang) {
  return find_lexer(lang) != nullptr;
}

void append_highlighted(std::string& out, std::string_view code, std::string_view lang) {
  LexFn lex = find_lexer(lang);
  if (lex == nullptr) {
    append_escaped_text(out, code);
    return;
  }
  TokenWriter writer(out);
  Scanner scanner(code, writer);
  lex(scanner);
}

}  // namespace syntax

std::string highlight(std::string_view code, std::string_view lang) {
  std::string out;
  out.reserve(code.size() * 2);
  syntax::append_highlighted(out, code, lang);
  return out;
}

}  // namespace mayfly::site::markdown
