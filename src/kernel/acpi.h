#pragma once
// Just enough ACPI to find PCI Express's memory-mapped configuration space (ECAM): the
// RSDP (ACPI 6.5 §5.2.5), the RSDT/XSDT (§5.2.7, §5.2.8) and the MCFG table (PCI Firmware
// Specification 3.3 §4.1.2). Pure parsing over a reader of physical memory, so the same
// code is fuzzed on the host; every length, pointer and checksum is checked before use.
#include <cstddef>
#include <cstdint>

namespace mayfly::kernel {

// Copies `size` bytes of physical memory at `address` into `out`; false when that memory
// must not be read (outside what the caller maps).
using PhysicalReader = bool (*)(void* context, uint64_t address, void* out, size_t size);

struct EcamRegion {
  uint64_t base = 0;  // of bus `first_bus`
  uint16_t segment = 0;
  uint8_t first_bus = 0;
  uint8_t last_bus = 0;
};

enum class AcpiResult {
  Found,
  NoRsdp,      // no valid RSDP at the hint nor in the BIOS areas
  BadRoot,     // the RSDT/XSDT is unreadable or its checksum is wrong
  NoMcfg,      // no (valid) MCFG table: a machine without ECAM, e.g. QEMU's i440FX
  NoSegment0,  // an MCFG without a usable entry for segment 0, bus 0
};

const char* describe(AcpiResult result);

// `rsdp_hint`: the RSDP's address from the boot protocol (PVH start info, the UEFI
// configuration table), or 0 to search the EBDA and 0xE0000-0xFFFFF as on a PC BIOS.
AcpiResult find_ecam(PhysicalReader read, void* context, uint64_t rsdp_hint, EcamRegion& out);

}  // namespace mayfly::kernel
