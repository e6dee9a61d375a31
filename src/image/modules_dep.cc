#include "image/modules_dep.h"

#include <map>
#include <set>
#include <sstream>

namespace mayfly::image {

std::string module_name(const std::string& path) {
  size_t slash = path.rfind('/');
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  size_t dot = base.find(".ko");
  if (dot != std::string::npos) base.resize(dot);
  for (char& c : base)
    if (c == '-') c = '_';
  return base;
}

std::string plan_modules(const std::string& modules_dep, const std::string& modules_builtin,
                         const std::vector<std::string>& wanted, ModulePlan& out) {
  out = ModulePlan{};
  std::map<std::string, std::pair<std::string, std::vector<std::string>>> by_name;
  std::istringstream dep(modules_dep);
  std::string line;
  size_t number = 0;
  while (std::getline(dep, line)) {
    ++number;
    if (line.empty()) continue;
    size_t colon = line.find(':');
    if (colon == std::string::npos || colon == 0)
      return "modules.dep line " + std::to_string(number) + ": no 'path:'";
    std::string path = line.substr(0, colon);
    std::vector<std::string> deps;
    std::istringstream rest(line.substr(colon + 1));
    for (std::string d; rest >> d;) deps.push_back(d);
    by_name[module_name(path)] = {path, deps};
  }
  std::set<std::string> builtin;
  std::istringstream b(modules_builtin);
  while (std::getline(b, line))
    if (!line.empty()) builtin.insert(module_name(line));

  std::set<std::string> seen;
  auto add = [&](const std::string& path) {
    if (seen.insert(path).second) out.load.push_back(path);
  };
  for (const std::string& w : wanted) {
    std::string name = module_name(w);
    if (builtin.count(name)) {
      out.builtin.push_back(name);
      continue;
    }
    auto it = by_name.find(name);
    if (it == by_name.end()) return "module " + w + " is neither in modules.dep nor built in";
    const auto& [path, deps] = it->second;
    for (auto d = deps.rbegin(); d != deps.rend(); ++d) add(*d);
    add(path);
  }
  return {};
}

}  // namespace mayfly::image
