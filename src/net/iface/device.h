#pragma once
// The link a stack runs on: one Ethernet port. Implemented by a TAP device on Linux, by
// the virtio-net driver in the kernel, and by fakes in tests. Freestanding.
#include <cstddef>
#include <cstdint>
#include <span>

#include "net/wire/address.h"

namespace mayfly::net {

class Device {
 public:
  virtual ~Device() = default;
  // Copies one received Ethernet frame (destination MAC first, no FCS) into `buffer` and
  // returns its length, or 0 if none is waiting. A frame longer than the buffer is
  // dropped by the device and counts as nothing received (never a partial frame).
  virtual size_t receive(std::span<uint8_t> buffer) = 0;
  // Queues one complete Ethernet frame for transmission. Returns false if the device
  // cannot take it now (the stack treats that as a loss, as Ethernet may).
  virtual bool transmit(std::span<const uint8_t> frame) = 0;
  // The largest IP datagram the link carries (1500 on Ethernet, RFC 894).
  virtual size_t mtu() const = 0;
  virtual MacAddress mac_address() const = 0;
};

// Randomness supplied by the caller (DHCP transaction ids and jitter, IP identification,
// later TCP ISNs). The kernel backs it with RDRAND or a seeded generator.
class Random {
 public:
  virtual ~Random() = default;
  virtual uint32_t next_u32() = 0;
};

}  // namespace mayfly::net
