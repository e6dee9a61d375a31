#pragma once
// net::Random for the kernel: RDRAND where the CPU has it, otherwise xorshift64* seeded from
// the TSC and the RTC (good enough for DHCP ids and TCP ISN secrets in a guest; documented
// as a gap in docs/kernel.md).
#include <cstdint>

#include "net/iface/device.h"

namespace mayfly::kernel {

class KernelRandom final : public net::Random {
 public:
  KernelRandom();
  uint32_t next_u32() override;
  uint64_t next_u64();
  bool hardware() const { return rdrand_; }

 private:
  bool rdrand_ = false;
  uint64_t state_ = 0;
};

}  // namespace mayfly::kernel
