#include "kernel/pci.h"

#include "kernel/arch.h"

namespace mayfly::kernel {
namespace {

void select(PciAddress a, uint8_t offset) {
  outl(0xCF8, 0x80000000u | (uint32_t(a.bus) << 16) | (uint32_t(a.device) << 11) |
                  (uint32_t(a.function) << 8) | (offset & 0xFC));
}

EcamRegion ecam;  // base 0: none, the ports are used

// The function's 4 KiB of ECAM (PCI Express Base Specification §7.2.2), or 0 when the
// bus is outside the window.
uintptr_t ecam_address(PciAddress a, uint8_t offset) {
  if (ecam.base == 0 || a.bus < ecam.first_bus || a.bus > ecam.last_bus) return 0;
  return uintptr_t(ecam.base + (uint64_t(a.bus - ecam.first_bus) << 20) +
                   (uint64_t(a.device) << 15) + (uint64_t(a.function) << 12) + (offset & 0xFC));
}

}  // namespace

void pci_use_ecam(const EcamRegion& region) {
  ecam = region;
}

bool pci_uses_ecam() {
  return ecam.base != 0;
}

uint32_t pci_read32(PciAddress a, uint8_t offset) {
  if (uintptr_t at = ecam_address(a, offset)) return mmio_read<uint32_t>(at);
  select(a, offset);
  return inl(0xCFC);
}
uint16_t pci_read16(PciAddress a, uint8_t offset) {
  return uint16_t(pci_read32(a, offset) >> ((offset & 2) * 8));
}
uint8_t pci_read8(PciAddress a, uint8_t offset) {
  return uint8_t(pci_read32(a, offset) >> ((offset & 3) * 8));
}
void pci_write32(PciAddress a, uint8_t offset, uint32_t v) {
  if (uintptr_t at = ecam_address(a, offset)) return mmio_write<uint32_t>(at, v);
  select(a, offset);
  outl(0xCFC, v);
}
void pci_write16(PciAddress a, uint8_t offset, uint16_t v) {
  if (uintptr_t at = ecam_address(a, offset)) {
    return mmio_write<uint16_t>(at + (offset & 2), v);
  }
  select(a, offset);
  outw(uint16_t(0xCFC + (offset & 2)), v);
}

uint64_t pci_bar(PciAddress a, int n, bool* is_io) {
  uint8_t off = uint8_t(0x10 + 4 * n);
  uint32_t lo = pci_read32(a, off);
  if (lo & 1) {
    if (is_io) *is_io = true;
    return lo & ~3u;
  }
  if (is_io) *is_io = false;
  uint64_t addr = lo & ~0xFu;
  if (((lo >> 1) & 3) == 2) addr |= uint64_t(pci_read32(a, uint8_t(off + 4))) << 32;
  return addr;
}

uint8_t pci_find_capability(PciAddress a, uint8_t id, uint8_t start) {
  if (!(pci_read16(a, 0x06) & 0x10)) return 0;  // no capability list
  uint8_t p = start ? pci_read8(a, uint8_t(start + 1)) : pci_read8(a, 0x34);
  for (int guard = 0; p != 0 && guard < 48; ++guard) {
    p &= 0xFC;
    if (pci_read8(a, p) == id) return p;
    p = pci_read8(a, uint8_t(p + 1));
  }
  return 0;
}

void pci_enable(PciAddress a) {
  uint16_t cmd = pci_read16(a, 0x04);
  cmd |= 0x0007;    // I/O space, memory space, bus master
  cmd |= 1u << 10;  // INTx disabled: MSI-X or polling
  pci_write16(a, 0x04, cmd);
}

}  // namespace mayfly::kernel
