#pragma once
// The initramfs format Linux unpacks: cpio "newc" (SVR4 with no CRC, magic "070701";
// Linux's Documentation/driver-api/early-userspace/buffer-format.rst). mayfly writes it
// itself, deterministically: entries in the caller's order, inode numbers 1, 2, … in that
// order, uid/gid 0, nlink 1 (2 for directories), every mtime the same.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace mayfly::image {

struct CpioEntry {
  std::string path;   // without a leading '/', e.g. "lib/modules/load.txt"
  uint32_t mode = 0;  // file type and permission bits, e.g. 0100755
  const uint8_t* data = nullptr;
  size_t size = 0;
  uint32_t rdev_major = 0, rdev_minor = 0;  // character and block devices
};

inline constexpr uint32_t kCpioDir = 0040000, kCpioFile = 0100000, kCpioCharDev = 0020000;

// The archive, ending with the TRAILER!!! entry.
std::vector<uint8_t> write_cpio(const std::vector<CpioEntry>& entries, int64_t mtime);

struct CpioMember {
  std::string path;
  uint32_t mode = 0;
  size_t offset = 0, size = 0;  // the data, within the archive
};

// Reads a newc archive up to its trailer; every field and size is checked against the
// buffer. Returns "" or what is wrong.
std::string read_cpio(const uint8_t* data, size_t size, std::vector<CpioMember>& out);

}  // namespace mayfly::image
