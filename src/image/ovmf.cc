#include "image/ovmf.h"

#include <filesystem>
#include <stdexcept>

namespace mayfly::image {

std::vector<std::string> ovmf_qemu_args(const std::string& image_path, const std::string& workdir) {
  namespace fs = std::filesystem;
  // Debian 12 ships 2 MiB and 4 MiB builds; code and variables must come from the same one.
  static const char* const kPairs[][2] = {
      {"/usr/share/OVMF/OVMF_CODE.fd", "/usr/share/OVMF/OVMF_VARS.fd"},
      {"/usr/share/OVMF/OVMF_CODE_4M.fd", "/usr/share/OVMF/OVMF_VARS_4M.fd"},
  };
  for (const auto& pair : kPairs) {
    std::error_code ec;
    if (!fs::is_regular_file(pair[0], ec) || !fs::is_regular_file(pair[1], ec)) continue;
    std::string vars = workdir + "/OVMF_VARS.fd";
    fs::copy_file(pair[1], vars, fs::copy_options::overwrite_existing, ec);
    if (ec) throw std::runtime_error(vars + ": " + ec.message());
    return {"-drive",  std::string("if=pflash,format=raw,readonly=on,file=") + pair[0],
            "-drive",  "if=pflash,format=raw,file=" + vars,
            "-drive",  "if=none,id=disk0,format=raw,file=" + image_path,
            "-device", "virtio-blk-pci,drive=disk0"};
  }
  throw std::runtime_error(
      "OVMF (UEFI firmware for QEMU) not found in /usr/share/OVMF: install Debian's ovmf "
      "package (scripts/install-deps build)");
}

}  // namespace mayfly::image
