#pragma once
// PCI configuration space: memory-mapped (ECAM) where ACPI's MCFG table describes it,
// else through the legacy ports 0xCF8/0xCFC.
#include <cstdint>

#include "kernel/acpi.h"

namespace mayfly::kernel {

struct PciAddress {
  uint8_t bus = 0, device = 0, function = 0;
};

// From now on configuration space of the buses in `region` is reached through it (the
// caller has mapped it); other buses and machines without MCFG use the ports.
void pci_use_ecam(const EcamRegion& region);
bool pci_uses_ecam();

uint32_t pci_read32(PciAddress a, uint8_t offset);
uint16_t pci_read16(PciAddress a, uint8_t offset);
uint8_t pci_read8(PciAddress a, uint8_t offset);
void pci_write32(PciAddress a, uint8_t offset, uint32_t v);
void pci_write16(PciAddress a, uint8_t offset, uint16_t v);

// Calls visit(address, vendor, device) for every function present; stops when it returns
// true and reports that address.
template <typename Visit>
bool pci_find(Visit visit, PciAddress& found) {
  for (unsigned bus = 0; bus < 256; ++bus) {
    for (uint8_t dev = 0; dev < 32; ++dev) {
      for (uint8_t fn = 0; fn < 8; ++fn) {
        PciAddress a{uint8_t(bus), dev, fn};
        uint32_t id = pci_read32(a, 0);
        if ((id & 0xFFFF) == 0xFFFF) {
          if (fn == 0) break;
          continue;
        }
        if (visit(a, uint16_t(id), uint16_t(id >> 16))) {
          found = a;
          return true;
        }
        if (fn == 0 && !(pci_read8(a, 0x0E) & 0x80)) break;  // not multi-function
      }
    }
  }
  return false;
}

// The base address of BAR n (memory or I/O; 64-bit BARs combined).
uint64_t pci_bar(PciAddress a, int n, bool* is_io = nullptr);
// Offset of the first capability with this id at or after `start` (0 = the list's head),
// or 0 if none.
uint8_t pci_find_capability(PciAddress a, uint8_t id, uint8_t start = 0);
// Enables memory and I/O decoding and bus mastering; disables legacy INTx.
void pci_enable(PciAddress a);

}  // namespace mayfly::kernel
