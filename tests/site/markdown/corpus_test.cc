// Every real-world corpus document renders without crashing (run under the sanitizers too).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "site/markdown/render.h"

namespace md = mayfly::site::markdown;
namespace fs = std::filesystem;

TEST(Corpus, EveryDocumentRenders) {
  if (!fs::exists(MAYFLY_MD_CORPUS)) GTEST_SKIP() << "no corpus at " << MAYFLY_MD_CORPUS;
  int rendered = 0;
  for (const auto& entry : fs::directory_iterator(MAYFLY_MD_CORPUS)) {
    if (entry.path().extension() != ".md") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    const std::string html = md::render(text.str());
    EXPECT_FALSE(text.str().find_first_not_of(" \t\r\n") != std::string::npos && html.empty())
        << entry.path();
    ++rendered;
  }
  EXPECT_GT(rendered, 0);
}

TEST(Corpus, HostileInputs) {
  const char* inputs[] = {
      "",
      "[^",
      "[^]: x",
      "<div>",
      "</div>",
      "```",
      "~~~\n",
      "| a |\n|",
      "* [ ] ",
      "#",
      "\0\0\0",
      "<details>\n\n# x\n",
      "x\n---\n---\n---",
      "[a]: <",
      "![x](",
      "```c\n\"unterminated\n/* open\n",
      "```ruby\n\"#{\n",
      "```sh\n$",
      "```yaml\n- |\n",
  };
  for (const char* input : inputs) {
    EXPECT_NO_THROW(md::render(input));
  }
  std::string deep(5000, '>');
  EXPECT_NO_THROW(md::render(deep + " x\n"));
  // Nesting far beyond any real document is flattened to text: no stack overflow, and the
  // output stays proportional to the input.
  std::string deeper;
  for (int i = 0; i < 100000; ++i) deeper += "> ";
  const std::string html = md::render(deeper + "x\n");
  EXPECT_NE(html.find('x'), std::string::npos);
  EXPECT_LT(html.size(), 200000u);
  std::string nested;
  for (int i = 0; i < 300; ++i) nested += std::string(static_cast<size_t>(i) * 2, ' ') + "- x\n";
  EXPECT_NO_THROW(md::render(nested));
}
