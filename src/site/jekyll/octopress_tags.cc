#include "site/jekyll/octopress_tags.h"

#include <cctype>
#include <string>
#include <string_view>
#include <vector>

#include "site/markdown/code_block.h"
#include "site/markdown/escape.h"

namespace mayfly::site {
using liquid::Context;
using liquid::TagBody;
using liquid::TagInfo;
using liquid::TagRenderer;

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    size_t start = i;
    while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

bool is_web_url(std::string_view w) {
  return w.starts_with("http://") || w.starts_with("https://");
}

std::string attr(std::string_view s) {
  std::string out;
  markdown::append_escaped_attr(out, s);
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Splits "before URL after" at the first word that is an http(s) URL and not the first word.
// Returns false when there is no such word.
bool split_at_url(std::string_view s, std::string_view& before, std::string_view& url,
                  std::string_view& after) {
  for (std::string_view w : words(s)) {
    size_t at = size_t(w.data() - s.data());
    if (at > 0 && is_web_url(w)) {
      before = trim(s.substr(0, at));
      url = w;
      after = trim(s.substr(at + w.size()));
      return true;
    }
  }
  return false;
}

// Octopress's titlecase for quote sources: words capitalized, small words lower case unless
// they come first or last.
std::string titlecase(std::string_view s) {
  static constexpr std::string_view kSmall[] = {"a",   "an",  "and", "as", "at",  "but", "by",
                                                "en",  "for", "if",  "in", "of",  "on",  "or",
                                                "the", "to",  "v",   "v.", "via", "vs",  "vs."};
  std::vector<std::string_view> ws = words(s);
  std::string out;
  for (size_t i = 0; i < ws.size(); ++i) {
    std::string w(ws[i]);
    bool small = false;
    for (std::string_view k : kSmall) small = small || lower(w) == k;
    if (small && i > 0 && i + 1 < ws.size())
      w = lower(w);
    else if (!w.empty() && std::islower(static_cast<unsigned char>(w[0])))
      w[0] = char(std::toupper(static_cast<unsigned char>(w[0])));
    if (!out.empty()) out += ' ';
    out += w;
  }
  return out;
}

// {% codeblock [title] [lang:x] [url] [link text] %}: the language comes from lang: or from
// a file name's extension in the title ("awesome.rb"); Octopress 2.1's linenos:, start: and
// mark: options are read and ignored.
TagRenderer codeblock_tag(const TagInfo& info) {
  std::string lang, title, url, link_text;
  std::string rest;
  for (std::string_view w : words(info.markup)) {
    std::string lw = lower(w.substr(0, std::min<size_t>(w.size(), 8)));
    if (lw.starts_with("lang:")) {
      lang = lower(w.substr(5));
    } else if (lw.starts_with("linenos:") || lw.starts_with("start:") || lw.starts_with("mark:")) {
      continue;
    } else {
      if (!rest.empty()) rest += ' ';
      rest += w;
    }
  }
  std::string_view before, u, after;
  if (split_at_url(rest, before, u, after)) {
    title = before;
    url = u;
    link_text = after;
  } else {
    title = rest;
  }
  if (lang.empty()) {
    // The last "name.ext" in the title names the language.
    size_t dot = title.rfind('.');
    while (dot != std::string::npos) {
      size_t end = dot + 1;
      while (end < title.size() &&
             (std::isalnum(static_cast<unsigned char>(title[end])) || title[end] == '_'))
        ++end;
      if (end > dot + 1 && dot > 0 &&
          (std::isalnum(static_cast<unsigned char>(title[dot - 1])) || title[dot - 1] == '_')) {
        lang = lower(std::string_view(title).substr(dot + 1, end - dot - 1));
        break;
      }
      dot = dot == 0 ? std::string::npos : title.rfind('.', dot - 1);
    }
  }
  return [lang, title, url, link_text](Context& ctx, std::string& out, const TagBody* body) {
    std::string code = body ? body->render(ctx) : "";
    markdown::append_code_figure(out, code, {lang, title, url, link_text});
  };
}

// {% img [class names] URL [width [height]] [title text | "title" ["alt"]] %}
TagRenderer img_tag(const TagInfo& info) {
  std::string markup(trim(info.markup));
  return [markup](Context& ctx, std::string& out, const TagBody*) {
    std::string text = markup;
    if (text.find("{{") != std::string::npos)
      text = liquid::Template::parse(text, "img markup", ctx.env())->render(ctx);
    std::vector<std::string_view> ws = words(text);
    // The source is the first word that is a URL or an absolute path; a blog that wrote a
    // relative path gets its first word as the source rather than an error.
    size_t src_at = ws.size();
    for (size_t i = 0; i < ws.size(); ++i)
      if (is_web_url(ws[i]) || ws[i].starts_with("/")) {
        src_at = i;
        break;
      }
    if (src_at == ws.size()) src_at = 0;
    if (ws.empty()) return;
    std::string cls;
    for (size_t i = 0; i < src_at; ++i) cls += (cls.empty() ? "" : " ") + std::string(ws[i]);
    std::string src(ws[src_at]);
    size_t next = src_at + 1;
    auto digits = [](std::string_view w) {
      return !w.empty() && w.find_first_not_of("0123456789") == std::string_view::npos;
    };
    std::string width, height;
    if (next < ws.size() && digits(ws[next])) width = ws[next++];
    if (!width.empty() && next < ws.size() && digits(ws[next])) height = ws[next++];
    std::string title, alt;
    if (next < ws.size()) {
      std::string_view rest =
          trim(std::string_view(text).substr(size_t(ws[next].data() - text.data())));
      if (rest.front() == '"' || rest.front() == '\'') {
        char q = rest.front();
        size_t close = rest.find(q, 1);
        title =
            rest.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1);
        std::string_view after =
            close == std::string_view::npos ? std::string_view() : trim(rest.substr(close + 1));
        if (!after.empty() && (after.front() == '"' || after.front() == '\'')) {
          size_t close2 = after.find(after.front(), 1);
          alt = after.substr(
              1, close2 == std::string_view::npos ? std::string_view::npos : close2 - 1);
        }
      } else {
        title = rest;
      }
    }
    if (alt.empty()) alt = title;
    out += "<img";
    if (!cls.empty()) out += " class=\"" + attr(cls) + "\"";
    out += " src=\"" + attr(src) + "\"";
    if (!width.empty()) out += " width=\"" + width + "\"";
    if (!height.empty()) out += " height=\"" + height + "\"";
    if (!title.empty()) out += " title=\"" + attr(title) + "\"";
    if (!alt.empty()) out += " alt=\"" + attr(alt) + "\"";
    out += ">";
  };
}

// {% blockquote [author[, source title]] [link] [link title] %}
TagRenderer blockquote_tag(const TagInfo& info) {
  std::string markup(trim(info.markup));
  std::string by, source, title;
  std::string_view before, url, after;
  if (split_at_url(markup, before, url, after)) {
    by = before;
    source = url;
    if (!after.empty()) title = titlecase(after);
  } else if (size_t comma = markup.find(','); comma != std::string::npos) {
    by = trim(std::string_view(markup).substr(0, comma));
    title = titlecase(trim(std::string_view(markup).substr(comma + 1)));
  } else {
    by = markup;
  }
  // A link without a title shows the link, cut to about 32 characters at a '/'.
  std::string shown = title;
  if (!source.empty() && shown.empty()) {
    std::string_view rest = source;
    rest.remove_prefix(rest.find("://") + 3);
    std::string kept;
    bool cut = false;
    for (std::string_view part : [&] {
           std::vector<std::string_view> parts;
           size_t i = 0;
           while (i <= rest.size()) {
             size_t j = rest.find('/', i);
             if (j == std::string_view::npos) j = rest.size();
             parts.push_back(rest.substr(i, j - i));
             i = j + 1;
           }
           return parts;
         }()) {
      std::string candidate = kept.empty() ? std::string(part) : kept + "/" + std::string(part);
      if (candidate.size() >= 32) {
        cut = true;
        break;
      }
      kept = candidate;
    }
    shown = attr(kept) + (cut ? "/&hellip;" : "");
  } else {
    shown = attr(shown);
  }
  return [by, source, shown](Context& ctx, std::string& out, const TagBody* body) {
    std::string text(trim(body ? body->render(ctx) : ""));
    // Octopress's paragraphs: a blank line starts a new one, a line break is kept as <br/>.
    std::string quote = "<p>";
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\n') {
        size_t j = i + 1;
        while (j < text.size() && (text[j] == ' ' || text[j] == '\t' || text[j] == '\r')) ++j;
        if (j < text.size() && text[j] == '\n') {
          while (j < text.size() && std::isspace(static_cast<unsigned char>(text[j]))) ++j;
          quote += "</p><p>";
          i = j - 1;
        } else {
          quote += "<br/>";
        }
      } else {
        quote += text[i];
      }
    }
    quote += "</p>";
    out += "<blockquote>" + quote;
    if (!by.empty()) {
      out += "<footer><strong>" + attr(by) + "</strong>";
      if (!source.empty())
        out += " <cite><a href=\"" + attr(source) + "\">" + shown + "</a></cite>";
      else if (!shown.empty())
        out += " <cite>" + shown + "</cite>";
      out += "</footer>";
    }
    out += "</blockquote>";
  };
}

