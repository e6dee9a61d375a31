#pragma once
// Octopress 2's Liquid tags, which old Jekyll blogs still carry. They render in the HTML
// shapes Octopress gave them (figure/figcaption, blockquote with a footer, a span with
// data-pullquote) and are never fatal: markup they cannot read still renders something
// readable.
//   {% codeblock [title] [lang:x] [url] [link text] %}...{% endcodeblock %}
//   {% img [class names] /url/or/http://url [width [height]] [title | "title" ["alt"]] %}
//   {% blockquote [author[, source]] [link] [link title] %}...{% endblockquote %}
//   {% pullquote [left] %}...{" the quote "}...{% endpullquote %}
// Backtick fences with a title (```` ``` lang title [url [link text]] ````) are handled by
// the Markdown renderer (site/markdown/code_block.h).
#include "site/liquid/liquid.h"

namespace mayfly::site {

void register_octopress_tags(liquid::Environment& env);

}  // namespace mayfly::site
