// Runs the golden-liquid conformance suite (../shared/conformance/golden-liquid) against the
// engine. Cases for features Jekyll's Liquid (4.0.x) lacks are listed in golden_skip.txt.
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "site/liquid/liquid.h"

namespace mayfly::site::liquid {
namespace {

using Json = nlohmann::ordered_json;

Value to_value(const Json& j) {
  switch (j.type()) {
    case Json::value_t::null:
      return Value();
    case Json::value_t::boolean:
      return Value(j.get<bool>());
    case Json::value_t::number_integer:
      return Value(j.get<std::int64_t>());
    case Json::value_t::number_unsigned:
      return Value(static_cast<std::int64_t>(j.get<std::uint64_t>()));
    case Json::value_t::number_float:
      return Value(j.get<double>());
    case Json::value_t::string:
      return Value(j.get<std::string>());
    case Json::value_t::array: {
      Array a;
      for (const auto& e : j) a.push_back(to_value(e));
      return Value(std::move(a));
    }
    case Json::value_t::object: {
      Hash h;
      for (const auto& [k, v] : j.items()) h.set(k, to_value(v));
      return Value(std::move(h));
    }
    default:
      return Value();
  }
}

// "name :: reason" per line; '#' starts a comment line.
std::map<std::string, std::string> load_skips(const std::string& path) {
  std::map<std::string, std::string> skips;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto sep = line.find(" :: ");
    if (sep == std::string::npos) {
      skips[line] = "";
    } else {
      skips[line.substr(0, sep)] = line.substr(sep + 4);
    }
  }
  return skips;
}

struct Outcome {
  bool ok = false;
  std::string detail;
};

Outcome run_case(const Json& c) {
  Outcome o;
  const bool invalid = c.value("invalid", false);
  Json templates = c.contains("templates") ? c["templates"] : Json::object();
  Partials partials([templates](std::string_view name) -> std::optional<PartialSource> {
    std::string n(name);
    if (!templates.contains(n)) return std::nullopt;
    return PartialSource{templates[n].get<std::string>(), n};
  });
  std::string out;
  try {
    auto t = Template::parse(c["template"].get<std::string>(), "golden");
    Context ctx(c.contains("data") ? to_value(c["data"]) : Value(Hash{}));
    ctx.set_partials(&partials);
    out = t->render(ctx);
  } catch (const LiquidError& e) {
    if (invalid) {
      o.ok = true;
      return o;
    }
    o.detail = std::string("error: ") + e.what();
    return o;
  }
  if (invalid) {
    o.detail = "expected an error, rendered: " + Json(out).dump();
    return o;
  }
  if (c.contains("results")) {
    for (const auto& r : c["results"]) {
      if (r.get<std::string>() == out) o.ok = true;
    }
    if (!o.ok)
      o.detail = "rendered " + Json(out).dump() + ", expected one of " + c["results"].dump();
    return o;
  }
  std::string want = c["result"].get<std::string>();
  o.ok = out == want;
  if (!o.ok) o.detail = "rendered " + Json(out).dump() + ", expected " + Json(want).dump();
  return o;
}

TEST(GoldenLiquid, AllCasesPassExceptSkipped) {
  std::ifstream in(GOLDEN_LIQUID_JSON);
  ASSERT_TRUE(in) << "cannot open " << GOLDEN_LIQUID_JSON;
  Json suite = Json::parse(in);
  auto skips = load_skips(GOLDEN_SKIP_LIST);
  const auto& tests = suite["tests"];
  std::set<std::string> names;
  int passed = 0, skipped = 0, failed = 0, skipped_but_passing = 0;
  std::ostringstream failures;
  for (const auto& c : tests) {
    std::string name = c["name"].get<std::string>();
    names.insert(name);
    Outcome o = run_case(c);
    if (skips.count(name)) {
      ++skipped;
      if (o.ok) ++skipped_but_passing;
      continue;
    }
    if (o.ok) {
      ++passed;
    } else {
      ++failed;
      failures << "FAIL " << name << "\n  template: " << Json(c["template"]).dump() << "\n  "
               << o.detail << "\n";
    }
  }
  for (const auto& [name, reason] : skips) {
    EXPECT_TRUE(names.count(name)) << "skip list names an unknown case: " << name;
  }
  std::cout << failures.str();
  std::cout << "golden-liquid: " << passed << " passed, " << skipped << " skipped (of "
            << tests.size() << ")";
  if (skipped_but_passing) std::cout << "; " << skipped_but_passing << " skipped cases now pass";
  std::cout << "\n";
  EXPECT_EQ(failed, 0) << "golden-liquid cases failed (listed above)";
}

}  // namespace
}  // namespace mayfly::site::liquid
