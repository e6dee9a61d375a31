#pragma once
// Which kernel modules to load, in which order, from the kernel's modules.dep (depmod(8)
// format: "path: dep dep …", each line listing all dependencies, the first to be loaded
// last — modprobe inserts them from the end of the list) and modules.builtin (one path a
// line: modules compiled into the kernel, never loaded).
#include <string>
#include <vector>

namespace mayfly::image {

struct ModulePlan {
  std::vector<std::string> load;     // paths relative to lib/modules/VERSION, in load order
  std::vector<std::string> builtin;  // wanted names built into the kernel
};

// Module names compare with '-' and '_' alike (kmod's rule): "nvme-core" is "nvme_core".
std::string module_name(const std::string& path);

// Resolves `wanted` module names. Returns "" or the problem (a wanted name that is neither
// in modules.dep nor built in, a malformed line).
std::string plan_modules(const std::string& modules_dep, const std::string& modules_builtin,
                         const std::vector<std::string>& wanted, ModulePlan& out);

}  // namespace mayfly::image
