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

  // TCP segmentation offload (virtio-net's GSO; a TAP with IFF_VNET_HDR): the largest IPv4
  // datagram transmit_tso() accepts, or 0 when the device has none (the default).
  virtual size_t tso_max_datagram() const { return 0; }
  // Sends one Ethernet/IPv4/TCP frame longer than the MTU whose TCP payload the device (or
  // the host behind it) cuts into `mss`-byte segments. The TCP checksum field holds the
  // folded pseudo-header sum over the whole TCP length, for the device to complete
  // (checksum offload). False if the device cannot take it.
  virtual bool transmit_tso(std::span<const uint8_t> frame, uint16_t mss) {
    (void)frame;
    (void)mss;
    return false;
  }
};

// Randomness supplied by the caller (DHCP transaction ids and jitter, IP identification,
// later TCP ISNs). The kernel backs it with RDRAND or a seeded generator.
class Random {
 public:
  virtual ~Random() = default;
  virtual uint32_t next_u32() = 0;
};

}  // namespace mayfly::net
