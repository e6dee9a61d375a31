#pragma once
// The PVH start info the loader hands the kernel (Xen's public/arch-x86/hvm/start_info.h,
// version 1), the same layout as src/kernel/pvh.h, declared here for the loader's build.
#include <stdint.h>

namespace pvh {

constexpr uint32_t kStartMagic = 0x336ec578;

struct StartInfo {
  uint32_t magic;
  uint32_t version;
  uint32_t flags;
  uint32_t nr_modules;
  uint64_t modlist_paddr;
  uint64_t cmdline_paddr;
  uint64_t rsdp_paddr;
  uint64_t memmap_paddr;
  uint32_t memmap_entries;
  uint32_t reserved;
};

struct ModlistEntry {
  uint64_t paddr;
  uint64_t size;
  uint64_t cmdline_paddr;
  uint64_t reserved;
};

struct MemmapEntry {
  uint64_t addr;
  uint64_t size;
  uint32_t type;
  uint32_t reserved;
};

// E820 address range types (ACPI 6.5 §15.3).
constexpr uint32_t kE820Ram = 1;
constexpr uint32_t kE820Reserved = 2;
constexpr uint32_t kE820Acpi = 3;
constexpr uint32_t kE820Nvs = 4;
constexpr uint32_t kE820Unusable = 5;
constexpr uint32_t kE820Pmem = 7;

static_assert(sizeof(StartInfo) == 56);
static_assert(sizeof(ModlistEntry) == 32);
static_assert(sizeof(MemmapEntry) == 24);

}  // namespace pvh
