// Markdown to HTML in the shapes of Jekyll 4.3's kramdown (GFM input) output.
#pragma once

#include <string>
#include <string_view>

namespace mayfly::site::markdown {

struct Options {
  // kramdown's typographic conversions: quotes, dashes, ellipsis, guillemets.
  bool smart_quotes = true;
  // Emit the typographic characters as numeric entities (&#8217;) instead of UTF-8
  // characters. Jekyll's default (entity_output: as_char) is characters.
  bool typographic_entities = false;
  // GFM-style heading ids, "-1", "-2" for duplicates (kramdown's auto_ids).
  bool heading_ids = true;
  std::string heading_id_prefix;  // kramdown's auto_id_prefix
  bool footnotes = true;
  // Autolink bare URLs and www. names (GFM's autolink extension). kramdown's GFM parser does
  // not, so Jekyll-compatible output keeps this off.
  bool bare_autolinks = false;
  // Every newline in a paragraph becomes <br /> (kramdown's hard_wrap; Jekyll: false).
  bool hard_wrap = false;
  // Token-highlight fenced code with a language (Jekyll's Rouge highlighter).
  bool highlight_code = true;
  // Language assumed for code without one (Jekyll: plaintext); empty: plain <pre><code>.
  std::string default_code_language = "plaintext";
  // Pass raw HTML through (kramdown does).
  bool raw_html = true;
};

// Renders a whole document. Thread-safe; may be called from several threads at once.
std::string render(std::string_view markdown, const Options& options = {});

// Renders a fragment for inline use: a single paragraph comes back without its <p> wrapper
// (e.g. for titles); anything else is rendered as render() does.
std::string render_inline(std::string_view markdown, const Options& options = {});

}  // namespace mayfly::site::markdown
