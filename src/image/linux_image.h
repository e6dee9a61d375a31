#pragma once
// The Linux fallback flavour (`mayfly image --kernel linux`, docs/image.md): Debian's
// kernel, started by mayfly's own UEFI loader through the kernel's EFI stub, with an
// initramfs mayfly writes (mayfly-init as /init, the network and NVMe modules, the bundle).
//
// For the deploy stage: fill LinuxImageInputs and call build_linux_disk_image(); the
// result is a raw disk like build_disk_image()'s, flavour "linux" in its manifest.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace mayfly::image {

// The kernel as scripts/install-deps linux leaves it: Debian's linux-image .deb extracted
// with dpkg-deb -x into a folder holding boot/vmlinuz-VERSION and lib/modules/VERSION/
// (modules.dep made by depmod -b).
struct LinuxKernel {
  std::string dir, version;
  std::vector<uint8_t> vmlinuz;
  std::string modules_dep, modules_builtin;
};

inline constexpr const char* kLinuxCacheRoot = "/var/cache/mayfly/linux";
inline constexpr const char* kLinuxDirEnv = "MAYFLY_LINUX_DIR";

// `explicit_dir`, else $MAYFLY_LINUX_DIR, else the last (by name) folder under
// /var/cache/mayfly/linux. Throws std::runtime_error saying how to fetch it.
std::string find_linux_dir(const std::string& explicit_dir);
LinuxKernel load_linux_kernel(const std::string& dir);

// What the initramfs loads: virtio-net (QEMU, most clouds), ENA (AWS Nitro), NVMe (Nitro's
// disks), with their dependencies from modules.dep.
const std::vector<std::string>& linux_wanted_modules();

// The newc initramfs: /dev/console, /proc, /sys, /init (0755), /lib/modules/*.ko with
// /lib/modules/load.txt (load order), /site.mfb. Deterministic (image/cpio.h).
std::vector<uint8_t> build_linux_initramfs(const LinuxKernel& kernel,
                                           const std::vector<uint8_t>& init, const uint8_t* bundle,
                                           size_t bundle_size, int64_t mtime);

// The Linux command line: the console words, then the user's (the unikernel's syntax).
std::string linux_cmdline(const std::string& user_cmdline);

struct LinuxImageInputs {
  std::vector<uint8_t> loader;  // mayfly-uefi.efi
  std::string kernel_dir;       // "" = find_linux_dir("")
  std::vector<uint8_t> init;    // mayfly-init (static)
  const uint8_t* bundle = nullptr;
  size_t bundle_size = 0;
  std::string cmdline = "ip=dhcp";  // the unikernel's words
  std::string mayfly_version;
  std::string bundle_id;  // 32 hex digits
  int64_t mtime = 0;      // SOURCE_DATE_EPOCH, or the bundle's creation time
};

// Throws std::invalid_argument / std::runtime_error with a message for people.
std::vector<uint8_t> build_linux_disk_image(const LinuxImageInputs& in);

}  // namespace mayfly::image
