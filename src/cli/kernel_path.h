#pragma once
// Where mayfly's kernel is: an explicit path, $MAYFLY_KERNEL, next to this binary, an
// install's lib/mayfly or share/mayfly, then the build directory this binary came from.
#include <string>
#include <vector>

namespace mayfly::cli {

// The kernel's absolute path, or "" (then `tried` lists every place looked at).
std::string find_kernel(const std::string& given, std::vector<std::string>& tried);

}  // namespace mayfly::cli
