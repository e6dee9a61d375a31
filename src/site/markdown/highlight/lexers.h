// The language lexers: each reads the whole input from the scanner and emits tokens.
#pragma once

#include "site/markdown/highlight/scanner.h"

namespace mayfly::site::markdown::syntax {

enum class CLang { kC, kCpp, kJava, kGo, kRust, kJavaScript, kTypeScript };

void lex_c_family(Scanner& s, CLang lang);  // c_family.cc
void lex_python(Scanner& s);                // python.cc
void lex_ruby(Scanner& s);                  // ruby.cc
void lex_shell(Scanner& s);                 // shell.cc
void lex_console(Scanner& s);               // shell.cc: "$ command" lines and output
void lex_ocaml(Scanner& s);                 // ocaml.cc
void lex_markup(Scanner& s);                // markup.cc: HTML and XML
void lex_css(Scanner& s);                   // css.cc: CSS, SCSS, Sass
void lex_yaml(Scanner& s);                  // data_formats.cc
void lex_json(Scanner& s);                  // data_formats.cc
void lex_toml(Scanner& s);                  // data_formats.cc
void lex_diff(Scanner& s);                  // diff.cc
void lex_sql(Scanner& s);                   // sql.cc
void lex_markdown(Scanner& s);              // markdown_lang.cc

// Shared by several lexers: an operator or punctuation character at the cursor ("o" or "p").
void emit_operator_or_punct(Scanner& s, std::string_view operators);

}  // namespace mayfly::site::markdown::syntax
