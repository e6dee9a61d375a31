// Fuzzes the FAT reader and the whole-image inspection. A FAT16 volume is at least 2 MiB,
// so the input is the volume's first bytes and the rest (up to what the boot sector
// declares, at most 8 MiB) reads as zeros: small seeds stand for whole volumes.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "core/bytes.h"
#include "image/disk_image.h"
#include "image/fat.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  std::vector<uint8_t> vol(data + 1, data + size);
  if (data[0] & 1) {  // the same bytes as a whole disk image
    mayfly::image::ImageReport r;
    mayfly::image::inspect_disk_image(vol.data(), vol.size(), r);
    return 0;
  }
  if (vol.size() >= 512) {
    uint64_t total = mayfly::load_le16(vol.data() + 19);
    if (total == 0) total = mayfly::load_le32(vol.data() + 32);
    uint64_t bytes = total * std::max<uint16_t>(512, mayfly::load_le16(vol.data() + 11));
    if (bytes > vol.size() && bytes <= (8u << 20)) vol.resize(bytes, 0);
  }
  mayfly::image::FatVolume fs;
  if (!fs.open(vol.data(), vol.size()).empty()) return 0;
  uint64_t sum = 0;
  for (const auto& e : fs.entries()) {
    if (fs.find(e.path) == nullptr) __builtin_trap();
    std::vector<uint8_t> bytes = fs.read(e);
    if (!e.directory && bytes.size() != e.size) __builtin_trap();
    for (uint8_t b : bytes) sum += b;
  }
  volatile uint64_t sink = sum;
  (void)sink;
  return 0;
}
