// The highlighter: token classes as Rouge 3.30 gives them (expected strings are Rouge's output
// for the same code), and no text ever lost.
#include "site/markdown/highlight/highlight.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace md = mayfly::site::markdown;
namespace fs = std::filesystem;

namespace {

struct Case {
  const char* lang;
  const char* code;
  const char* rouge;
};

const Case kSameAsRouge[] = {
    {"bash", R"hl(#!/bin/sh
export FOO="bar $HOME"
if [ -f x ]; then echo 'hi'; fi # c
)hl",
     R"hl(<span class="c">#!/bin/sh</span>
<span class="nb">export </span><span class="nv">FOO</span><span class="o">=</span><span class="s2">"bar </span><span class="nv">$HOME</span><span class="s2">"</span>
<span class="k">if</span> <span class="o">[</span> <span class="nt">-f</span> x <span class="o">]</span><span class="p">;</span> <span class="k">then </span><span class="nb">echo</span> <span class="s1">'hi'</span><span class="p">;</span> <span class="k">fi</span> <span class="c"># c</span>
)hl"},
    {"console", R"hl($ ls -la
total 0
$ echo hi
)hl",
     R"hl(<span class="gp">$</span><span class="w"> </span><span class="nb">ls</span> <span class="nt">-la</span>
<span class="go">total 0
</span><span class="gp">$</span><span class="w"> </span><span class="nb">echo </span>hi
)hl"},
    {"css", R"hl(.a #b > p:hover { color: #fff; margin: 0 1.5em; } /* c */
)hl",
     R"hl(<span class="nc">.a</span> <span class="nf">#b</span> <span class="o">&gt;</span> <span class="nt">p</span><span class="nd">:hover</span> <span class="p">{</span> <span class="nl">color</span><span class="p">:</span> <span class="m">#fff</span><span class="p">;</span> <span class="nl">margin</span><span class="p">:</span> <span class="m">0</span> <span class="m">1.5em</span><span class="p">;</span> <span class="p">}</span> <span class="c">/* c */</span>
)hl"},
    {"diff", R"hl(--- a
+++ b
@@ -1 +1 @@
-old
+new
 ctx
)hl",
     R"hl(<span class="gd">--- a
</span><span class="gi">+++ b
</span><span class="p">@@ -1 +1 @@</span>
<span class="gd">-old
</span><span class="gi">+new
</span> ctx
)hl"},
    {"html", R"hl(<!DOCTYPE html>
<div class="a" id='b'>Hi &amp; <br/></div><!-- c -->
)hl",
     R"hl(<span class="cp">&lt;!DOCTYPE html&gt;</span>
<span class="nt">&lt;div</span> <span class="na">class=</span><span class="s">"a"</span> <span class="na">id=</span><span class="s">'b'</span><span class="nt">&gt;</span>Hi <span class="ni">&amp;amp;</span> <span class="nt">&lt;br/&gt;&lt;/div&gt;</span><span class="c">&lt;!-- c --&gt;</span>
)hl"},
    {"java", R"hl(public class A { @Override public void f(int x) { String s = "a"; } }
)hl",
     R"hl(<span class="kd">public</span> <span class="kd">class</span> <span class="nc">A</span> <span class="o">{</span> <span class="nd">@Override</span> <span class="kd">public</span> <span class="kt">void</span> <span class="nf">f</span><span class="o">(</span><span class="kt">int</span> <span class="n">x</span><span class="o">)</span> <span class="o">{</span> <span class="nc">String</span> <span class="n">s</span> <span class="o">=</span> <span class="s">"a"</span><span class="o">;</span> <span class="o">}</span> <span class="o">}</span>
)hl"},
    {"json", R"hl({"a": 1, "b": [true, null, "s", 1.5e3]}
)hl",
     R"hl(<span class="p">{</span><span class="nl">"a"</span><span class="p">:</span><span class="w"> </span><span class="mi">1</span><span class="p">,</span><span class="w"> </span><span class="nl">"b"</span><span class="p">:</span><span class="w"> </span><span class="p">[</span><span class="kc">true</span><span class="p">,</span><span class="w"> </span><span class="kc">null</span><span class="p">,</span><span class="w"> </span><span class="s2">"s"</span><span class="p">,</span><span class="w"> </span><span class="mf">1.5e3</span><span class="p">]}</span><span class="w">
