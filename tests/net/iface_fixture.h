#pragma once
// A configured Interface on a FakeDevice with a peer and a gateway on the link, in
// virtual time.
#include <gtest/gtest.h>

#include <optional>

#include "harness.h"
#include "net/iface/interface.h"
#include "net/wire/tcp.h"

namespace mayfly::net::testing {

inline const MacAddress kOurMac(2, 0, 0, 0, 0, 1);
inline const MacAddress kPeerMac(2, 0, 0, 0, 0, 2);
inline const MacAddress kGatewayMac(2, 0, 0, 0, 0, 0xfe);
inline const Ipv4Address kOurIp(10, 77, 0, 1);
inline const Ipv4Address kPeerIp(10, 77, 0, 60);
inline const Ipv4Address kGatewayIp(10, 77, 0, 254);
inline const Ipv4Address kSubnetBroadcast(10, 77, 0, 255);

// A decoded frame the interface sent.
struct Sent {
  Bytes frame;
  std::optional<EthernetFrame> eth;
  std::optional<Ipv4Packet> ip;
  std::optional<ArpRepr> arp;
};

inline Sent decode(Bytes frame) {
  Sent s;
  s.frame = std::move(frame);
  s.eth = EthernetFrame::parse(s.frame);
  if (!s.eth) return s;
  if (s.eth->ethertype() == uint16_t(EtherType::kArp)) s.arp = ArpRepr::parse(s.eth->payload());
  if (s.eth->ethertype() == uint16_t(EtherType::kIpv4)) s.ip = Ipv4Packet::parse(s.eth->payload());
  return s;
}

class InterfaceTest : public ::testing::Test {
 protected:
  explicit InterfaceTest(MacAddress mac = kOurMac, uint32_t first_ip_id = 0x1000)
      : dev(mac), rnd{first_ip_id}, iface(dev, rnd) {}

  void configure(Ipv4Address ip = kOurIp, std::optional<Ipv4Address> gw = kGatewayIp) {
    iface.set_ipv4(Ipv4Config{Ipv4Cidr{ip, 24}, gw});
    iface.poll(now);
    dev.tx.clear();  // the first announcement
    announcements_pending = true;
  }
  void advance(Duration d) {
    now = now + d;
    iface.poll(now);
  }
  void inject(Bytes frame) {
    dev.rx.push_back(std::move(frame));
    iface.poll(now);
  }
  // The peer asks for us: we answer and learn it.
  void learn(MacAddress mac, Ipv4Address ip) {
    inject(arp_frame(MacAddress::broadcast(), ArpRepr{ArpOperation::kRequest, mac, ip, MacAddress(),
                                                      iface.source_address()}));
    dev.tx.clear();
  }
  // A datagram from the peer, in a frame to our MAC unless told otherwise.
  Bytes from_peer_ip(uint8_t proto, std::span<const uint8_t> l4, Ipv4Address dst = kOurIp,
                     std::optional<MacAddress> eth_dst = std::nullopt) {
    return ethernet(eth_dst.value_or(iface.mac()), kPeerMac, EtherType::kIpv4,
                    ipv4_datagram(kPeerIp, dst, proto, l4));
  }
  Sent next_sent() { return decode(dev.pop_tx()); }

  FakeDevice dev;
  FakeRandom rnd;
  Interface iface;
  Instant now = Instant::from_secs(1000);
  bool announcements_pending = false;
};

}  // namespace mayfly::net::testing
