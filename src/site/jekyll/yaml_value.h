#pragma once
// YAML (yaml-cpp) to Liquid values, with the scalar typing Jekyll's YAML loader (Psych,
// YAML 1.1) applies: integers, floats, booleans (true/false/yes/no/on/off), null, and
// timestamps kept as text; quoted scalars stay strings.
#include <stdexcept>
#include <string>
#include <string_view>

#include "site/liquid/value.h"

namespace YAML {
class Node;
}

namespace mayfly::site {

// A problem in a file the user wrote, located for `file:line:col: message` output.
class SourceError : public std::runtime_error {
 public:
  SourceError(std::string file, int line, int col, std::string message)
      : std::runtime_error(file + ":" + std::to_string(line) + ":" + std::to_string(col) + ": " +
                           message) {}
};

liquid::Value yaml_to_value(const YAML::Node& node);

// Parses a YAML document; a syntax error throws SourceError at file:line:col, counting
// lines from first_line (front matter starts on line 2 of its file).
liquid::Value parse_yaml(std::string_view text, const std::string& file, int first_line = 1);

}  // namespace mayfly::site
