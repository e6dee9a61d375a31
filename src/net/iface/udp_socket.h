#pragma once
// A UDP socket: a port binding on an Interface plus a receive queue of datagrams in
// caller-provided storage. Freestanding.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "net/iface/net_error.h"
#include "net/wire/address.h"

namespace mayfly::net {

class Interface;

struct UdpMetadata {
  Ipv4Endpoint remote;
  Ipv4Address local_address;  // the destination the datagram was sent to (may be broadcast)
  size_t size = 0;            // the datagram's full payload size
  bool truncated = false;     // the caller's buffer was smaller than `size`
};

class UdpSocket {
 public:
  static constexpr size_t kMaxSlots = 16;

  // `storage` is split into slots of `slot_size` bytes (at most kMaxSlots); each holds
  // one received datagram. Datagrams larger than a slot, or arriving when all slots are
  // full, are dropped and counted.
  UdpSocket(std::span<uint8_t> storage, size_t slot_size);
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;
  ~UdpSocket();

  bool is_bound() const { return iface_ != nullptr; }
  Port local_port() const { return port_; }
  bool can_recv() const { return count_ > 0; }
  size_t queued() const { return count_; }
  uint64_t dropped() const { return dropped_; }

  // Pops the oldest datagram, copying up to out.size() bytes.
  std::optional<UdpMetadata> recv_from(std::span<uint8_t> out);
  // Sends one datagram from our port (RFC 768) through the bound interface.
  NetError send_to(std::span<const uint8_t> payload, Ipv4Endpoint remote);

 private:
  friend class Interface;
  // Called by the interface for each datagram to our port.
  void deliver(const UdpMetadata& meta, std::span<const uint8_t> payload);

  struct Slot {
    UdpMetadata meta;
  };
  std::span<uint8_t> storage_;
  size_t slot_size_;
  size_t slots_;
  std::array<Slot, kMaxSlots> meta_{};
  size_t head_ = 0;
  size_t count_ = 0;
  uint64_t dropped_ = 0;
  Interface* iface_ = nullptr;
  Port port_;
};

// A socket with its own storage: Slots datagrams of up to SlotSize bytes each.
template <size_t Slots, size_t SlotSize>
class UdpSocketBuffer {
 protected:
  std::array<uint8_t, Slots * SlotSize> buffer_{};
};

template <size_t Slots, size_t SlotSize>
class StaticUdpSocket : private UdpSocketBuffer<Slots, SlotSize>, public UdpSocket {
  static_assert(Slots >= 1 && Slots <= UdpSocket::kMaxSlots);

 public:
  StaticUdpSocket() : UdpSocket(this->buffer_, SlotSize) {}
};

}  // namespace mayfly::net
