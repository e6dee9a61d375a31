#include "image/site_disk.h"

#include <fstream>
#include <iterator>
#include <stdexcept>

#include "core/version.h"
#include "image/artifacts.h"
#include "image/disk_image.h"
#include "image/linux_image.h"

namespace mayfly::image {

std::vector<uint8_t> read_file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  if (in.bad()) throw std::runtime_error(path + ": read error");
  return bytes;
}

std::vector<uint8_t> build_site_disk(const SiteDiskInputs& in) {
  std::vector<uint8_t> loader = read_file_bytes(find_artifact(
      in.loader_file, "mayfly-uefi.efi", "build it: cmake --build build --target mayfly-uefi"));
  if (in.flavour == "linux") {
    if (!in.kernel_file.empty())
      throw std::runtime_error(
          "--kernel-file is for the mayfly flavour; with --kernel linux give --linux-dir");
    LinuxImageInputs lin;
    lin.loader = std::move(loader);
    lin.kernel_dir = find_linux_dir(in.linux_dir);
    lin.init = read_file_bytes(find_artifact(in.init_file, "mayfly-init",
                                             "build it: cmake --build build --target mayfly-init"));
    lin.bundle = in.bundle;
    lin.bundle_size = in.bundle_size;
    lin.cmdline = in.cmdline;
    lin.mayfly_version = MAYFLY_VERSION;
    lin.bundle_id = in.bundle_id;
    lin.mtime = in.mtime;
    return build_linux_disk_image(lin);
  }
  if (in.flavour != "mayfly") {
    throw std::invalid_argument("unknown kernel flavour '" + in.flavour + "' (mayfly, linux)");
  }
  DiskSpec spec;
  spec.loader = std::move(loader);
  spec.kernel = read_file_bytes(find_artifact(
      in.kernel_file, "mayfly-kernel", "build it: cmake --build build --target mayfly-kernel"));
  spec.bundle = in.bundle;
  spec.bundle_size = in.bundle_size;
  spec.cmdline = in.cmdline;
  spec.flavour = "mayfly";
  spec.kernel_version = MAYFLY_VERSION;
  spec.mayfly_version = MAYFLY_VERSION;
  spec.bundle_id = in.bundle_id;
  spec.mtime = in.mtime;
  return build_disk_image(spec);
}

}  // namespace mayfly::image
