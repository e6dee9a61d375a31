#pragma once
// Where `mayfly image` finds the pieces it puts on a disk: the kernel and the UEFI loader
// are built beside the mayfly binary (build/mayfly-kernel, build/mayfly-uefi.efi).
#include <string>

namespace mayfly::image {

// The directory holding the running executable (from /proc/self/exe), with a trailing '/'.
std::string executable_dir();
// `explicit_path` when given, else executable_dir() + default_name. Throws
// std::runtime_error naming the path and how to build it when the file does not exist.
std::string find_artifact(const std::string& explicit_path, const std::string& default_name,
                          const std::string& build_hint);

}  // namespace mayfly::image
