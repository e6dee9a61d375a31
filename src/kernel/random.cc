#include "kernel/random.h"

#include "kernel/arch.h"
#include "kernel/clock.h"

namespace mayfly::kernel {

KernelRandom::KernelRandom() {
  rdrand_ = (cpuid(1).ecx >> 30) & 1;
  state_ = rdtsc() ^ (uint64_t(unix_seconds()) << 32) ^ 0x9E3779B97F4A7C15ull;
  if (state_ == 0) state_ = 1;
}

uint64_t KernelRandom::next_u64() {
  if (rdrand_) {
    for (int i = 0; i < 10; ++i) {
      uint64_t v;
      unsigned char ok;
      asm volatile("rdrand %0; setc %1" : "=r"(v), "=qm"(ok));
      if (ok) return v ^ rdtsc();
    }
  }
  state_ ^= state_ >> 12;
  state_ ^= state_ << 25;
  state_ ^= state_ >> 27;
  return (state_ * 0x2545F4914F6CDD1Dull) ^ rdtsc();
}

uint32_t KernelRandom::next_u32() {
  return uint32_t(next_u64() >> 16);
}

}  // namespace mayfly::kernel
