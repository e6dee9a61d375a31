// Renders the real-world corpus with kramdown (as Jekyll configures it) and with mayfly, and
// compares visible text, heading ids, link targets and code block languages.
//   MAYFLY_MD_ORACLE_VERBOSE=1   print every difference
//   MAYFLY_MD_ORACLE_CACHE=DIR   keep kramdown's renderings in DIR and reuse them
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "normalize.h"
#include "site/markdown/render.h"

namespace md = mayfly::site::markdown;
namespace fs = std::filesystem;

namespace {

// The agreement we hold ourselves to (out of the 496 corpus documents).
constexpr int kMinimumAgreeing = MAYFLY_MD_ORACLE_MIN_AGREE;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// "NNNN.md reason" lines; '#' starts a comment.
std::map<std::string, std::string> read_allow_list(const fs::path& path) {
  std::map<std::string, std::string> out;
  std::istringstream in(read_file(path));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t space = line.find(' ');
    out[line.substr(0, space)] = space == std::string::npos ? "" : line.substr(space + 1);
  }
  return out;
}

bool have_kramdown() {
  return std::system("ruby -rkramdown -rkramdown-parser-gfm -rrouge -e 'exit 0' >/dev/null 2>&1") ==
         0;
}

}  // namespace

TEST(KramdownOracle, CorpusAgrees) {
  if (!have_kramdown()) {
    GTEST_SKIP() << "ruby with kramdown, kramdown-parser-gfm, rouge needed";
  }
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(MAYFLY_MD_CORPUS)) {
    if (entry.path().extension() == ".md") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_FALSE(files.empty());

  const char* cache = std::getenv("MAYFLY_MD_ORACLE_CACHE");
  fs::path out_dir;
  if (cache != nullptr) {
    out_dir = cache;
    fs::create_directories(out_dir);
  } else {
    std::string tmpl = (fs::temp_directory_path() / "mayfly-kramdown-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    out_dir = tmpl;
  }
  std::string command = "ruby '" MAYFLY_MD_ORACLE_SCRIPT "' '" + out_dir.string() + "'";
  size_t missing = 0;
  for (const auto& f : files) {
    if (cache != nullptr && fs::exists(out_dir / (f.stem().string() + ".html"))) continue;
    command += " '" + f.string() + "'";
    ++missing;
  }
  if (missing > 0) {
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
  }

  const auto allowed = read_allow_list(MAYFLY_MD_ALLOWLIST);
  const bool verbose = std::getenv("MAYFLY_MD_ORACLE_VERBOSE") != nullptr;
  int agree = 0;
  int identical = 0;  // byte for byte, for information
  std::vector<std::string> unexpected;
  std::vector<std::string> now_agreeing;
  for (const auto& f : files) {
    const std::string name = f.filename().string();
    const std::string expected_html = read_file(out_dir / (f.stem().string() + ".html"));
    const std::string actual_html = md::render(read_file(f));
    if (expected_html == actual_html) ++identical;
    const auto expected = md::testing::summarize(expected_html);
    const auto actual = md::testing::summarize(actual_html);
    if (expected == actual) {
      ++agree;
      if (allowed.count(name)) now_agreeing.push_back(name);
      continue;
    }
    if (verbose) {
      std::cout << name << " differs:\n" << md::testing::describe_difference(expected, actual);
    }
    if (!allowed.count(name)) {
      unexpected.push_back(name);
      if (!verbose) {
        std::cout << name << " differs:\n" << md::testing::describe_difference(expected, actual);
      }
    }
  }
  if (cache == nullptr) fs::remove_all(out_dir);

  std::cout << "kramdown oracle: " << agree << " of " << files.size() << " documents agree ("
            << identical << " byte for byte)\n";
  for (const auto& n : now_agreeing) {
    std::cout << "note: " << n << " agrees now; it can leave the allow-list\n";
  }
  EXPECT_GE(agree, kMinimumAgreeing);
  EXPECT_TRUE(unexpected.empty()) << unexpected.size()
                                  << " documents differ without an allow-list entry";
}
