// A comparable summary of an HTML rendering: visible text (whitespace collapsed, typographic
// characters normalized), heading ids, link targets and code block languages.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mayfly::site::markdown::testing {

struct Summary {
  std::string text;
  std::vector<std::string> heading_ids;
  std::vector<std::string> links;
  std::vector<std::string> code_languages;

  bool operator==(const Summary&) const = default;
};

Summary summarize(std::string_view html);

// A short human-readable description of how two summaries differ.
std::string describe_difference(const Summary& expected, const Summary& actual);

}  // namespace mayfly::site::markdown::testing
