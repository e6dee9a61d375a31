#include "kernel/virtio.h"

#include <new>

#include "kernel/arch.h"
#include "kernel/console.h"
#include "kernel/interrupts.h"
#include "kernel/memory.h"
#include "kernel/panic.h"

namespace mayfly::kernel {

// ---- Split virtqueue

void Virtqueue::allocate(uint16_t queue_index, uint16_t queue_size) {
  index = queue_index;
  size = queue_size;
  size_t desc_bytes = 16u * size;
  size_t avail_bytes = 6u + 2u * size;
  size_t first = (desc_bytes + avail_bytes + 4095) & ~size_t(4095);
  size_t used_bytes = 6u + 8u * size;
  size_t pages = (first + used_bytes + 4095) / 4096;
  auto* base = static_cast<uint8_t*>(alloc_pages(pages));
  desc = reinterpret_cast<VirtqDesc*>(base);
  avail = reinterpret_cast<volatile uint16_t*>(base + desc_bytes);
  used = reinterpret_cast<volatile uint16_t*>(base + first);
}

void Virtqueue::publish(uint16_t id) {
  avail[2 + (avail_idx & (size - 1))] = id;
  compiler_barrier();  // the ring entry before the index (§2.7.13: a write barrier)
  ++avail_idx;
  avail[1] = avail_idx;
}

bool Virtqueue::has_used() const {
  return used[1] != last_used;
}

VirtqUsedElem Virtqueue::take_used() {
  compiler_barrier();  // read the index before the element (a read barrier on x86)
  auto* elems = reinterpret_cast<volatile uint32_t*>(used + 2);
  size_t i = last_used & (size - 1);
  VirtqUsedElem e{elems[2 * i], elems[2 * i + 1]};
  ++last_used;
  return e;
}

bool Virtqueue::needs_notify() const {
  full_barrier();
  return !(used[0] & 1);
}

namespace {

// ---- MSI-X: entry 0 → kDeviceVector on this CPU, the other entries masked.
bool enable_msix(PciAddress a) {
  uint8_t cap = pci_find_capability(a, 0x11);
  if (!cap) return false;
  uint16_t control = pci_read16(a, uint8_t(cap + 2));
  uint32_t table = pci_read32(a, uint8_t(cap + 4));
  uint64_t bar = pci_bar(a, int(table & 7));
  uint64_t addr = bar + (table & ~7u);
  unsigned entries = (control & 0x7FF) + 1u;
  map_mmio(addr, entries * 16u);
  for (unsigned i = 0; i < entries; ++i) {
    uintptr_t e = addr + i * 16;
    mmio_write<uint32_t>(e + 0, uint32_t(msi_address()));
    mmio_write<uint32_t>(e + 4, uint32_t(msi_address() >> 32));
    mmio_write<uint32_t>(e + 8, kDeviceVector);
    mmio_write<uint32_t>(e + 12, i == 0 ? 0 : 1);  // vector control: bit 0 = masked
  }
  control = uint16_t((control | 0x8000) & ~0x4000);  // enable, function unmasked
  pci_write16(a, uint8_t(cap + 2), control);
  return true;
}

// ---- Modern PCI transport (§4.1.4): common, notify, ISR and device configuration
// structures found through vendor-specific capabilities.
class PciModern final : public VirtioTransport {
 public:
  PciModern(uintptr_t common, uintptr_t notify, uint32_t multiplier, uintptr_t device)
      : common_(common), notify_(notify), multiplier_(multiplier), device_(device) {}
  const char* name() const override { return "virtio-pci (modern)"; }
  void reset() override {
    w8(20, 0);
    for (int i = 0; i < 1000000 && r8(20) != 0; ++i) {
    }
  }
  uint8_t status() override { return r8(20); }
  void set_status(uint8_t s) override { w8(20, s); }
  uint64_t device_features() override {
    w32(0, 0);
    uint64_t lo = r32(4);
    w32(0, 1);
    return lo | (uint64_t(r32(4)) << 32);
  }
  void set_driver_features(uint64_t f) override {
    w32(8, 0);
    w32(12, uint32_t(f));
    w32(8, 1);
    w32(12, uint32_t(f >> 32));
  }
  uint16_t queue_max(uint16_t q) override {
    w16(22, q);
    return r16(24);
  }
  void setup_queue(Virtqueue& vq, uint16_t msix_entry) override {
    w16(22, vq.index);
    w16(24, vq.size);
    w64(32, vq.desc_addr());
    w64(40, vq.avail_addr());
    w64(48, vq.used_addr());
    w16(26, msix_entry);
    uint16_t off = r16(30);
    notify_addr_[vq.index & 1] = notify_ + uintptr_t(off) * multiplier_;
    w16(28, 1);
  }
  void notify(uint16_t q) override { mmio_write<uint16_t>(notify_addr_[q & 1], q); }
  uint8_t config8(uint32_t offset) override { return mmio_read<uint8_t>(device_ + offset); }
  void set_config_vector(uint16_t v) { w16(16, v); }

