#include "kernel/clock.h"

#include "http/date.h"
#include "kernel/arch.h"
#include "kernel/console.h"
#include "kernel/interrupts.h"
#include "kernel/panic.h"

namespace mayfly::kernel {
namespace {

uint64_t g_tsc_hz = 0;
uint64_t g_tsc_boot = 0;
int64_t g_rtc_boot = 0;

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

}  // namespace

void clock_init() {
  // PIT channel 2, gated by port 0x61, counts down 11932 ticks of 1.193182 MHz = 10 ms.
  constexpr uint16_t kCount = 11932;
  outb(0x61, (inb(0x61) & ~0x02) | 0x01);
  outb(0x43, 0xB0);  // channel 2, lobyte/hibyte, mode 0
  outb(0x42, kCount & 0xFF);
  outb(0x42, kCount >> 8);
  // Restart the gate so the count begins now.
  uint8_t gate = inb(0x61);
  outb(0x61, gate & ~0x01);
  outb(0x61, gate | 0x01);
  lapic_timer_start_count();
  uint64_t start = rdtsc();
  uint64_t spins = 0;
  while (!(inb(0x61) & 0x20)) {
    if (++spins > 100000000) panic("clock: the PIT never counted down (no PIT?)");
  }
  uint64_t tsc = rdtsc() - start;
  uint32_t apic = lapic_timer_elapsed();
  g_tsc_hz = tsc * 100;
  if (g_tsc_hz < 1000000)
    panic("clock: TSC calibration gave %llu Hz", (unsigned long long)g_tsc_hz);
  lapic_timer_set_rate(apic / 10);
  g_tsc_boot = rdtsc();
  g_rtc_boot = read_rtc();
  KLOG(kDebug, "clock: TSC %llu kHz, LAPIC timer %u ticks/ms\n",
       (unsigned long long)(g_tsc_hz / 1000), apic / 10);
}

uint64_t tsc_hz() {
  return g_tsc_hz;
}

int64_t monotonic_ms() {
  uint64_t d = rdtsc() - g_tsc_boot;
  return int64_t((d / g_tsc_hz) * 1000 + (d % g_tsc_hz) * 1000 / g_tsc_hz);
}

int64_t unix_seconds() {
  return g_rtc_boot + monotonic_ms() / 1000;
}

}  // namespace mayfly::kernel
