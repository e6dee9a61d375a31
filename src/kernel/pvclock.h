#pragma once
// The paravirtual clock KVM offers (kvmclock): the hypervisor keeps a record of the TSC
// value at a known system time and the TSC-to-nanoseconds scale in guest memory; the guest
// reads TSC and scales. Layout and arithmetic as the KVM API documents for
// MSR_KVM_SYSTEM_TIME_NEW (Documentation/virt/kvm/x86/msr.rst, "pvclock"). The arithmetic
// is host-testable; the MSR and CPUID parts live in clock.cc.
#include <cstdint>

namespace mayfly::kernel {

struct PvclockTimeInfo {
  uint32_t version;  // odd while the hypervisor updates the record
  uint32_t pad0;
  uint64_t tsc_timestamp;
  uint64_t system_time;  // ns at tsc_timestamp
  uint32_t tsc_to_system_mul;
  int8_t tsc_shift;
  uint8_t flags;
  uint8_t pad[2];
};
static_assert(sizeof(PvclockTimeInfo) == 32);

// Nanoseconds for `delta` TSC ticks: (delta shifted by tsc_shift) * mul / 2^32.
inline uint64_t pvclock_scale(uint64_t delta, uint32_t mul, int8_t shift) {
  if (shift >= 0) {
    delta <<= shift;
  } else {
    delta >>= -shift;
  }
  return uint64_t((static_cast<unsigned __int128>(delta) * mul) >> 32);
}

// The TSC frequency the scale implies: the ticks that make one second.
inline uint64_t pvclock_tsc_hz(uint32_t mul, int8_t shift) {
  if (mul == 0) return 0;
  unsigned __int128 hz = (static_cast<unsigned __int128>(1000000000u) << 32) / mul;
  if (shift >= 0) {
    hz >>= shift;
  } else {
    hz <<= -shift;
  }
  return uint64_t(hz);
}

}  // namespace mayfly::kernel
