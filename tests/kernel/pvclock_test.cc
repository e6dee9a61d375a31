// kvmclock's TSC scaling (src/kernel/pvclock.h), on the host: the values KVM publishes for
// a few TSC frequencies give back those frequencies and the right nanoseconds.
#include "kernel/pvclock.h"

#include <gtest/gtest.h>

namespace mayfly::kernel {
namespace {

// The scale a hypervisor publishes for `hz`: a shift that brings the ratio 1e9/hz into
// [0.5, 1), then the 32-bit fraction (how KVM computes it, restated).
void scale_for(uint64_t hz, uint32_t& mul, int8_t& shift) {
  uint64_t base = hz, target = 1000000000;
  shift = 0;
  while (target >= base) {  // ratio >= 1: make the TSC side bigger
    base <<= 1;
    ++shift;
  }
  while (base > 2 * target) {  // ratio < 0.5
    base >>= 1;
    --shift;
  }
  mul = uint32_t((static_cast<unsigned __int128>(target) << 32) / base);
}

TEST(Pvclock, ScaleGivesNanoseconds) {
  for (uint64_t hz : {1000000000ull, 2100000000ull, 2999999000ull, 3700000000ull, 800000000ull}) {
    uint32_t mul;
    int8_t shift;
    scale_for(hz, mul, shift);
    uint64_t implied = pvclock_tsc_hz(mul, shift);
    EXPECT_NEAR(double(implied), double(hz), double(hz) * 1e-8) << hz;
    // One second of ticks is one second, to well under a microsecond.
    EXPECT_NEAR(double(pvclock_scale(hz, mul, shift)), 1e9, 1000.0) << hz;
    EXPECT_EQ(pvclock_scale(0, mul, shift), 0u);
  }
  EXPECT_EQ(pvclock_scale(1000, 0x80000000u, 1), 1000u);  // x2, then x0.5
  EXPECT_EQ(pvclock_tsc_hz(0, 0), 0u);
}

}  // namespace
}  // namespace mayfly::kernel