</span>)hl"},
    {"python", R"hl(@dec
def f(x, y=1.5):
    """Doc."""
    return len(x) + 0x1F  # c
class A(B): pass
)hl",
     R"hl(<span class="o">@</span><span class="n">dec</span>
<span class="k">def</span> <span class="nf">f</span><span class="p">(</span><span class="n">x</span><span class="p">,</span> <span class="n">y</span><span class="o">=</span><span class="mf">1.5</span><span class="p">):</span>
    <span class="s">"""Doc."""</span>
    <span class="k">return</span> <span class="nb">len</span><span class="p">(</span><span class="n">x</span><span class="p">)</span> <span class="o">+</span> <span class="mh">0x1F</span>  <span class="c1"># c
</span><span class="k">class</span> <span class="nc">A</span><span class="p">(</span><span class="n">B</span><span class="p">):</span> <span class="k">pass</span>
)hl"},
    {"rust", R"hl(fn main() { let x: u32 = 5; println!("{}", x); } // c
)hl",
     R"hl(<span class="k">fn</span> <span class="nf">main</span><span class="p">()</span> <span class="p">{</span> <span class="k">let</span> <span class="n">x</span><span class="p">:</span> <span class="nb">u32</span> <span class="o">=</span> <span class="mi">5</span><span class="p">;</span> <span class="nd">println!</span><span class="p">(</span><span class="s">"{}"</span><span class="p">,</span> <span class="n">x</span><span class="p">);</span> <span class="p">}</span> <span class="c1">// c</span>
)hl"},
    {"scss", R"hl($x: 10px;
.a { .b { width: $x; } }
)hl",
     R"hl(<span class="nv">$x</span><span class="p">:</span> <span class="m">10px</span><span class="p">;</span>
<span class="nc">.a</span> <span class="p">{</span> <span class="nc">.b</span> <span class="p">{</span> <span class="nl">width</span><span class="p">:</span> <span class="nv">$x</span><span class="p">;</span> <span class="p">}</span> <span class="p">}</span>
)hl"},
    {"sql", R"hl(SELECT a, COUNT(*) FROM t WHERE x = 'y' -- c
GROUP BY a;
)hl",
     R"hl(<span class="k">SELECT</span> <span class="n">a</span><span class="p">,</span> <span class="k">COUNT</span><span class="p">(</span><span class="o">*</span><span class="p">)</span> <span class="k">FROM</span> <span class="n">t</span> <span class="k">WHERE</span> <span class="n">x</span> <span class="o">=</span> <span class="s1">'y'</span> <span class="c1">-- c</span>
<span class="k">GROUP</span> <span class="k">BY</span> <span class="n">a</span><span class="p">;</span>
)hl"},
    {"toml", R"hl([table]
key = "v" # c
n = 42
b = true
)hl",
     R"hl(<span class="nn">[table]</span>
<span class="py">key</span> <span class="p">=</span> <span class="s">"v"</span> <span class="c"># c</span>
<span class="py">n</span> <span class="p">=</span> <span class="mi">42</span>
<span class="py">b</span> <span class="p">=</span> <span class="kc">true</span>
)hl"},
    {"xml", R"hl(<?xml version="1.0"?>
<a b="c"><d/></a>
)hl",
     R"hl(<span class="cp">&lt;?xml version="1.0"?&gt;</span>
<span class="nt">&lt;a</span> <span class="na">b=</span><span class="s">"c"</span><span class="nt">&gt;&lt;d/&gt;&lt;/a&gt;</span>
)hl"},
};

TEST(Highlight, MatchesRouge) {
  for (const Case& c : kSameAsRouge) {
    EXPECT_EQ(md::highlight(c.code, c.lang), c.rouge) << c.lang;
  }
}

