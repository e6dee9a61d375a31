#pragma once
// Physical memory: the PVH memory map, a bump page allocator (pages are never freed: all
// allocation happens at boot), and the kernel's own 4-level page tables with W^X.
#include <cstddef>
#include <cstdint>

#include "kernel/pvh.h"

namespace mayfly::kernel {

struct Range {
  uint64_t start = 0;
  uint64_t end = 0;  // exclusive
};

// Reads the memory map (hvm_start_info version 1); `reserved` ranges (the bundle module)
// are never handed out. Panics when no usable RAM is found.
void memory_init(const HvmStartInfo& info, const Range* reserved, size_t reserved_count);

// Zeroed, page-aligned physical memory (identity mapped). Panics when memory runs out.
void* alloc_pages(size_t count);
// Bytes handed out so far (the allocator's high-water mark; it never shrinks) and the
// total usable RAM the map reported.
uint64_t allocated_bytes();
uint64_t usable_ram_bytes();

// Builds the final page tables and switches to them: text RX, rodata R, data/bss RW+NX,
// the page under the boot stack and page 0 unmapped, other RAM RW+NX, and the rest of
// the first 4 GiB as uncached device memory (RW+NX).
void paging_init();
// Maps device memory (uncached, RW+NX) anywhere in the 48-bit space, identity.
void map_mmio(uint64_t phys, uint64_t size);

}  // namespace mayfly::kernel
