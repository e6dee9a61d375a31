#include "image/artifacts.h"

#include <filesystem>
#include <stdexcept>

namespace mayfly::image {

std::string executable_dir() {
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "./";
  return exe.parent_path().string() + "/";
}

std::string find_artifact(const std::string& explicit_path, const std::string& default_name,
                          const std::string& build_hint) {
  std::string path = explicit_path.empty() ? executable_dir() + default_name : explicit_path;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw std::runtime_error(path + ": not found" +
                             (explicit_path.empty() ? " (" + build_hint + ")" : std::string()));
  return path;
}

}  // namespace mayfly::image
