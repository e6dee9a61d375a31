#pragma once
// Where things live on the EFI System Partition of a mayfly disk image. The UEFI loader
// (uefi/loader.cc) opens the same paths; docs/image.md describes them.
namespace mayfly::image::esp {

inline constexpr const char* kLoaderPath = "EFI/BOOT/BOOTX64.EFI";  // removable-media path
inline constexpr const char* kKernelPath = "mayfly/kernel.elf";
inline constexpr const char* kBundlePath = "mayfly/site.mfb";
inline constexpr const char* kCmdlinePath = "mayfly/cmdline.txt";
// "key value" lines: flavour, kernel-version, mayfly-version, bundle-id.
inline constexpr const char* kManifestPath = "mayfly/image.txt";
// The Linux fallback flavour: Debian's kernel (a PE/EFI image) and mayfly's initramfs,
// which holds the bundle (linux_image.h); no kernel.elf and no site.mfb on the ESP.
inline constexpr const char* kLinuxKernelPath = "mayfly/vmlinuz";
inline constexpr const char* kInitrdPath = "mayfly/initrd.img";
inline constexpr const char* kInitrdBundlePath = "site.mfb";  // inside the initramfs

}  // namespace mayfly::image::esp
