// The kernel's ACPI table walk (src/kernel/acpi.cc) on the host, over arbitrary "physical
// memory": the input is placed at the BIOS area 0xE0000, where the RSDP search looks, and
// every other address reads as absent. Looks for out-of-bounds reads, overflows in the
// length and pointer arithmetic, and hangs.
#include <cstdint>
#include <cstring>

#include "kernel/acpi.h"

namespace {

struct Window {
  const uint8_t* data;
  size_t size;
};
constexpr uint64_t kBase = 0xE0000;

bool read_window(void* context, uint64_t address, void* out, size_t size) {
  const auto* window = static_cast<const Window*>(context);
  if (address < kBase || address - kBase > window->size ||
      size > window->size - (address - kBase)) {
    return false;
  }
  std::memcpy(out, window->data + (address - kBase), size);
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  // The first byte chooses a hint inside the window (or none), as a boot protocol gives.
  uint64_t hint = data[0] == 0 ? 0 : kBase + (uint64_t(data[0]) * 16) % (size - 1);
  Window window{data + 1, size - 1};
  mayfly::kernel::EcamRegion region;
  mayfly::kernel::find_ecam(read_window, &window, hint, region);
  return 0;
}
