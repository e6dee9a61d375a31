#pragma once
// Time: kvmclock where KVM offers it (checked against the PIT at boot), else the TSC
// calibrated against the PIT (the local APIC timer in the same window); the wall clock
// read once from the CMOS RTC.
#include <cstdint>

namespace mayfly::kernel {

void clock_init();
uint64_t tsc_hz();
int64_t monotonic_ms();  // since boot
int64_t unix_seconds();  // RTC at boot plus the monotonic time since

}  // namespace mayfly::kernel