 private:
  uint8_t r8(uint32_t o) { return mmio_read<uint8_t>(common_ + o); }
  uint16_t r16(uint32_t o) { return mmio_read<uint16_t>(common_ + o); }
  uint32_t r32(uint32_t o) { return mmio_read<uint32_t>(common_ + o); }
  void w8(uint32_t o, uint8_t v) { mmio_write<uint8_t>(common_ + o, v); }
  void w16(uint32_t o, uint16_t v) { mmio_write<uint16_t>(common_ + o, v); }
  void w32(uint32_t o, uint32_t v) { mmio_write<uint32_t>(common_ + o, v); }
  void w64(uint32_t o, uint64_t v) {
    w32(o, uint32_t(v));
    w32(o + 4, uint32_t(v >> 32));
  }
  uintptr_t common_, notify_;
  uint32_t multiplier_;
  uintptr_t device_;
  uintptr_t notify_addr_[2] = {0, 0};
};

// ---- Legacy PCI interface (§4.1.5.1 legacy): registers in I/O BAR 0; with MSI-X on, two
// vector registers at 20 and 22 push the device configuration from 20 to 24.
class PciLegacy final : public VirtioTransport {
 public:
  PciLegacy(uint16_t io, bool msix) : io_(io), msix_(msix) {}
  const char* name() const override { return "virtio-pci (legacy)"; }
  void reset() override { outb(io_ + 18, 0); }
  uint8_t status() override { return inb(io_ + 18); }
  void set_status(uint8_t s) override { outb(io_ + 18, s); }
  uint64_t device_features() override { return inl(io_ + 0); }
  void set_driver_features(uint64_t f) override { outl(io_ + 4, uint32_t(f)); }
  uint16_t queue_max(uint16_t q) override {
    outw(io_ + 14, q);
    return inw(io_ + 12);
  }
  bool queue_size_fixed() const override { return true; }
  void setup_queue(Virtqueue& vq, uint16_t msix_entry) override {
    outw(io_ + 14, vq.index);
    if (msix_) outw(io_ + 22, msix_entry);
    outl(io_ + 8, uint32_t(vq.desc_addr() >> 12));
  }
  void notify(uint16_t q) override { outw(io_ + 16, q); }
  uint8_t config8(uint32_t offset) override {
    return inb(uint16_t(io_ + (msix_ ? 24 : 20) + offset));
  }
  bool ack_interrupt() override { return inb(io_ + 19) & 1; }
  bool legacy() const override { return true; }
  void set_config_vector(uint16_t v) {
    if (msix_) outw(io_ + 20, v);
  }

 private:
  uint16_t io_;
  bool msix_;
};

// ---- virtio-mmio version 2 (§4.2.2)
class Mmio final : public VirtioTransport {
 public:
  explicit Mmio(uintptr_t base) : base_(base) {}
  const char* name() const override { return "virtio-mmio"; }
  void reset() override { w(0x70, 0); }
  uint8_t status() override { return uint8_t(r(0x70)); }
  void set_status(uint8_t s) override { w(0x70, s); }
  uint64_t device_features() override {
    w(0x14, 0);
    uint64_t lo = r(0x10);
    w(0x14, 1);
    return lo | (uint64_t(r(0x10)) << 32);
  }
  void set_driver_features(uint64_t f) override {
    w(0x24, 0);
    w(0x20, uint32_t(f));
    w(0x24, 1);
    w(0x20, uint32_t(f >> 32));
  }
  uint16_t queue_max(uint16_t q) override {
    w(0x30, q);
    return uint16_t(r(0x34));
  }
  void setup_queue(Virtqueue& vq, uint16_t) override {
    w(0x30, vq.index);
    w(0x38, vq.size);
    w(0x80, uint32_t(vq.desc_addr()));
    w(0x84, uint32_t(vq.desc_addr() >> 32));
    w(0x90, uint32_t(vq.avail_addr()));
    w(0x94, uint32_t(vq.avail_addr() >> 32));
    w(0xA0, uint32_t(vq.used_addr()));
    w(0xA4, uint32_t(vq.used_addr() >> 32));
    w(0x44, 1);
  }
  void notify(uint16_t q) override { w(0x50, q); }
  uint8_t config8(uint32_t offset) override { return mmio_read<uint8_t>(base_ + 0x100 + offset); }
  bool ack_interrupt() override {
    uint32_t s = r(0x60);
    if (s) w(0x64, s);
    return s != 0;
  }

