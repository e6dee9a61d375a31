#include "site/markdown/code_block.h"

#include "site/markdown/escape.h"
#include "site/markdown/highlight/highlight.h"
#include "site/markdown/render.h"

namespace mayfly::site::markdown {

std::string_view info_language(std::string_view info) {
  size_t start = info.find_first_not_of(" \t");
  if (start == std::string_view::npos) return {};
  info.remove_prefix(start);
  size_t end = info.find_first_of(" \t?");
  return info.substr(0, end);
}

void append_code_block(std::string& out, std::string_view code, std::string_view language,
                       const Options& options, int indent) {
  if (language.empty()) language = options.default_code_language;
  out.append(static_cast<size_t>(indent), ' ');
  if (!language.empty() && options.highlight_code && syntax::rouge_knows(language)) {
    out.append("<div class=\"language-");
    append_escaped_attr(out, language);
    out.append(" highlighter-rouge\"><div class=\"highlight\"><pre class=\"highlight\"><code>");
    syntax::append_highlighted(out, code, language);
    // kramdown indents the closing tag of the wrapper, not the inner ones.
    out.append("</code></pre></div>");
    out.append(static_cast<size_t>(indent), ' ');
    out.append("</div>\n");
    return;
  }
  out.append("<pre><code");
  if (!language.empty()) {
    out.append(" class=\"language-");
    append_escaped_attr(out, language);
    out.append("\"");
  }
  out.append(">");
  append_escaped_text(out, code);
  out.append("</code></pre>\n");
}

}  // namespace mayfly::site::markdown
