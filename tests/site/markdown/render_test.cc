// Exact HTML for the shapes themes rely on; the expected strings are kramdown's output
// (Jekyll 4.3 configuration) for the same input.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "site/markdown/render.h"

namespace md = mayfly::site::markdown;

namespace {

TEST(Render, Headings) {
  const std::string input = R"md(# Hello, World!

## Hello World

## Hello World

### Ünïcode_x  tab	here

## `code` & <em>x</em> [link](http://a.b) ![img](i.png)

## Custom {#my-id}
)md";
  const std::string expected = R"html(<h1 id="hello-world">Hello, World!</h1>

<h2 id="hello-world-1">Hello World</h2>

<h2 id="hello-world-2">Hello World</h2>

<h3 id="ünïcode_x--tab-here">Ünïcode_x  tab	here</h3>

<h2 id="code--x-link-"><code class="language-plaintext highlighter-rouge">code</code> &amp; <em>x</em> <a href="http://a.b">link</a> <img src="i.png" alt="img" /></h2>

<h2 id="my-id">Custom</h2>
)html";
  EXPECT_EQ(md::render(input), expected);
}

TEST(Render, Footnotes) {
  const std::string input = R"md(Text[^1] and[^note] again[^1].

[^1]: First.
[^note]: Second
    para.
)md";
  const std::string expected =
      R"html(<p>Text<sup id="fnref:1" role="doc-noteref"><a href="#fn:1" class="footnote" rel="footnote">1</a></sup> and<sup id="fnref:note" role="doc-noteref"><a href="#fn:note" class="footnote" rel="footnote">2</a></sup> again<sup id="fnref:1:1" role="doc-noteref"><a href="#fn:1" class="footnote" rel="footnote">1</a></sup>.</p>

<div class="footnotes" role="doc-endnotes">
  <ol>
    <li id="fn:1" role="doc-endnote">
      <p>First. <a href="#fnref:1" class="reversefootnote" role="doc-backlink">&#8617;</a> <a href="#fnref:1:1" class="reversefootnote" role="doc-backlink">&#8617;<sup>2</sup></a></p>
    </li>
    <li id="fn:note" role="doc-endnote">
      <p>Second
para. <a href="#fnref:note" class="reversefootnote" role="doc-backlink">&#8617;</a></p>
    </li>
  </ol>
</div>
)html";
  EXPECT_EQ(md::render(input), expected);
}

TEST(Render, CodeBlocks) {
  const std::string input = R"md(```ruby
def foo(x)
  puts "hi #{x}" # c
end
```

```
plain <x>
```

    indented

```nosuchlang
x < y
```
)md";
  const std::string expected =
      R"html(<div class="language-ruby highlighter-rouge"><div class="highlight"><pre class="highlight"><code><span class="k">def</span> <span class="nf">foo</span><span class="p">(</span><span class="n">x</span><span class="p">)</span>
  <span class="nb">puts</span> <span class="s2">"hi </span><span class="si">#{</span><span class="n">x</span><span class="si">}</span><span class="s2">"</span> <span class="c1"># c</span>
<span class="k">end</span>
</code></pre></div></div>

<div class="language-plaintext highlighter-rouge"><div class="highlight"><pre class="highlight"><code>plain &lt;x&gt;
</code></pre></div></div>

<div class="language-plaintext highlighter-rouge"><div class="highlight"><pre class="highlight"><code>indented
</code></pre></div></div>

<pre><code class="language-nosuchlang">x &lt; y
</code></pre>
)html";
  EXPECT_EQ(md::render(input), expected);
}

TEST(Render, Tables) {
  const std::string input = R"md(| a | b | c |
|:--|--:|:-:|
| 1 | **2** | `3` |
)md";
  const std::string expected = R"html(<table>
  <thead>
    <tr>
      <th style="text-align: left">a</th>
      <th style="text-align: right">b</th>
      <th style="text-align: center">c</th>
    </tr>
  </thead>
  <tbody>
    <tr>
      <td style="text-align: left">1</td>
      <td style="text-align: right"><strong>2</strong></td>
      <td style="text-align: center"><code class="language-plaintext highlighter-rouge">3</code></td>
    </tr>
  </tbody>
</table>
)html";
  EXPECT_EQ(md::render(input), expected);
}

TEST(Render, TaskLists) {
  const std::string input = R"md(- [ ] open
- [x] done
- plain
)md";
  const std::string expected = R"html(<ul class="task-list">
  <li class="task-list-item"><input type="checkbox" class="task-list-item-checkbox" disabled="disabled" />open</li>
  <li class="task-list-item"><input type="checkbox" class="task-list-item-checkbox" disabled="disabled" checked="checked" />done</li>
  <li class="task-list-item">plain</li>
</ul>
)html";
  EXPECT_EQ(md::render(input), expected);
}

TEST(Render, Blocks) {
  const std::string input = R"md(> quote
> more

1. one
2. two
   - nested

* loose

* items

***

line  
break ~~del~~ <span>html</span> <http://x.org>

<div>
block
</div>
)md";
  const std::string expected = R"html(<blockquote>
  <p>quote
more</p>
</blockquote>

<ol>
  <li>one</li>
  <li>two
    <ul>
      <li>nested</li>
    </ul>
  </li>
</ol>

<ul>
  <li>
    <p>loose</p>
  </li>
  <li>
    <p>items</p>
  </li>
</ul>

<hr />

<p>line<br />
break <del>del</del> <span>html</span> <a href="http://x.org">http://x.org</a></p>

<div>
block
</div>
)html";
  EXPECT_EQ(md::render(input), expected);
}

TEST(Render, SmartQuotes) {
  EXPECT_EQ(md::render("It's \"quoted\" -- and --- and... done.\n"),
            "<p>It\u2019s \u201Cquoted\u201D \u2013 and \u2014 and\u2026 done.</p>\n");
  md::Options entities;
  entities.typographic_entities = true;
  EXPECT_EQ(md::render("It's \"quoted\" -- and --- and... done.\n", entities),
            "<p>It&#8217;s &#8220;quoted&#8221; &#8211; and &#8212; and&#8230; done.</p>\n");
  md::Options plain;
  plain.smart_quotes = false;
  EXPECT_EQ(md::render("It's \"q\" -- x...\n", plain), "<p>It's \"q\" -- x...</p>\n");
}

TEST(Render, SmartQuotesLeaveCodeAlone) {
  EXPECT_EQ(md::render("`it's -- x`\n"),
            "<p><code class=\"language-plaintext highlighter-rouge\">it's -- x</code></p>\n");
}

