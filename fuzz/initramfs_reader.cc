// Fuzzes what `mayfly inspect` parses in a Linux-flavour image beyond GPT and FAT: the
// initramfs (cpio newc reader) and the module planner over modules.dep / modules.builtin
// text. The first byte splits the input between the two.
#include <cstdint>
#include <string>
#include <vector>

#include "image/cpio.h"
#include "image/modules_dep.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  if (data[0] & 1) {
    std::vector<mayfly::image::CpioMember> members;
    if (mayfly::image::read_cpio(data + 1, size - 1, members).empty())
      for (const auto& m : members)
        if (m.offset > size - 1 || m.size > size - 1 - m.offset) __builtin_trap();
  } else {
    std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
    size_t split = text.find('\f');
    std::string dep = text.substr(0, split);
    std::string builtin = split == std::string::npos ? "" : text.substr(split + 1);
    mayfly::image::ModulePlan plan;
    mayfly::image::plan_modules(dep, builtin, {"virtio_net", "nvme", "ena"}, plan);
  }
  return 0;
}