// {% pullquote [left] %}text {" the quote "} text{% endpullquote %}
TagRenderer pullquote_tag(const TagInfo& info) {
  bool left = lower(info.markup).find("left") != std::string::npos;
  return [left](Context& ctx, std::string& out, const TagBody* body) {
    std::string text(trim(body ? body->render(ctx) : ""));
    size_t open = text.find("{\"");
    size_t close = open == std::string::npos ? open : text.find("\"}", open + 2);
    if (close == std::string::npos) {
      out += text;  // no marked quote: the text as it is
      return;
    }
    std::string quote(trim(std::string_view(text).substr(open + 2, close - open - 2)));
    std::string plain = text.substr(0, open);
    while (!plain.empty() && plain.back() == ' ') plain.pop_back();
    if (!plain.empty()) plain += ' ';
    plain += quote;
    std::string_view tail = std::string_view(text).substr(close + 2);
    plain += tail;
    out += std::string("<span class=\"pullquote-") + (left ? "left" : "right") +
           "\" data-pullquote=\"" + attr(quote) + "\">" + plain + "</span>";
  };
}

}  // namespace

void register_octopress_tags(liquid::Environment& env) {
  env.register_block("codeblock", codeblock_tag);
  env.register_tag("img", img_tag);
  env.register_block("blockquote", blockquote_tag);
  env.register_block("pullquote", pullquote_tag);
}

}  // namespace mayfly::site
