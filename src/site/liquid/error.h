// Errors raised while parsing or rendering a template.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace mayfly::site::liquid {

// A position in a template source, 1-based.
struct Location {
  std::size_t line = 1;
  std::size_t col = 1;
};

// The error the host sees: what() is exactly "file:line:col: what is wrong".
class LiquidError : public std::runtime_error {
 public:
  LiquidError(std::string_view file, Location loc, std::string_view message)
      : std::runtime_error(std::string(file) + ":" + std::to_string(loc.line) + ":" +
                           std::to_string(loc.col) + ": " + std::string(message)),
        file_(file),
        loc_(loc),
        message_(message) {}
  const std::string& file() const { return file_; }
  Location location() const { return loc_; }
  // The message without the location prefix.
  const std::string& message() const { return message_; }

 private:
  std::string file_;
  Location loc_;
  std::string message_;
};

// Thrown by filters and value operations that do not know where they are; the node being
// rendered turns it into a LiquidError with its own location.
class RenderError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace mayfly::site::liquid
