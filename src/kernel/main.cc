// kernel_main: from the PVH start info to a serving web site. Boot order: console, CPU
// tables, command line, memory map, page tables, local APIC and clock, the bundle (PVH
// module 0), the network card, then the stack and the HTTP service in one polling loop
// that halts the CPU until the next frame or timer.
#include <algorithm>
#include <cstring>
#include <new>

#include "bundle/reader.h"
#include "core/version.h"
#include "kernel/acpi.h"
#include "kernel/arch.h"
#include "kernel/clock.h"
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/interrupts.h"
#include "kernel/memory.h"
#include "kernel/panic.h"
#include "kernel/pci.h"
#include "kernel/pvh.h"
#include "kernel/random.h"
#include "kernel/virtio_net.h"
#include "net/dhcp/dhcp_client.h"
#include "net/iface/interface.h"
#include "net/service/http_service.h"
#include "net/tcp/tcp.h"

extern "C" char boot_stack_bottom[], boot_stack_top[];
extern "C" char __kernel_start[], __kernel_end[], __text_start[], __rodata_end[];

namespace mayfly::kernel {
namespace {

// Connection limits of the stack and the service (one slot per TCP connection). The
// read buffer of 16 KiB bounds a request head as the hosted server does (431 beyond).
constexpr size_t kConnections = 64;
using Tcp = net::StaticTcp<kConnections, 16 * 1024>;
using Http = net::StaticHttpService<kConnections, 16 * 1024, 4 * 1024>;

// The big objects live in static storage and are constructed in order by kernel_main.
template <typename T>
struct Slot {
  alignas(T) unsigned char bytes[sizeof(T)];
  template <typename... Args>
  T* make(Args&&... args) {
    return new (bytes) T(static_cast<Args&&>(args)...);
  }
};
Slot<KernelRandom> g_random_slot;
Slot<VirtioNet> g_nic_slot;
Slot<net::Interface> g_iface_slot;
Slot<net::DhcpClient> g_dhcp_slot;
Slot<Tcp> g_tcp_slot;
Slot<Http> g_http_slot;
bundle::Bundle g_bundle;
char g_cmdline[4096];
constexpr uint64_t kStackPaint = 0x6d61796679737463ull;  // "mayflystc"

void print_ip(net::Ipv4Address a) {
  uint32_t v = a.value();
  kprintf("%u.%u.%u.%u", v >> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255);
}

void log_access(void*, const net::HttpAccess& entry) {
  char line[http::kMaxAccessLine];
  size_t n = net::format_http_access(entry, line);
  console_write(std::string_view(line, n));
}

// Fills the unused part of the boot stack with a pattern; stack_used() finds the deepest
// byte written since (the stack's high-water mark).
void paint_stack() {
  auto* p = reinterpret_cast<uint64_t*>(boot_stack_bottom);
  auto* limit = reinterpret_cast<uint64_t*>(__builtin_frame_address(0)) - 512;
  for (; p < limit; ++p) *p = kStackPaint;
}
size_t stack_used() {
  auto* p = reinterpret_cast<const uint64_t*>(boot_stack_bottom);
  auto* top = reinterpret_cast<const uint64_t*>(boot_stack_top);
  while (p < top && *p == kStackPaint) ++p;
  return size_t(reinterpret_cast<const char*>(top) - reinterpret_cast<const char*>(p));
}

// Deliberate faults for the tests: each must end in a precise panic, never a hang.
volatile size_t g_recursion_limit = ~size_t(0);  // volatile: the compiler cannot see the end
[[gnu::noinline, gnu::used]] size_t recurse(size_t depth) {
  volatile char pad[512];
  pad[0] = char(depth);
  if (depth >= g_recursion_limit) return 0;
  return recurse(depth + 1) + pad[0];
}
[[gnu::noinline]] void smash(const char* s, size_t n) {
  char buf[16];
  volatile char* p = buf;                          // volatile stores: none may be dropped
  for (size_t i = 0; i < n; ++i) p[i] = s[i % 4];  // deliberately past the end
}
void run_selftest(std::string_view what) {
  kprintf("selftest: %.*s\n", int(what.size()), what.data());
  if (what == "wx") {
    *reinterpret_cast<volatile uint8_t*>(&recurse) = 0xC3;  // write into text
  } else if (what == "nx") {
    static uint8_t code[16] = {0xC3};  // "ret" in .data
    reinterpret_cast<void (*)()>(code)();
  } else if (what == "stack") {
    recurse(0);
  } else if (what == "canary") {
    static const char text[5] = "AAAA";
    smash(text, 64);
  }
  panic("selftest %.*s did not fault", int(what.size()), what.data());
}

VirtioTransport* find_nic(const KernelConfig& config) {
  for (size_t i = 0; i < config.mmio_count; ++i) {
    const MmioDevice& d = config.mmio[i];
    if (VirtioTransport* t = probe_virtio_mmio_net(d.base, d.size, d.irq)) return t;
  }
  if (VirtioTransport* t = probe_virtio_pci_net(config.force_legacy)) return t;
  return probe_microvm_mmio_net();
}

// ACPI tables live in RAM or firmware areas below 4 GiB, all identity mapped by
// paging_init() except page 0 (kept unmapped to catch null pointers).
bool read_physical(void*, uint64_t address, void* out, size_t size) {
  constexpr uint64_t kLimit = 4ull << 30;
  if (address < 4096 || address >= kLimit || size > kLimit - address) return false;
  memcpy(out, reinterpret_cast<const void*>(uintptr_t(address)), size);
  return true;
}

// ECAM when ACPI describes it (q35, most clouds), the legacy ports otherwise (i440FX).
void pci_init(uint64_t rsdp_hint) {
  EcamRegion region;
  AcpiResult found = find_ecam(read_physical, nullptr, rsdp_hint, region);
  if (found != AcpiResult::Found) {
    KLOG(kInfo, "pci: configuration through ports 0xCF8/0xCFC (%s)\n", describe(found));
    return;
  }
  map_mmio(region.base, uint64_t(region.last_bus - region.first_bus + 1) << 20);
  pci_use_ecam(region);
  KLOG(kInfo, "pci: ECAM at 0x%llx for buses %u-%u (ACPI MCFG)\n", (unsigned long long)region.base,
       unsigned(region.first_bus), unsigned(region.last_bus));
}

}  // namespace

extern "C" [[noreturn]] void kernel_main(uint32_t start_info_paddr) {
  console_init();
  cpu_tables_init();
  paint_stack();
  kprintf("\nmayfly %s unikernel\n", MAYFLY_VERSION);

  const auto* info = reinterpret_cast<const HvmStartInfo*>(uintptr_t(start_info_paddr));
  if (start_info_paddr == 0 || info->magic != kHvmStartMagic)
    panic(
        "boot: no PVH start info (ebx=0x%x): boot with a PVH loader (QEMU -kernel, "
        "microvm, Firecracker, cloud-hypervisor or mayfly's UEFI loader)",
        start_info_paddr);
  if (info->cmdline_paddr) {
    const char* src = reinterpret_cast<const char*>(info->cmdline_paddr);
    size_t n = 0;
    while (n + 1 < sizeof(g_cmdline) && src[n]) ++n;
    memcpy(g_cmdline, src, n);
    g_cmdline[n] = 0;
  }
  KernelConfig config = parse_cmdline(g_cmdline);
  KLOG(kInfo, "command line: %s\n", g_cmdline);
  stack_guard_init(rdtsc() * 0x9E3779B97F4A7C15ull);

  if (info->nr_modules < 1 || info->modlist_paddr == 0)
    panic("boot: no bundle: the site bundle must be PVH module 0 (QEMU: -initrd SITE.mfb)");
  const auto* module = reinterpret_cast<const HvmModlistEntry*>(info->modlist_paddr);
  const uint64_t bundle_addr = module[0].paddr;
  const uint64_t bundle_size = module[0].size;
  Range reserved[1] = {{bundle_addr, bundle_addr + bundle_size}};
  memory_init(*info, reserved, 1);
  paging_init();
  KLOG(kInfo, "memory: %llu KiB usable, kernel image %llu KiB (text+rodata %llu KiB)\n",
       (unsigned long long)(usable_ram_bytes() / 1024),
       (unsigned long long)((__kernel_end - __kernel_start) / 1024),
       (unsigned long long)((__rodata_end - __text_start) / 1024));
  pci_init(info->rsdp_paddr);
  lapic_init();
  clock_init();
  if (config.selftest[0]) run_selftest(config.selftest);

  bundle::Error err =
      g_bundle.open(reinterpret_cast<const uint8_t*>(bundle_addr), size_t(bundle_size));
  if (err != bundle::Error::None)
    panic("bundle: module 0 (%llu bytes at 0x%llx) is not a valid bundle: %s",
          (unsigned long long)bundle_size, (unsigned long long)bundle_addr, bundle::describe(err));
  char id[33];
  g_bundle.id_hex(id);
  kprintf("bundle %s: %u entries, %llu bytes\n", id, g_bundle.entry_count(),
          (unsigned long long)bundle_size);

  KernelRandom* random = g_random_slot.make();
  VirtioTransport* transport = find_nic(config);
  if (!transport)
    panic(
        "no network card: mayfly needs a virtio-net device (virtio-net-pci, or "
        "virtio-net-device on virtio-mmio passed as virtio_mmio.device=)");
  VirtioNet* nic = g_nic_slot.make(*transport);
  if (!transport->interrupts())
    KLOG(kInfo, "virtio-net: no MSI-X: polling the card every millisecond\n");
  net::Interface* iface = g_iface_slot.make(*nic, *random);
  Tcp* tcp = g_tcp_slot.make(*iface);
  iface->set_tcp_handler(tcp);
  net::HttpServiceOptions options;
  options.port = net::Port(config.port);
  if (config.access_log) options.access_log = log_access;
  Http* http = g_http_slot.make(*tcp, g_bundle, options);
  if (!http->start()) panic("http: cannot listen on port %u", config.port);

  net::DhcpClient* dhcp = nullptr;
  net::Instant now{monotonic_ms()};
  if (config.static_ip) {
    iface->set_ipv4(*config.static_ip);
  } else {
    net::DhcpClientConfig dc;
    dc.init_delay_min = net::Duration::from_millis(0);  // a guest boots alone: no need to wait
    dc.init_delay_max = net::Duration::from_millis(0);
    dhcp = g_dhcp_slot.make(*iface, *random, dc);
    dhcp->start(now);
  }
  KLOG(kInfo, "boot: %lld ms after the clock started; %llu KiB allocated\n",
       (long long)monotonic_ms(), (unsigned long long)(allocated_bytes() / 1024));

  sti();
  std::optional<net::Ipv4Config> announced;
  int64_t next_memstats = config.memstats_seconds ? config.memstats_seconds * 1000 : -1;
  for (;;) {
    now = net::Instant{monotonic_ms()};
    bool more = iface->poll(now);
    if (dhcp) dhcp->poll(now);
    http->poll(now, unix_seconds());
    more = iface->poll(now) || more;

    if (iface->ipv4() != announced) {
      announced = iface->ipv4();
      if (announced) {
        kprintf("mayfly: serving on http://");
        print_ip(announced->cidr.address);
        kprintf(":%u/ (%s/%u", config.port, dhcp ? "dhcp " : "",
                unsigned(announced->cidr.prefix_len));
        if (announced->gateway) {
          kprintf(", gateway ");
          print_ip(*announced->gateway);
        }
        kprintf(")\n");
      } else {
        kprintf("mayfly: address lost, waiting for DHCP\n");
      }
    }
    if (next_memstats >= 0 && now.millis >= next_memstats) {
      next_memstats = now.millis + config.memstats_seconds * 1000;
      const auto& s = http->stats();
      kprintf(
          "memstats: allocated %llu bytes, stack high-water %zu bytes, connections %zu, "
          "requests %llu, rx %llu, tx %llu, tx-full %llu, interrupts %llu\n",
          (unsigned long long)allocated_bytes(), stack_used(), http->connections(),
          (unsigned long long)s.requests, (unsigned long long)nic->rx_frames(),
          (unsigned long long)nic->tx_frames(), (unsigned long long)nic->tx_full(),
          (unsigned long long)interrupt_count);
    }
    if (more) continue;

    auto deadline = net::earliest(iface->next_deadline(), http->next_deadline());
    if (dhcp) deadline = net::earliest(deadline, dhcp->next_deadline());
    if (next_memstats >= 0) deadline = net::earliest(deadline, net::Instant{next_memstats});
    cli();
    if (nic->rx_pending()) {
      sti();
      continue;
    }
    int64_t wait = deadline ? deadline->millis - monotonic_ms() : 3600 * 1000;
    // Without a device interrupt, poll the ring every millisecond; with one, still wake
    // once a second so that a lost interrupt can never stall the site for long.
    wait = std::min<int64_t>(wait, transport->interrupts() ? 1000 : 1);
    if (wait <= 0) {
      sti();
      continue;
    }
    lapic_timer_arm_ms(wait);
    sti_hlt();  // until the card's interrupt or the timer
  }
}

}  // namespace mayfly::kernel
