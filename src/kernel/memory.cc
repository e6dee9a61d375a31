#include "kernel/memory.h"

#include <cstring>

#include "kernel/arch.h"
#include "kernel/console.h"
#include "kernel/panic.h"

extern "C" char __kernel_start[], __kernel_end[], __text_start[], __text_end[];
extern "C" char __rodata_start[], __rodata_end[], __data_start[];
extern "C" char boot_stack_guard[];

namespace mayfly::kernel {
namespace {

constexpr uint64_t kPage = 4096;
constexpr uint64_t kLargePage = 2 * 1024 * 1024;
constexpr uint64_t kFourGiB = 4ull << 30;

constexpr uint64_t kPresent = 1ull << 0;
constexpr uint64_t kWritable = 1ull << 1;
constexpr uint64_t kWriteThrough = 1ull << 3;
constexpr uint64_t kCacheDisable = 1ull << 4;
constexpr uint64_t kLarge = 1ull << 7;
constexpr uint64_t kNoExecute = 1ull << 63;
constexpr uint64_t kAddressMask = 0x000FFFFFFFFFF000ull;
constexpr uint64_t kUncached = kCacheDisable | kWriteThrough;

constexpr size_t kMaxRanges = 64;
Range g_ram[kMaxRanges];  // RAM from the memory map
size_t g_ram_count = 0;
Range g_free[kMaxRanges];  // RAM not holding the kernel or reserved ranges
size_t g_free_count = 0;
size_t g_free_index = 0;
uint64_t g_allocated = 0;
uint64_t g_usable = 0;
uint64_t* g_pml4 = nullptr;

uint64_t align_up(uint64_t v, uint64_t a) {
  return (v + a - 1) & ~(a - 1);
}
uint64_t align_down(uint64_t v, uint64_t a) {
  return v & ~(a - 1);
}

// Removes [cut.start, cut.end) from the free list.
void subtract(Range cut) {
  for (size_t i = 0; i < g_free_count; ++i) {
    Range r = g_free[i];
    if (cut.end <= r.start || cut.start >= r.end) continue;
    Range left{r.start, cut.start > r.start ? cut.start : r.start};
    Range right{cut.end < r.end ? cut.end : r.end, r.end};
    g_free[i] = left;  // may become empty
    if (right.end > right.start && g_free_count < kMaxRanges) g_free[g_free_count++] = right;
  }
}

bool is_ram(uint64_t start, uint64_t end) {
  for (size_t i = 0; i < g_ram_count; ++i)
    if (start >= g_ram[i].start && end <= g_ram[i].end) return true;
  return false;
}
bool touches_ram(uint64_t start, uint64_t end) {
  for (size_t i = 0; i < g_ram_count; ++i)
    if (start < g_ram[i].end && end > g_ram[i].start) return true;
  return false;
}

// The table one level down from entry, allocated on first use.
uint64_t* next_table(uint64_t* table, size_t index) {
  uint64_t e = table[index];
  if (e & kPresent) {
    if (e & kLarge) panic("paging: a large page is in the way at index %zu", index);
    return reinterpret_cast<uint64_t*>(e & kAddressMask);
  }
  auto* t = static_cast<uint64_t*>(alloc_pages(1));
  table[index] = reinterpret_cast<uint64_t>(t) | kPresent | kWritable;
  return t;
}

void map(uint64_t addr, uint64_t flags, bool large) {
  uint64_t* pdpt = next_table(g_pml4, (addr >> 39) & 511);
  uint64_t* pd = next_table(pdpt, (addr >> 30) & 511);
  if (large) {
    pd[(addr >> 21) & 511] = addr | flags | kLarge;
    return;
  }
  uint64_t* pt = next_table(pd, (addr >> 21) & 511);
  pt[(addr >> 12) & 511] = addr | flags;
}

bool is_mapped(uint64_t addr) {
  uint64_t e = g_pml4[(addr >> 39) & 511];
  if (!(e & kPresent)) return false;
  e = reinterpret_cast<uint64_t*>(e & kAddressMask)[(addr >> 30) & 511];
  if (!(e & kPresent)) return false;
  e = reinterpret_cast<uint64_t*>(e & kAddressMask)[(addr >> 21) & 511];
  if (!(e & kPresent)) return false;
  if (e & kLarge) return true;
  e = reinterpret_cast<uint64_t*>(e & kAddressMask)[(addr >> 12) & 511];
  return e & kPresent;
}

// Flags for one 4 KiB page of the first 2 MiB chunks, which hold the kernel image.
uint64_t small_page_flags(uint64_t a) {
  auto addr = [](const char* p) { return reinterpret_cast<uint64_t>(p); };
  if (a == 0) return 0;                                                  // null pointers fault
  if (a == addr(boot_stack_guard)) return 0;                             // stack overflow faults
  if (a >= addr(__text_start) && a < addr(__text_end)) return kPresent;  // RX
  if (a >= addr(__rodata_start) && a < addr(__rodata_end)) return kPresent | kNoExecute;
  if (a >= addr(__data_start) && a < addr(__kernel_end)) return kPresent | kWritable | kNoExecute;
  uint64_t f = kPresent | kWritable | kNoExecute;
  return is_ram(a, a + kPage) ? f : f | kUncached;
}

}  // namespace

void memory_init(const HvmStartInfo& info, const Range* reserved, size_t reserved_count) {
  if (info.version < 1 || info.memmap_paddr == 0 || info.memmap_entries == 0)
    panic("boot: hvm_start_info has no memory map (version %u; need version 1)", info.version);
  const auto* map = reinterpret_cast<const HvmMemmapEntry*>(info.memmap_paddr);
  for (uint32_t i = 0; i < info.memmap_entries && g_ram_count < kMaxRanges; ++i) {
    KLOG(kDebug, "memmap: %016llx-%016llx type %u\n", (unsigned long long)map[i].addr,
         (unsigned long long)(map[i].addr + map[i].size), map[i].type);
    if (map[i].type != kMemmapRam || map[i].size == 0) continue;
    g_ram[g_ram_count++] = {map[i].addr, map[i].addr + map[i].size};
  }
  for (size_t i = 0; i < g_ram_count; ++i) {
    Range r{align_up(g_ram[i].start, kPage), align_down(g_ram[i].end, kPage)};
    if (r.end > r.start) g_free[g_free_count++] = r;
  }
  // Low memory (BIOS data, the start info) and the kernel image are never handed out.
  subtract({0, align_up(reinterpret_cast<uint64_t>(__kernel_end), kPage)});
  for (size_t i = 0; i < reserved_count; ++i)
    subtract({align_down(reserved[i].start, kPage), align_up(reserved[i].end, kPage)});
  for (size_t i = 0; i < g_free_count; ++i) g_usable += g_free[i].end - g_free[i].start;
  if (g_usable == 0) panic("boot: the memory map holds no usable RAM above the kernel");
}

void* alloc_pages(size_t count) {
  uint64_t bytes = count * kPage;
  for (; g_free_index < g_free_count; ++g_free_index) {
    Range& r = g_free[g_free_index];
    if (r.end - r.start < bytes) continue;
    uint64_t p = r.start;
    // The boot tables map only the first 4 GiB until paging_init has run.
    if (g_pml4 == nullptr && p + bytes > kFourGiB) continue;
    r.start += bytes;
    g_allocated += bytes;
    memset(reinterpret_cast<void*>(p), 0, bytes);
    return reinterpret_cast<void*>(p);
  }
  panic("out of memory: %zu pages wanted, %llu KiB allocated of %llu KiB", count,
        (unsigned long long)(g_allocated / 1024), (unsigned long long)(g_usable / 1024));
}

uint64_t allocated_bytes() {
  return g_allocated;
}
uint64_t usable_ram_bytes() {
  return g_usable;
}

void paging_init() {
  g_pml4 = static_cast<uint64_t*>(alloc_pages(1));
  const uint64_t kernel_chunks_end = align_up(reinterpret_cast<uint64_t>(__kernel_end), kLargePage);
  for (uint64_t a = 0; a < kFourGiB; a += kLargePage) {
    const uint64_t end = a + kLargePage;
    if (a < kernel_chunks_end || (touches_ram(a, end) && !is_ram(a, end))) {
      for (uint64_t p = a; p < end; p += kPage) {
        uint64_t f = small_page_flags(p);
        if (f) map(p, f, false);
      }
    } else {
      uint64_t f = kPresent | kWritable | kNoExecute;
      map(a, is_ram(a, end) ? f : f | kUncached, true);
    }
  }
  // RAM above 4 GiB (large guests): 2 MiB pages where whole, 4 KiB at the edges.
  for (size_t i = 0; i < g_ram_count; ++i) {
    for (uint64_t p = align_down(g_ram[i].start, kPage); p < g_ram[i].end; p += kPage) {
      if (p < kFourGiB) {
        p = kFourGiB - kPage;
        continue;
      }
      bool large = (p % kLargePage) == 0 && p + kLargePage <= g_ram[i].end;
      map(p, kPresent | kWritable | kNoExecute, large);
      if (large) p += kLargePage - kPage;
    }
  }
  write_cr3(reinterpret_cast<uint64_t>(g_pml4));
}

void map_mmio(uint64_t phys, uint64_t size) {
  for (uint64_t p = align_down(phys, kPage); p < phys + size; p += kPage)
    if (!is_mapped(p)) map(p, kPresent | kWritable | kNoExecute | kUncached, false);
  write_cr3(read_cr3());  // flush the TLB of any stale "not present"
}

}  // namespace mayfly::kernel
