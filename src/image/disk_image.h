#pragma once
// A bootable mayfly disk: a GPT disk with one EFI System Partition holding the UEFI
// loader, the kernel, the site bundle, the kernel command line and a manifest. The same
// inputs give the same bytes: GUIDs and the volume serial derive from a hash of the
// contents, every timestamp is `mtime`.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "image/fat.h"
#include "image/gpt.h"

namespace mayfly::image {

struct DiskSpec {
  std::vector<uint8_t> loader;      // BOOTX64.EFI (PE32+)
  std::vector<uint8_t> kernel;      // the kernel ELF (PVH); flavour "linux": vmlinuz (PE/EFI)
  std::vector<uint8_t> initrd;      // flavour "linux" only: the initramfs (holds the bundle)
  const uint8_t* bundle = nullptr;  // flavour "mayfly": the bundle, a file on the ESP
  size_t bundle_size = 0;
  std::string cmdline;
  std::string flavour = "mayfly";
  std::string kernel_version;
  std::string mayfly_version;
  std::string bundle_id;  // 32 hex digits
  int64_t mtime = 0;      // SOURCE_DATE_EPOCH, or the bundle's creation time
};

// The first LBA of the ESP (32 KiB, 4 KiB-aligned); the disk is padded to 64 KiB.
inline constexpr uint64_t kEspFirstLba = 64;
inline constexpr uint64_t kDiskAlignment = 64 * 1024;

// Throws std::invalid_argument / std::runtime_error with a message for people.
std::vector<uint8_t> build_disk_image(const DiskSpec& spec);

struct ImageFile {
  std::string path;
  uint64_t size = 0;
  bool directory = false;
};

struct ImageReport {
  uint64_t image_bytes = 0;
  GptInfo gpt;
  GptPartition esp;
  FatType fat_type = FatType::Fat16;
  uint32_t cluster_bytes = 0;
  std::string volume_label;
  std::vector<ImageFile> files;
  std::string flavour, kernel_version, mayfly_version, cmdline;
  std::string bundle_id;  // read from the bundle itself
  uint64_t kernel_bytes = 0, bundle_bytes = 0, loader_bytes = 0, initrd_bytes = 0;
};

// Checks the disk image data[0..size) all the way down (GPT, FAT, the files' presence and
// formats, the bundle's checksum). Returns "" when it is sound, else the damage.
std::string inspect_disk_image(const uint8_t* data, size_t size, ImageReport& out);

// True when the bytes start like a GPT disk (an MBR signature and "EFI PART" in LBA 1).
bool looks_like_disk_image(const uint8_t* data, size_t size);

}  // namespace mayfly::image
