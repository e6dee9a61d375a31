// A small Rouge-compatible syntax highlighter: code in, HTML with Rouge's token classes out
// (<span class="k">, "nf", "s2", "c1", ...), for the languages blogs use most.
#pragma once

#include <string>
#include <string_view>

namespace mayfly::site::markdown {

// Highlights `code` as `lang` (a Rouge language name or alias, e.g. "cpp", "py", "sh").
// Languages without a lexer here come back HTML-escaped, without spans.
std::string highlight(std::string_view code, std::string_view lang);

namespace syntax {

// Appends the highlighted code (the contents of <code>...</code>) to `out`.
void append_highlighted(std::string& out, std::string_view code, std::string_view lang);

// Whether Rouge has a lexer by that name or alias (kramdown then wraps the code in
// <div class="language-X highlighter-rouge">; otherwise it writes <pre><code class=...>).
bool rouge_knows(std::string_view lang);

// Whether this highlighter has its own lexer for the language (else: escaped plain text).
bool has_lexer(std::string_view lang);

}  // namespace syntax
}  // namespace mayfly::site::markdown
