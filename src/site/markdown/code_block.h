// Code blocks in the shapes kramdown gives them with Jekyll's Rouge highlighter.
#pragma once

#include <string>
#include <string_view>

namespace mayfly::site::markdown {

struct Options;

// The language of a fenced code block's info string: its first word, without "?options".
std::string_view info_language(std::string_view info);

// Appends a code block: for a language Rouge knows,
//   <div class="language-X highlighter-rouge"><div class="highlight"><pre class="highlight"><code>
// with token spans; otherwise <pre><code class="language-X">. `indent` spaces precede it.
void append_code_block(std::string& out, std::string_view code, std::string_view language,
                       const Options& options, int indent);

}  // namespace mayfly::site::markdown
