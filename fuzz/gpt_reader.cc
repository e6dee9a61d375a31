// Fuzzes the GPT reader. CRCs would reject nearly every mutation before the structural
// checks, so half the time the primary and backup header and array CRCs are recomputed.
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/bytes.h"
#include "image/crc32.h"
#include "image/gpt.h"

namespace {

void reseal(std::vector<uint8_t>& d, uint64_t lba) {
  if (lba >= d.size() / 512) return;
  uint8_t* h = d.data() + lba * 512;
  uint32_t hsize = mayfly::load_le32(h + 12);
  uint64_t entries = mayfly::load_le64(h + 72);
  uint64_t array = uint64_t(mayfly::load_le32(h + 80)) * mayfly::load_le32(h + 84);
  if (entries < d.size() / 512 && array <= d.size() - entries * 512)
    mayfly::store_le32(h + 88, mayfly::image::crc32(d.data() + entries * 512, array));
  if (hsize >= 92 && hsize <= 512) {
    mayfly::store_le32(h + 16, 0);
    mayfly::store_le32(h + 16, mayfly::image::crc32(h, hsize));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::vector<uint8_t> disk(data + 1, data + size);
  if (data[0] & 1) {
    reseal(disk, 1);
    if (disk.size() >= 1024) reseal(disk, mayfly::load_le64(disk.data() + 512 + 32));
  }
  mayfly::image::GptInfo info;
  if (!mayfly::image::read_gpt(disk.data(), disk.size(), info).empty()) return 0;
  for (const auto& p : info.partitions)
    if (p.first_lba > p.last_lba || p.last_lba > info.last_usable) __builtin_trap();
  return 0;
}
