#pragma once
// The PVH boot protocol's start info (Xen's public/arch-x86/hvm/start_info.h, version 1).
#include <cstdint>

namespace mayfly::kernel {

constexpr uint32_t kHvmStartMagic = 0x336ec578;

struct HvmStartInfo {
  uint32_t magic;
  uint32_t version;  // 1 adds memmap_paddr / memmap_entries
  uint32_t flags;
  uint32_t nr_modules;
  uint64_t modlist_paddr;
  uint64_t cmdline_paddr;  // NUL-terminated
  uint64_t rsdp_paddr;
  uint64_t memmap_paddr;
  uint32_t memmap_entries;
  uint32_t reserved;
};

struct HvmModlistEntry {
  uint64_t paddr;
  uint64_t size;
  uint64_t cmdline_paddr;
  uint64_t reserved;
};

struct HvmMemmapEntry {
  uint64_t addr;
  uint64_t size;
  uint32_t type;  // 1 = RAM (E820 types)
  uint32_t reserved;
};

constexpr uint32_t kMemmapRam = 1;

}  // namespace mayfly::kernel
