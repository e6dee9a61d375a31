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

namespace mayfly::site::markdown {

// Octopress 2's code figure, for {% codeblock %} and for fences with a title
// (```` ``` lang title [url [link text]] ````): the shape Octopress themes style,
//   <figure class="code"><figcaption><span>TITLE</span><a href="URL">LINK</a></figcaption>
//   <div class="highlight"><table><tr><td class="gutter"><pre class="line-numbers">
//   <span class="line-number">1</span>...</pre></td><td class="code"><pre><code class="LANG">
//   <span class="line">...</span>...</code></pre></td></tr></table></div></figure>
// with Rouge token spans when the language is known. No blank line is written, so the figure
// stays one raw HTML block when it passes through Markdown afterwards.
struct CodeFigure {
  std::string_view language;   // empty: plain text
  std::string_view title;      // empty: no caption
  std::string_view url;        // empty: no link
  std::string_view link_text;  // empty with a url: "link"
};
void append_code_figure(std::string& out, std::string_view code, const CodeFigure& figure);

// Whether a fence's info string carries an Octopress title ("ruby Title [url [link text]]"),
// and if so its parts. Info strings whose second word starts with '{' or holds '=' are
// attribute syntaxes of other tools, not titles.
bool octopress_fence_info(std::string_view info, CodeFigure& figure);

}  // namespace mayfly::site::markdown
