#include "cli/kernel_path.h"

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>

#ifndef MAYFLY_KERNEL_BUILD_PATH
#define MAYFLY_KERNEL_BUILD_PATH ""
#endif

namespace mayfly::cli {
namespace fs = std::filesystem;

std::string find_kernel(const std::string& given, std::vector<std::string>& tried) {
  std::vector<fs::path> candidates;
  if (!given.empty()) {
    candidates.push_back(given);
  } else {
    if (const char* env = std::getenv("MAYFLY_KERNEL"); env && *env) candidates.push_back(env);
    std::error_code ec;
    fs::path self = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
      fs::path dir = self.parent_path();
      candidates.push_back(dir / "mayfly-kernel");
      candidates.push_back(dir / ".." / "lib" / "mayfly" / "mayfly-kernel");
      candidates.push_back(dir / ".." / "share" / "mayfly" / "mayfly-kernel");
    }
    if (*MAYFLY_KERNEL_BUILD_PATH) candidates.push_back(MAYFLY_KERNEL_BUILD_PATH);
  }
  for (const auto& candidate : candidates) {
    tried.push_back(candidate.string());
    struct stat info;
    if (::stat(candidate.c_str(), &info) == 0 && S_ISREG(info.st_mode)) {
      return fs::absolute(candidate).lexically_normal();
    }
  }
  return {};
}

}  // namespace mayfly::cli