TEST(Highlight, KeyTokens) {
  auto has = [](std::string_view lang, std::string_view code, std::string_view want) {
    std::string html = md::highlight(code, lang);
    EXPECT_NE(html.find(want), std::string::npos) << lang << ": " << html;
  };
  has("c", "int main(void) { return 0; }\n",
      "<span class=\"kt\">int</span> <span class=\"nf\">main</span>");
  has("c", "#include <stdio.h>\n",
      "<span class=\"cp\">#include</span> <span class=\"cpf\">&lt;stdio.h&gt;</span>");
  has("cpp", "class Foo {};\n", "<span class=\"k\">class</span> <span class=\"nc\">Foo</span>");
  has("ruby", "def greet(name)\n  puts \"hi #{name}\"\nend\n",
      "<span class=\"s2\">\"hi </span><span class=\"si\">#{</span><span "
      "class=\"n\">name</span><span class=\"si\">}</span>");
  has("ruby", "def greet\nend\n", "<span class=\"k\">def</span> <span class=\"nf\">greet</span>");
  has("js", "const x = 'a';\n", "<span class=\"kd\">const</span> <span class=\"nx\">x</span>");
  has("go", "func main() {}\n", "<span class=\"k\">func</span>");
  has("ocaml", "let x = 1 (* c *)\n", "<span class=\"c\">(* c *)</span>");
  has("ocaml", "module M = List\n", "<span class=\"nc\">M</span>");
  has("yaml", "key: value\n", "<span class=\"na\">key</span><span class=\"pi\">:</span>");
  has("markdown", "# Title\n", "<span class=\"gh\"># Title</span>");
  has("typescript", "let n: number = 1;\n", "<span class=\"kt\">number</span>");
}

TEST(Highlight, UnknownLanguageIsEscapedText) {
  EXPECT_EQ(md::highlight("a < b && c\n", "nosuchlang"), "a &lt; b &amp;&amp; c\n");
  EXPECT_EQ(md::highlight("x\n", "plaintext"), "x\n");
}

TEST(Highlight, KnowsRougeNames) {
  EXPECT_TRUE(md::syntax::rouge_knows("ruby"));
  EXPECT_TRUE(md::syntax::rouge_knows("plaintext"));
  EXPECT_TRUE(md::syntax::rouge_knows("console"));
  EXPECT_FALSE(md::syntax::rouge_knows("Ruby"));
  EXPECT_FALSE(md::syntax::rouge_knows("nosuchlang"));
  EXPECT_TRUE(md::syntax::has_lexer("ocaml"));
  EXPECT_FALSE(md::syntax::has_lexer("haskell"));
}

// The visible text of highlighted HTML (tags removed, the entities we write decoded).
std::string visible(std::string_view html) {
  std::string out;
  for (size_t i = 0; i < html.size();) {
    if (html[i] == '<') {
      i = html.find('>', i) + 1;
    } else if (html.substr(i).starts_with("&lt;")) {
      out += '<';
      i += 4;
    } else if (html.substr(i).starts_with("&gt;")) {
      out += '>';
      i += 4;
    } else if (html.substr(i).starts_with("&amp;")) {
      out += '&';
      i += 5;
    } else {
      out += html[i++];
    }
  }
  return out;
}

// Every lexer, fed every corpus document (Markdown prose, code, HTML: all hostile to some of
// them), gives back exactly the text it was given.
TEST(Highlight, NeverLosesText) {
  if (!fs::exists(MAYFLY_MD_CORPUS)) GTEST_SKIP();
  const char* langs[] = {"c",      "cpp",  "java", "go",      "rust",  "js",   "ts",
                         "python", "ruby", "sh",   "console", "ocaml", "html", "css",
                         "scss",   "yaml", "json", "toml",    "diff",  "sql",  "markdown"};
  int files = 0;
  for (const auto& entry : fs::directory_iterator(MAYFLY_MD_CORPUS)) {
    if (entry.path().extension() != ".md" || ++files > 20) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    for (const char* lang : langs) {
      ASSERT_EQ(visible(md::highlight(text.str(), lang)), text.str())
          << lang << " " << entry.path();
    }
  }
}

}  // namespace
