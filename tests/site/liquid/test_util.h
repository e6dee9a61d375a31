// Helpers shared by the Liquid unit tests.
#pragma once

#include <string>
#include <string_view>

#include "site/liquid/liquid.h"

namespace mayfly::site::liquid::testing {

inline std::string render(std::string_view source, Value data = Hash{},
                          const Environment& env = Environment::standard()) {
  auto t = Template::parse(source, "test.html", env);
  Context ctx(std::move(data), env);
  return t->render(ctx);
}

// The LiquidError message of parsing and rendering `source`, or "" when it succeeds.
inline std::string error_of(std::string_view source, Value data = Hash{}) {
  try {
    render(source, std::move(data));
  } catch (const LiquidError& e) {
    return e.what();
  }
  return "";
}

}  // namespace mayfly::site::liquid::testing
