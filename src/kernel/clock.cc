#include "kernel/clock.h"

#include "http/date.h"
#include "kernel/arch.h"
#include "kernel/console.h"
#include "kernel/interrupts.h"
#include "kernel/panic.h"
#include "kernel/pvclock.h"

namespace mayfly::kernel {
namespace {

uint64_t g_tsc_hz = 0;
uint64_t g_tsc_boot = 0;
int64_t g_rtc_boot = 0;

// kvmclock, when KVM offers it and it agrees with the PIT at boot.
alignas(64) PvclockTimeInfo g_pvclock;
bool g_kvmclock = false;
uint64_t g_kvmclock_boot_ns = 0;
constexpr uint32_t kMsrKvmSystemTimeNew = 0x4b564d01;

bool kvmclock_offered() {
  if (!(cpuid(1).ecx & (1u << 31))) return false;  // no hypervisor
  CpuidResult base = cpuid(0x40000000);
  // "KVMKVMKVM\0\0\0" in EBX, ECX, EDX; then the feature leaf's CLOCKSOURCE2 bit.
  if (base.ebx != 0x4b4d564b || base.ecx != 0x564b4d56 || base.edx != 0x4d) return false;
  return base.eax >= 0x40000001 && (cpuid(0x40000001).eax & (1u << 3));
}

uint64_t ordered_rdtsc() {
  asm volatile("lfence" ::: "memory");  // not read ahead of the version check
  return rdtsc();
}

// The record is consistent when its version is even and the same before and after.
uint64_t kvmclock_ns() {
  const volatile PvclockTimeInfo* p = &g_pvclock;
  for (;;) {
    uint32_t version = p->version;
    compiler_barrier();
    uint64_t ns = p->system_time + pvclock_scale(ordered_rdtsc() - p->tsc_timestamp,
                                                 p->tsc_to_system_mul, p->tsc_shift);
    compiler_barrier();
    if (!(version & 1) && version == p->version) return ns;
  }
}

uint8_t cmos(uint8_t reg) {
  outb(0x70, reg);
  return inb(0x71);
}

// The CMOS real-time clock (MC146818): wait for no update in progress, read twice until
// equal, convert from BCD unless status B says binary.
int64_t read_rtc() {
  uint8_t v[6], w[6];
  for (int attempt = 0; attempt < 10; ++attempt) {
    for (int i = 0; i < 100000 && (cmos(0x0A) & 0x80); ++i) {
    }
    const uint8_t regs[6] = {0x00, 0x02, 0x04, 0x07, 0x08, 0x09};
    for (int i = 0; i < 6; ++i) v[i] = cmos(regs[i]);
    for (int i = 0; i < 6; ++i) w[i] = cmos(regs[i]);
    bool same = true;
    for (int i = 0; i < 6; ++i) same = same && v[i] == w[i];
    if (same) break;
  }
  uint8_t status_b = cmos(0x0B);
  auto conv = [&](uint8_t x) -> int { return (status_b & 4) ? x : (x & 0x0F) + (x >> 4) * 10; };
  int hour = conv(v[2] & 0x7F);
  if (!(status_b & 2) && (v[2] & 0x80)) hour = (hour % 12) + 12;  // 12-hour clock, PM
  int year = 2000 + conv(v[5]);
  return http::unix_from_civil(year, conv(v[4]), conv(v[3]), hour, conv(v[1]), conv(v[0]));
}

// Reads PIT channel 0's current count (latched, low then high byte).
uint16_t pit_count() {
  outb(0x43, 0x00);  // latch channel 0
  uint8_t lo = inb(0x40);
  uint8_t hi = inb(0x40);
  return uint16_t(lo | (hi << 8));
}

}  // namespace

void clock_init() {
  // PIT channel 0 as a free-running rate generator (mode 2, full 65536 count) at 1.193182
  // MHz; read back with latch commands and summed over wraps until 10 ms of ticks passed.
  // (Port 0x61's channel-2 gate is missing on some machines, QEMU microvm among them.)
  constexpr uint32_t kPitHz = 1193182;
  constexpr uint32_t kTicks = kPitHz / 100;  // 10 ms
  outb(0x43, 0x34);                          // channel 0, lobyte/hibyte, mode 2
  outb(0x40, 0);
  outb(0x40, 0);
  uint16_t last = pit_count();
  // Wait for the counter to move at all, so an absent PIT is a clear panic, not a bad clock.
  for (uint64_t spins = 0; pit_count() == last; ++spins)
    if (spins > 10000000)
      panic("clock: the PIT (i8254) does not count; mayfly needs it to calibrate the TSC");
  last = pit_count();
  const bool kvm = kvmclock_offered();
  if (kvm) wrmsr(kMsrKvmSystemTimeNew, uint64_t(uintptr_t(&g_pvclock)) | 1);  // enable
  uint64_t kvm_start = kvm ? kvmclock_ns() : 0;
  lapic_timer_start_count();
  uint64_t start = rdtsc();
  uint32_t elapsed = 0;
  while (elapsed < kTicks) {
    uint16_t now = pit_count();
    elapsed += uint16_t(last - now);  // counts down; wraps at 65536
    last = now;
  }
  uint64_t tsc = rdtsc() - start;
  uint32_t apic = lapic_timer_elapsed();
  uint64_t kvm_ns = kvm ? kvmclock_ns() - kvm_start : 0;
  g_tsc_hz = tsc * kPitHz / elapsed;
  if (kvm) {
    // Trust kvmclock only when it agrees with the PIT over the same window (within 2%).
    uint64_t pit_ns = uint64_t(elapsed) * 1000000000ull / kPitHz;
    uint64_t diff = kvm_ns > pit_ns ? kvm_ns - pit_ns : pit_ns - kvm_ns;
    if (diff * 50 <= pit_ns) {
      g_kvmclock = true;
      g_tsc_hz = pvclock_tsc_hz(g_pvclock.tsc_to_system_mul, g_pvclock.tsc_shift);
      g_kvmclock_boot_ns = kvmclock_ns();
    } else {
      wrmsr(kMsrKvmSystemTimeNew, 0);  // disable
      KLOG(kInfo, "clock: kvmclock disagrees with the PIT (%llu ns against %llu ns); TSC\n",
           (unsigned long long)kvm_ns, (unsigned long long)pit_ns);
    }
  }
  if (g_tsc_hz < 1000000)
    panic("clock: TSC calibration gave %llu Hz", (unsigned long long)g_tsc_hz);
  uint64_t apic_per_ms = uint64_t(apic) * kPitHz / elapsed / 1000;
  lapic_timer_set_rate(apic_per_ms);
  g_tsc_boot = rdtsc();
  g_rtc_boot = read_rtc();
  KLOG(kInfo, "clock: %s, TSC %llu kHz, LAPIC timer %llu ticks/ms\n",
       g_kvmclock ? "kvmclock" : "TSC calibrated against the PIT",
       (unsigned long long)(g_tsc_hz / 1000), (unsigned long long)apic_per_ms);
}

uint64_t tsc_hz() {
  return g_tsc_hz;
}

int64_t monotonic_ms() {
  if (g_kvmclock) return int64_t((kvmclock_ns() - g_kvmclock_boot_ns) / 1000000);
  uint64_t d = rdtsc() - g_tsc_boot;
  return int64_t((d / g_tsc_hz) * 1000 + (d % g_tsc_hz) * 1000 / g_tsc_hz);
}

int64_t unix_seconds() {
  return g_rtc_boot + monotonic_ms() / 1000;
}

}  // namespace mayfly::kernel
