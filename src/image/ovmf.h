#pragma once
// Booting a disk image under QEMU with OVMF, Debian's UEFI firmware for virtual machines
// (package ovmf), for `mayfly run site.img` and the tests.
#include <string>
#include <vector>

namespace mayfly::image {

// QEMU options that boot `image_path` (a raw GPT disk) through OVMF on a q35 machine:
// the firmware code read-only, a private copy of the variable store (written to during
// boot) made in `workdir`, and the disk as a virtio-blk device. They replace -kernel,
// -initrd and -append; the network and console options stay as they are. Throws
// std::runtime_error when OVMF is not installed.
std::vector<std::string> ovmf_qemu_args(const std::string& image_path, const std::string& workdir);

}  // namespace mayfly::image