TEST(Render, HeadingIdsCanBeTurnedOff) {
  md::Options options;
  options.heading_ids = false;
  EXPECT_EQ(md::render("## Title\n", options), "<h2>Title</h2>\n");
  options.heading_ids = true;
  options.heading_id_prefix = "p-";
  EXPECT_EQ(md::render("## Title\n", options), "<h2 id=\"p-title\">Title</h2>\n");
}

TEST(Render, BareUrlsAreNotLinkedByDefault) {
  EXPECT_EQ(md::render("see https://example.com now\n"), "<p>see https://example.com now</p>\n");
  md::Options options;
  options.bare_autolinks = true;
  EXPECT_EQ(md::render("see https://example.com now\n", options),
            "<p>see <a href=\"https://example.com\">https://example.com</a> now</p>\n");
}

TEST(Render, RawHtmlElementStaysRawToItsClosingTag) {
  EXPECT_EQ(md::render("<details>\n<summary>S</summary>\n\n## Not a heading *x*\n\n</details>\n\n"
                       "## After\n"),
            "<details>\n<summary>S</summary>\n\n## Not a heading *x*\n\n</details>\n\n"
            "<h2 id=\"after\">After</h2>\n");
}

TEST(Render, MultiLineSetextIsAParagraph) {
  EXPECT_EQ(md::render("Title\nline two\n---\n"), "<p>Title\nline two\n\u2014</p>\n");
  EXPECT_EQ(md::render("Title\n---\n"), "<h2 id=\"title\">Title</h2>\n");
}

TEST(Render, UnknownLanguageKeepsPlainPre) {
  EXPECT_EQ(md::render("```nosuchlang\nx < y\n```\n"),
            "<pre><code class=\"language-nosuchlang\">x &lt; y\n</code></pre>\n");
}

TEST(Render, CodeWithoutHighlighting) {
  md::Options options;
  options.highlight_code = false;
  EXPECT_EQ(md::render("```c\nint x;\n```\n", options),
            "<pre><code class=\"language-c\">int x;\n</code></pre>\n");
}

TEST(Render, EmptyAndWhitespaceInput) {
  EXPECT_EQ(md::render(""), "");
  EXPECT_EQ(md::render("\n\n  \n"), "");
}

TEST(Render, UnreferencedFootnoteIsDropped) {
  EXPECT_EQ(md::render("text\n\n[^x]: never used\n"), "<p>text</p>\n");
}

TEST(RenderInline, SingleParagraphLosesItsWrapper) {
  EXPECT_EQ(md::render_inline("Hello *world*"), "Hello <em>world</em>");
  EXPECT_EQ(md::render_inline("# Title"), "<h1 id=\"title\">Title</h1>\n");
}

TEST(Render, ThreadSafe) {
  const std::string input =
      "# T\n\nSome *text*[^1] and `code`.\n\n```cpp\nint main() {}\n```\n\n"
      "[^1]: Note.\n";
  const std::string expected = md::render(input);
  std::vector<std::thread> threads;
  std::vector<int> ok(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      int good = 0;
      for (int i = 0; i < 200; ++i) good += md::render(input) == expected;
      ok[static_cast<size_t>(t)] = good;
    });
  }
  for (auto& th : threads) th.join();
  for (int good : ok) EXPECT_EQ(good, 200);
}

}  // namespace
