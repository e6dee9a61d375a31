// Heading ids; the expected ids are kramdown's (GFM parser, auto_ids).
#include "site/markdown/heading_ids.h"

#include <gtest/gtest.h>

#include "site/markdown/render.h"

namespace md = mayfly::site::markdown;

TEST(GfmSlug, MatchesKramdown) {
  EXPECT_EQ(md::gfm_slug("Hello, World!"), "hello-world");
  EXPECT_EQ(md::gfm_slug("Ünïcode_x  tab\there"), "ünïcode_x--tab-here");
  EXPECT_EQ(md::gfm_slug("C++ & Rust: a\u2014b"), "c--rust-ab");
  EXPECT_EQ(md::gfm_slug("ΑΒΓ Кириллица"), "αβγ-кириллица");
  EXPECT_EQ(md::gfm_slug("日本語の見出し"), "日本語の見出し");
  EXPECT_EQ(md::gfm_slug("emoji \U0001F389 party"), "emoji--party");
  EXPECT_EQ(md::gfm_slug("under_score-dash"), "under_score-dash");
  EXPECT_EQ(md::gfm_slug("it\u2019s 2024"), "its-2024");
  EXPECT_EQ(md::gfm_slug("Ñandú ÀÉÎ"), "ñandú-àéî");
  EXPECT_EQ(md::gfm_slug("¿Qué? ¡Sí!"), "qué-sí");
  EXPECT_EQ(md::gfm_slug("x²"), "x");
}

TEST(HeadingIds, DuplicatesGetCounters) {
  md::HeadingIds ids;
  EXPECT_EQ(ids.next("Intro"), "intro");
  EXPECT_EQ(ids.next("Intro"), "intro-1");
  EXPECT_EQ(ids.next("intro"), "intro-2");
  EXPECT_EQ(ids.next("Other"), "other");
}

TEST(HeadingIds, InDocuments) {
  EXPECT_EQ(md::render("# A\n\n# A\n\n## A\n"),
            "<h1 id=\"a\">A</h1>\n\n<h1 id=\"a-1\">A</h1>\n\n<h2 id=\"a-2\">A</h2>\n");
  // Markup, code and links count with their text; images and raw HTML do not.
  EXPECT_EQ(md::render("## `x` [y](http://z) ![img](i.png) <b>w</b>\n"),
            "<h2 id=\"x-y--w\"><code class=\"language-plaintext highlighter-rouge\">x</code> "
            "<a href=\"http://z\">y</a> <img src=\"i.png\" alt=\"img\" /> <b>w</b></h2>\n");
  EXPECT_EQ(md::render("## Custom {#my-id}\n"), "<h2 id=\"my-id\">Custom</h2>\n");
  EXPECT_EQ(md::render("# ![logo](l.png)\n"), "<h1><img src=\"l.png\" alt=\"logo\" /></h1>\n");
}
