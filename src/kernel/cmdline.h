#pragma once
// The kernel command line (PVH cmdline, QEMU -append), words separated by spaces:
//   ip=dhcp | ip=ADDR/PREFIX[,GATEWAY]   port=N   log=quiet|info|access|debug
//   panic=halt|reboot   memstats=SECONDS   virtio=legacy   selftest=wx|nx|stack|canary
//   virtio_mmio.device=SIZE@ADDRESS:IRQ (as QEMU microvm and Firecracker add them)
// Unknown words are reported and ignored.
#include <cstddef>
#include <cstdint>
#include <optional>

#include "net/iface/interface.h"

namespace mayfly::kernel {

struct MmioDevice {
  uint64_t base = 0, size = 0;
  uint32_t irq = 0;
};

struct KernelConfig {
  std::optional<net::Ipv4Config> static_ip;  // nullopt: DHCP
  uint16_t port = 80;
  bool access_log = false;
  bool reboot_on_panic = false;
  int64_t memstats_seconds = 0;  // 0: off
  bool force_legacy = false;
  // selftest=wx|nx|stack|canary: provoke that fault after boot (the kernel tests check the
  // panic each gives).
  char selftest[8] = {};
  MmioDevice mmio[8];
  size_t mmio_count = 0;
};

// Parses `cmdline`; a malformed value panics with the word that is wrong.
KernelConfig parse_cmdline(const char* cmdline);

}  // namespace mayfly::kernel
