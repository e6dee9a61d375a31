#include <gtest/gtest.h>

#include "captures.h"
#include "iface_fixture.h"

namespace mayfly::net::testing {
namespace {

// The captured ping was answered by Linux with IP id 0xdc94; our counter starts there.
class Ipv4Input : public InterfaceTest {
 protected:
  Ipv4Input() : InterfaceTest(kOurMac, 0xdc94) {}
  void SetUp() override {
    configure();
    learn(kPeerMac, kPeerIp);
  }
  void expect_unreachable(IcmpUnreachable code, std::span<const uint8_t> original_ip) {
    ASSERT_EQ(dev.tx.size(), 1u);
    Sent s = next_sent();
    ASSERT_TRUE(s.ip);
    EXPECT_EQ(s.ip->destination(), kPeerIp);
    EXPECT_EQ(s.ip->protocol(), 1);
    auto icmp = IcmpPacket::parse(s.ip->payload());
    ASSERT_TRUE(icmp);
    EXPECT_EQ(icmp->type(), uint8_t(IcmpType::kDestUnreachable));
    EXPECT_EQ(icmp->code(), uint8_t(code));
    // RFC 792: the original header and the first 8 data octets.
    size_t want = std::min<size_t>(original_ip.size(), 28);
    ASSERT_EQ(icmp->data().size(), want);
    EXPECT_TRUE(std::equal(icmp->data().begin(), icmp->data().end(), original_ip.begin()));
  }
};

TEST_F(Ipv4Input, EchoReplyMatchesLinuxByteForByte) {
  inject(Bytes(captures::kEchoRequest.begin(), captures::kEchoRequest.end()));
  ASSERT_EQ(dev.tx.size(), 1u);
  Bytes f = dev.pop_tx();
  EXPECT_EQ(f, Bytes(captures::kEchoReply.begin(), captures::kEchoReply.end()));
  EXPECT_EQ(iface.stats().icmp_echo_replies, 1u);
}

TEST_F(Ipv4Input, PortUnreachableForClosedUdpPort) {
  inject(Bytes(captures::kUdpDatagram.begin(), captures::kUdpDatagram.end()));
  expect_unreachable(IcmpUnreachable::kPort, std::span(captures::kUdpDatagram).subspan(14));
  EXPECT_EQ(iface.stats().udp_no_socket, 1u);
}

TEST_F(Ipv4Input, ProtocolUnreachable) {
  Bytes l4 = bytes_of("GRE-ish payload");
  Bytes f = from_peer_ip(47, l4);
  inject(f);
  expect_unreachable(IcmpUnreachable::kProtocol, std::span(f).subspan(14));
  // TCP without a handler: we do not speak it.
  auto syn = Bytes(captures::kTcpSyn.begin(), captures::kTcpSyn.end());
  kOurMac.write(syn.data());  // captured towards another MAC
  inject(syn);
  expect_unreachable(IcmpUnreachable::kProtocol, std::span(syn).subspan(14));
}

TEST_F(Ipv4Input, NoErrorsAboutBroadcastsOrErrors) {
  auto udp = udp_segment(kPeerIp, kSubnetBroadcast, 1, 9, bytes_of("x"));
  inject(from_peer_ip(17, udp, kSubnetBroadcast, MacAddress::broadcast()));
  udp = udp_segment(kPeerIp, Ipv4Address::broadcast(), 1, 9, bytes_of("x"));
  inject(from_peer_ip(17, udp, Ipv4Address::broadcast(), MacAddress::broadcast()));
  // An ICMP error to us about something: never answered with an error.
  uint8_t quote[28] = {0x45};
  IcmpRepr err{IcmpType::kDestUnreachable, 3, 0, 0, quote};
  Bytes e(err.size());
  err.emit(e);
  inject(from_peer_ip(1, e));
  // Echo to broadcast: ignored (RFC 1122 §3.2.2.6 MAY).
  inject(from_peer_ip(1, icmp_echo(IcmpType::kEchoRequest, 1, 1, bytes_of("smurf")),
                      Ipv4Address::broadcast(), MacAddress::broadcast()));
  EXPECT_TRUE(dev.tx.empty());
  EXPECT_EQ(iface.stats().udp_no_socket, 2u);
}

TEST_F(Ipv4Input, DropsWhatIsNotForUs) {
  auto echo = icmp_echo(IcmpType::kEchoRequest, 7, 1, bytes_of("hi"));
  uint64_t dropped = iface.stats().rx_dropped;
  // Another host's address.
  inject(from_peer_ip(1, echo, Ipv4Address(10, 77, 0, 2)));
  // Our address in a frame to another MAC, or to a multicast MAC.
  inject(from_peer_ip(1, echo, kOurIp, MacAddress(2, 0, 0, 0, 0, 9)));
  inject(from_peer_ip(1, echo, kOurIp, MacAddress(1, 0, 0x5e, 0, 0, 1)));
  // Unicast IP in a link-layer broadcast (RFC 1122 §3.3.6).
  inject(from_peer_ip(1, echo, kOurIp, MacAddress::broadcast()));
  // Source is broadcast, multicast, class E or loopback (RFC 1122 §3.2.1.3).
  for (auto src : {Ipv4Address::broadcast(), Ipv4Address(224, 1, 1, 1), Ipv4Address(240, 0, 0, 1),
                   Ipv4Address(127, 0, 0, 1)})
    inject(ethernet(kOurMac, kPeerMac, EtherType::kIpv4, ipv4_datagram(src, kOurIp, 1, echo)));
  // A bad header checksum.
  Bytes bad = from_peer_ip(1, echo);
  bad[14 + 10] ^= 0xff;
  inject(bad);
  // A bad ICMP checksum.
  Bytes badicmp = echo;
  badicmp[2] ^= 1;
  inject(from_peer_ip(1, badicmp));
  // Runt frames and IPv6.
  inject(Bytes(10, 0));
  inject(ethernet(kOurMac, kPeerMac, EtherType::kIpv6, bytes_of("not today")));
  EXPECT_TRUE(dev.tx.empty());
  EXPECT_EQ(iface.stats().rx_dropped - dropped, 12u);
}

TEST_F(Ipv4Input, LowTtlIsStillAcceptedByAHost) {
  auto echo = icmp_echo(IcmpType::kEchoRequest, 7, 1, bytes_of("ttl"));
  inject(ethernet(kOurMac, kPeerMac, EtherType::kIpv4,
                  ipv4_datagram(kPeerIp, kOurIp, 1, echo, 9, false, 0, /*ttl=*/1)));
  Sent s = next_sent();
  ASSERT_TRUE(s.ip);
  EXPECT_EQ(s.ip->ttl(), Ipv4Repr::kDefaultTtl);
}

TEST_F(Ipv4Input, IcmpErrorsAreRateLimited) {
  auto udp = udp_segment(kPeerIp, kOurIp, 1, 9, bytes_of("x"));
  for (int i = 0; i < 15; ++i) dev.rx.push_back(from_peer_ip(17, udp));
  iface.poll(now);
  EXPECT_EQ(dev.tx.size(), size_t(Interface::kIcmpErrorsPerSecond));
  dev.tx.clear();
  now = now + Duration::from_secs(1);
  inject(from_peer_ip(17, udp));
  EXPECT_EQ(dev.tx.size(), 1u);
}

TEST_F(Ipv4Input, PollBudgetBoundsWork) {
  auto echo = icmp_echo(IcmpType::kEchoRequest, 7, 1, bytes_of("hi"));
  for (size_t i = 0; i < Interface::kRxBudget + 5; ++i) dev.rx.push_back(from_peer_ip(1, echo));
  EXPECT_TRUE(iface.poll(now));
  EXPECT_EQ(dev.rx.size(), 5u);
  EXPECT_TRUE(iface.poll(now));
  EXPECT_FALSE(iface.poll(now));
  EXPECT_EQ(iface.stats().icmp_echo_replies, Interface::kRxBudget + 5);
}

TEST_F(Ipv4Input, ClearedConfigurationStopsAnswering) {
  iface.clear_ipv4();
  inject(Bytes(captures::kEchoRequest.begin(), captures::kEchoRequest.end()));
  EXPECT_TRUE(dev.tx.empty());
  EXPECT_FALSE(iface.ipv4());
}

}  // namespace
}  // namespace mayfly::net::testing
