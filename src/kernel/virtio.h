#pragma once
// virtio 1.x (OASIS virtio v1.1) transports and split virtqueues: the modern PCI transport
// (§4.1.4), the legacy PCI interface of transitional devices (§4.1.5 "Legacy Interfaces"),
// and virtio-mmio version 2 (§4.2.2).
#include <cstddef>
#include <cstdint>

#include "kernel/pci.h"

namespace mayfly::kernel {

namespace virtio_status {
constexpr uint8_t kAcknowledge = 1, kDriver = 2, kDriverOk = 4, kFeaturesOk = 8, kFailed = 128;
}
constexpr uint64_t kFeatureVersion1 = 1ull << 32;
constexpr uint16_t kNoVector = 0xFFFF;

// Split virtqueue (§2.6), laid out contiguously as the legacy interface requires:
// descriptors, available ring, then the used ring on the next 4 KiB boundary.
struct VirtqDesc {
  uint64_t addr;
  uint32_t len;
  uint16_t flags;
  uint16_t next;
};
constexpr uint16_t kDescWrite = 2;
struct VirtqUsedElem {
  uint32_t id;
  uint32_t len;
};

struct Virtqueue {
  uint16_t index = 0;
  uint16_t size = 0;
  VirtqDesc* desc = nullptr;
  volatile uint16_t* avail = nullptr;  // flags, idx, ring[size], used_event
  volatile uint16_t* used = nullptr;   // flags, idx, then elems
  uint16_t avail_idx = 0;              // free-running (never taken modulo size)
  uint16_t last_used = 0;

  // Allocates the rings for `queue_size` entries (a power of two).
  void allocate(uint16_t queue_index, uint16_t queue_size);
  uint64_t desc_addr() const { return reinterpret_cast<uint64_t>(desc); }
  uint64_t avail_addr() const { return reinterpret_cast<uint64_t>(avail); }
  uint64_t used_addr() const { return reinterpret_cast<uint64_t>(used); }
  // Publishes descriptor `id` on the available ring (write barrier before the index).
  void publish(uint16_t id);
  bool has_used() const;
  // Takes the next used element; call only when has_used().
  VirtqUsedElem take_used();
  // True unless the device asked not to be notified (VIRTQ_USED_F_NO_NOTIFY), after a full
  // barrier so the check sees the device's view after our index store.
  bool needs_notify() const;
};

class VirtioTransport {
 public:
  virtual ~VirtioTransport() = default;
  virtual const char* name() const = 0;
  virtual void reset() = 0;
  virtual uint8_t status() = 0;
  virtual void set_status(uint8_t s) = 0;
  virtual uint64_t device_features() = 0;
  virtual void set_driver_features(uint64_t f) = 0;
  virtual uint16_t queue_max(uint16_t q) = 0;
  virtual bool queue_size_fixed() const { return false; }
  // Tells the device where the rings are; `msix_entry` or kNoVector for no interrupt.
  virtual void setup_queue(Virtqueue& vq, uint16_t msix_entry) = 0;
  virtual void notify(uint16_t q) = 0;
  virtual uint8_t config8(uint32_t offset) = 0;
  // Acknowledges a pending interrupt (line-based transports); returns true if one was set.
  virtual bool ack_interrupt() { return false; }
  virtual bool legacy() const { return false; }
  // False when the device cannot interrupt us (PCI without MSI-X): the idle loop then
  // polls every millisecond instead of sleeping until the next timer.
  bool interrupts() const { return interrupts_; }
  void set_interrupts(bool on) { interrupts_ = on; }

 private:
  bool interrupts_ = true;
};

// Probes the PCI bus for a virtio-net device (modern 0x1041 or transitional 0x1000) and
// returns its transport with MSI-X entry 0 routed to kDeviceVector when available;
// nullptr if none. `force_legacy` uses the legacy interface of a transitional device.
VirtioTransport* probe_virtio_pci_net(bool force_legacy);
// virtio-mmio at `base`; nullptr unless it is a version-2 network device.
VirtioTransport* probe_virtio_mmio_net(uint64_t base, uint64_t size, uint32_t irq);
// QEMU's microvm without the devices on the command line (it describes them only in ACPI
// for PVH kernels): probes its virtio-mmio window (0xFEB00000, 512-byte slots) and derives
// each slot's GSI as microvm assigns them (24 + slot with the second I/O APIC, else 5 + slot).
VirtioTransport* probe_microvm_mmio_net();

}  // namespace mayfly::kernel
