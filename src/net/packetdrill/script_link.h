#pragma once
// The Ethernet port of a stack driven by packetdrill, which speaks IP datagrams: datagrams
// the script injects are framed and handed to the stack, frames the stack transmits are
// unframed and queued, stamped with the virtual time they left, for netdev_receive(). The
// link layer stays out of the script's sight: the port answers every ARP request itself
// with one fixed peer MAC (a proxy ARP for the whole link, RFC 1027), so the stack's
// gateway and on-link peers are always resolvable. Hosted (a test harness, not the stack).
#include <cstdint>
#include <deque>
#include <span>
#include <vector>

#include "net/iface/device.h"

namespace mayfly::net::packetdrill {

class ScriptLink : public Device {
 public:
  static const MacAddress kStackMac;
  static const MacAddress kPeerMac;

  explicit ScriptLink(size_t mtu) : mtu_(mtu) {}

  // A datagram from the script's peer. False if it is not an IPv4 datagram that fits.
  bool inject(std::span<const uint8_t> datagram);
  // The clock stamped on datagrams as they leave, in microseconds.
  void set_time(int64_t usecs) { now_usecs_ = usecs; }

  struct Sent {
    std::vector<uint8_t> datagram;
    int64_t usecs = 0;
  };
  bool has_sent() const { return !sent_.empty(); }
  Sent take_sent();
  bool has_pending_input() const { return !input_.empty(); }

  // Device.
  size_t receive(std::span<uint8_t> buffer) override;
  bool transmit(std::span<const uint8_t> frame) override;
  size_t mtu() const override { return mtu_; }
  MacAddress mac_address() const override { return kStackMac; }

 private:
  void answer_arp(std::span<const uint8_t> arp);

  size_t mtu_;
  int64_t now_usecs_ = 0;
  std::deque<std::vector<uint8_t>> input_;  // frames for the stack
  std::deque<Sent> sent_;                   // datagrams from the stack
};

}  // namespace mayfly::net::packetdrill