 private:
  uint32_t r(uint32_t o) { return mmio_read<uint32_t>(base_ + o); }
  void w(uint32_t o, uint32_t v) { mmio_write<uint32_t>(base_ + o, v); }
  uintptr_t base_;
};

alignas(16) uint8_t g_transport_storage[64];

template <typename T, typename... Args>
T* make_transport(Args... args) {
  static_assert(sizeof(T) <= sizeof(g_transport_storage));
  return new (g_transport_storage) T(args...);
}

}  // namespace

VirtioTransport* probe_virtio_pci_net(bool force_legacy) {
  PciAddress a;
  uint16_t device_id = 0;
  bool found = pci_find(
      [&](PciAddress at, uint16_t vendor, uint16_t device) {
        if (vendor != 0x1AF4) return false;
        // 0x1041 is a modern network device; 0x1000 a transitional one (subsystem 1 = net).
        if (device == 0x1041 || (device == 0x1000 && pci_read16(at, 0x2E) == 1)) {
          device_id = device;
          return true;
        }
        return false;
      },
      a);
  if (!found) return nullptr;
  KLOG(kInfo, "pci: virtio-net %04x at %02x:%02x.%u\n", device_id, a.bus, a.device, a.function);
  pci_enable(a);

  uintptr_t common = 0, notify = 0, device = 0;
  uint32_t multiplier = 0;
  for (uint8_t cap = pci_find_capability(a, 0x09); cap; cap = pci_find_capability(a, 0x09, cap)) {
    uint8_t type = pci_read8(a, uint8_t(cap + 3));
    int bar = pci_read8(a, uint8_t(cap + 4));
    uint32_t offset = pci_read32(a, uint8_t(cap + 8));
    uint32_t length = pci_read32(a, uint8_t(cap + 12));
    if (bar > 5) continue;
    bool io = false;
    uint64_t base = pci_bar(a, bar, &io);
    if (io || base == 0) continue;
    uintptr_t addr = base + offset;
    if (type == 1 && !common) {
      common = addr;
      map_mmio(addr, length);
    } else if (type == 2 && !notify) {
      notify = addr;
      multiplier = pci_read32(a, uint8_t(cap + 16));
      map_mmio(addr, length);
    } else if (type == 4 && !device) {
      device = addr;
      map_mmio(addr, length);
    }
  }
  bool modern = common && notify && device;
  if (modern && !(force_legacy && device_id == 0x1000)) {
    bool msix = enable_msix(a);
    auto* t = make_transport<PciModern>(common, notify, multiplier, device);
    if (msix) t->set_config_vector(kNoVector);
    t->set_interrupts(msix);
    return t;
  }
  bool io = false;
  uint64_t bar0 = pci_bar(a, 0, &io);
  if (device_id != 0x1000 || !io) {
    KLOG(kInfo,
         "pci: virtio-net without a usable interface (no modern capabilities, no I/O BAR)\n");
    return nullptr;
  }
  bool msix = enable_msix(a);
  auto* t = make_transport<PciLegacy>(uint16_t(bar0), msix);
  if (msix) t->set_config_vector(kNoVector);
  t->set_interrupts(msix);
  return t;
}

VirtioTransport* probe_virtio_mmio_net(uint64_t base, uint64_t size, uint32_t irq) {
  map_mmio(base, size < 4096 ? 4096 : size);
  uint32_t magic = mmio_read<uint32_t>(base);
  uint32_t version = mmio_read<uint32_t>(base + 4);
  uint32_t device = mmio_read<uint32_t>(base + 8);
  if (magic != 0x74726976 || device != 1) return nullptr;  // "virt", network card
  if (version != 2)
    panic(
        "virtio-mmio at 0x%llx is version %u (legacy); mayfly drives version 2 "
        "(QEMU: -global virtio-mmio.force-legacy=false)",
        (unsigned long long)base, version);
  KLOG(kInfo, "virtio-mmio: network device at 0x%llx irq %u\n", (unsigned long long)base, irq);
  ioapic_route(irq);
  return make_transport<Mmio>(uintptr_t(base));
}

VirtioTransport* probe_microvm_mmio_net() {
  constexpr uint64_t kWindow = 0xFEB00000, kSlot = 0x200;
  constexpr int kSlots = 24;
  map_mmio(kWindow, kSlots * kSlot);
  map_mmio(0xFEC10000, 4096);
  uint32_t v = mmio_read<uint32_t>(0xFEC10000 + 0x10);  // second I/O APIC's IOWIN after reset
  mmio_write<uint32_t>(0xFEC10000, 1);                  // select its version register
  v = mmio_read<uint32_t>(0xFEC10000 + 0x10);
  bool second_ioapic = v != 0xFFFFFFFF && v != 0 && (v & 0xFF) >= 0x11;
  for (int i = 0; i < kSlots; ++i) {
    uint64_t base = kWindow + uint64_t(i) * kSlot;
    if (mmio_read<uint32_t>(base) != 0x74726976 || mmio_read<uint32_t>(base + 8) != 1) continue;
    uint32_t irq = uint32_t((second_ioapic ? 24 : 5) + i);
    return probe_virtio_mmio_net(base, kSlot, irq);
  }
  return nullptr;
}

}  // namespace mayfly::kernel
