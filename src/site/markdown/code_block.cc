#include "site/markdown/code_block.h"

#include <vector>

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

namespace mayfly::site::markdown {
namespace {

// Splits highlighted HTML into lines, closing the spans that are open at a line break and
// opening them again on the next line, so each line is balanced on its own.
std::vector<std::string> balanced_lines(std::string_view html) {
  std::vector<std::string> lines(1);
  std::vector<std::string> open;  // opening tags of the spans open at this point
  for (size_t i = 0; i < html.size();) {
    if (html[i] == '\n') {
      for (size_t k = 0; k < open.size(); ++k) lines.back() += "</span>";
      lines.emplace_back();
      for (const auto& tag : open) lines.back() += tag;
      ++i;
    } else if (html.compare(i, 5, "<span") == 0) {
      size_t end = html.find('>', i);
      if (end == std::string_view::npos) end = html.size() - 1;
      open.emplace_back(html.substr(i, end + 1 - i));
      lines.back() += open.back();
      i = end + 1;
    } else if (html.compare(i, 7, "</span>") == 0) {
      if (!open.empty()) open.pop_back();
      lines.back() += "</span>";
      i += 7;
    } else {
      lines.back() += html[i++];
    }
  }
  return lines;
}

std::string_view trim_view(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool is_url(std::string_view w) {
  return w.starts_with("http://") || w.starts_with("https://") ||
         (w.size() > 1 && w[0] == '/' && w[1] != '/');
}

}  // namespace

void append_code_figure(std::string& out, std::string_view code, const CodeFigure& f) {
  // Leading and trailing blank lines are not part of the listing (Octopress strips them).
  while (!code.empty() && (code.front() == '\n' || code.front() == '\r')) code.remove_prefix(1);
  while (!code.empty() && std::isspace(static_cast<unsigned char>(code.back())))
    code.remove_suffix(1);
  out.append("<figure class=\"code\">");
  if (!f.title.empty() || !f.url.empty()) {
    out.append("<figcaption><span>");
    append_escaped_text(out, f.title);
    out.append("</span>");
    if (!f.url.empty()) {
      out.append("<a href=\"");
      append_escaped_attr(out, f.url);
      out.append("\">");
      append_escaped_text(out, f.link_text.empty() ? std::string_view("link") : f.link_text);
      out.append("</a>");
    }
    out.append("</figcaption>");
  }
  std::string html;
  if (!f.language.empty() && syntax::has_lexer(f.language))
    syntax::append_highlighted(html, code, f.language);
  else
    append_escaped_text(html, code);
  std::vector<std::string> lines = balanced_lines(html);
  out.append(
      "<div class=\"highlight\"><table><tr><td class=\"gutter\"><pre class=\"line-numbers\">");
  for (size_t i = 0; i < lines.size(); ++i)
    out.append("<span class=\"line-number\">").append(std::to_string(i + 1)).append("</span>\n");
  out.append("</pre></td><td class=\"code\"><pre><code class=\"");
  append_escaped_attr(out, f.language.empty() ? std::string_view("plain") : f.language);
  out.append("\">");
  for (size_t i = 0; i < lines.size(); ++i) {
    out.append("<span class=\"line\">").append(lines[i]).append("</span>");
    if (i + 1 < lines.size()) out.push_back('\n');
  }
  out.append("</code></pre></td></tr></table></div></figure>");
}

bool octopress_fence_info(std::string_view info, CodeFigure& f) {
  info = trim_view(info);
  size_t sp = info.find_first_of(" \t");
  if (sp == std::string_view::npos) return false;
  std::string_view lang = info.substr(0, sp);
  std::string_view rest = trim_view(info.substr(sp));
  if (rest.empty() || rest.front() == '{' || rest.find('=') != std::string_view::npos ||
      lang.front() == '{')
    return false;
  f = CodeFigure{};
  f.language = lang == "plain" ? std::string_view() : lang;
  // "title words [url [link text]]": the url is the first word that looks like one.
  size_t pos = 0;
  while (pos < rest.size()) {
    size_t start = rest.find_first_not_of(" \t", pos);
    if (start == std::string_view::npos) break;
    size_t end = rest.find_first_of(" \t", start);
    if (end == std::string_view::npos) end = rest.size();
    std::string_view word = rest.substr(start, end - start);
    if (start > 0 && is_url(word)) {
      f.title = trim_view(rest.substr(0, start));
      f.url = word;
      f.link_text = trim_view(rest.substr(end));
      return true;
    }
    pos = end;
  }
  f.title = rest;
  return true;
}

}  // namespace mayfly::site::markdown
