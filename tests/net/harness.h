#pragma once
// A virtual-time harness for the stack: a Device backed by frame queues, a scripted
// random source, and helpers that build peer frames with the stack's own emitters.
#include <cstdint>
#include <cstring>
#include <deque>
#include <initializer_list>
#include <span>
#include <vector>

#include "net/iface/device.h"
#include "net/wire/address.h"
#include "net/wire/arp.h"
#include "net/wire/ethernet.h"
#include "net/wire/icmpv4.h"
#include "net/wire/ipv4.h"
#include "net/wire/udp.h"

namespace mayfly::net::testing {

using Bytes = std::vector<uint8_t>;

class FakeDevice : public Device {
 public:
  explicit FakeDevice(MacAddress mac, size_t mtu = 1500) : mac_(mac), mtu_(mtu) {}
  size_t receive(std::span<uint8_t> buffer) override {
    while (!rx.empty()) {
      Bytes f = std::move(rx.front());
      rx.pop_front();
      if (f.size() > buffer.size()) continue;  // the device drops oversized frames
      std::memcpy(buffer.data(), f.data(), f.size());
      return f.size();
    }
    return 0;
  }
  bool transmit(std::span<const uint8_t> frame) override {
    if (refuse) return false;
    tx.emplace_back(frame.begin(), frame.end());
    return true;
  }
  size_t mtu() const override { return mtu_; }
  MacAddress mac_address() const override { return mac_; }
  // Segmentation offload when `tso` is set: large frames land in tso_tx.
  size_t tso_max_datagram() const override { return tso; }
  bool transmit_tso(std::span<const uint8_t> frame, uint16_t mss) override {
    if (tso == 0) return false;
    tso_tx.emplace_back(frame.begin(), frame.end());
    tso_mss.push_back(mss);
    return true;
  }

  Bytes pop_tx() {
    if (tx.empty()) return {};
    Bytes f = std::move(tx.front());
    tx.pop_front();
    return f;
  }

  std::deque<Bytes> rx;
  std::deque<Bytes> tx;
  bool refuse = false;
  size_t tso = 0;
  std::deque<Bytes> tso_tx;
  std::vector<uint16_t> tso_mss;

 private:
  MacAddress mac_;
  size_t mtu_;
};

// Returns scripted values first, then a deterministic xorshift sequence.
class FakeRandom : public Random {
 public:
  FakeRandom(std::initializer_list<uint32_t> script = {}) : script_(script) {}
  uint32_t next_u32() override {
    if (!script_.empty()) {
      uint32_t v = script_.front();
      script_.pop_front();
      return v;
    }
    state_ ^= state_ << 13;
    state_ ^= state_ >> 17;
    state_ ^= state_ << 5;
    return state_;
  }
  void push(uint32_t v) { script_.push_back(v); }

 private:
  std::deque<uint32_t> script_;
  uint32_t state_ = 2463534242u;
};

inline Bytes ethernet(MacAddress dst, MacAddress src, EtherType type,
                      std::span<const uint8_t> payload) {
  Bytes f(EthernetFrame::kHeaderSize + payload.size());
  EthernetRepr{dst, src, type}.emit(f);
  std::memcpy(f.data() + EthernetFrame::kHeaderSize, payload.data(), payload.size());
  return f;
}

inline Bytes arp_frame(MacAddress eth_dst, const ArpRepr& arp) {
  uint8_t b[ArpRepr::kSize];
  arp.emit(b);
  return ethernet(eth_dst, arp.sender_mac, EtherType::kArp, b);
}

// An IPv4 datagram (header + raw transport bytes) with explicit fragment fields.
inline Bytes ipv4_datagram(Ipv4Address src, Ipv4Address dst, uint8_t proto,
                           std::span<const uint8_t> l4, uint16_t id = 1, bool mf = false,
                           size_t offset = 0, uint8_t ttl = 64) {
  Bytes d(20 + l4.size());
  Ipv4Repr r;
  r.source = src;
  r.destination = dst;
  r.protocol = IpProtocol(proto);
  r.payload_len = uint16_t(l4.size());
  r.identification = id;
  r.ttl = ttl;
  r.emit(d);
  store_be16(d.data() + 6, uint16_t((mf ? 0x2000 : 0) | (offset / 8)));
  store_be16(d.data() + 10, 0);
  store_be16(d.data() + 10, internet_checksum(std::span<const uint8_t>(d.data(), 20)));
  std::memcpy(d.data() + 20, l4.data(), l4.size());
  return d;
}

inline Bytes udp_segment(Ipv4Address src, Ipv4Address dst, uint16_t sport, uint16_t dport,
                         std::span<const uint8_t> payload) {
  UdpRepr u{Port(sport), Port(dport), payload};
  Bytes b(u.size());
  u.emit(b, src, dst);
  return b;
}

inline Bytes icmp_echo(IcmpType type, uint16_t id, uint16_t seq, std::span<const uint8_t> data) {
  IcmpRepr r{type, 0, id, seq, data};
  Bytes b(r.size());
  r.emit(b);
  return b;
}

inline Bytes bytes_of(std::string_view s) {
  return Bytes(s.begin(), s.end());
}

}  // namespace mayfly::net::testing
