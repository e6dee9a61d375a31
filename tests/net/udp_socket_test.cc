#include <gtest/gtest.h>

#include <memory>

#include "iface_fixture.h"

namespace mayfly::net::testing {
namespace {

class Udp : public InterfaceTest {
 protected:
  void SetUp() override {
    configure();
    learn(kPeerMac, kPeerIp);
  }
  void datagram_from_peer(uint16_t sport, uint16_t dport, std::span<const uint8_t> payload,
                          Ipv4Address dst = kOurIp) {
    MacAddress eth = dst == kOurIp ? kOurMac : MacAddress::broadcast();
    inject(from_peer_ip(17, udp_segment(kPeerIp, dst, sport, dport, payload), dst, eth));
  }
};

TEST_F(Udp, ReceivesWithMetadata) {
  StaticUdpSocket<4, 512> sock;
  ASSERT_EQ(iface.udp_bind(sock, Port(7)), NetError::kOk);
  EXPECT_TRUE(sock.is_bound());
  EXPECT_EQ(sock.local_port(), Port(7));
  datagram_from_peer(4000, 7, bytes_of("hello"));
  datagram_from_peer(4001, 7, bytes_of("bcast"), kSubnetBroadcast);
  EXPECT_TRUE(dev.tx.empty());
  ASSERT_EQ(sock.queued(), 2u);
  uint8_t buf[64];
  auto m = sock.recv_from(buf);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->remote, (Ipv4Endpoint{kPeerIp, Port(4000)}));
  EXPECT_EQ(m->local_address, kOurIp);
  EXPECT_EQ(m->size, 5u);
  EXPECT_FALSE(m->truncated);
  EXPECT_EQ(std::string(buf, buf + 5), "hello");
  m = sock.recv_from(std::span(buf, 3));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->local_address, kSubnetBroadcast);
  EXPECT_TRUE(m->truncated);
  EXPECT_EQ(std::string(buf, buf + 3), "bca");
  EXPECT_FALSE(sock.recv_from(buf));
}

TEST_F(Udp, SendsFromItsPort) {
  StaticUdpSocket<2, 256> sock;
  EXPECT_EQ(sock.send_to(bytes_of("x"), {kPeerIp, Port(9)}), NetError::kNotBound);
  ASSERT_EQ(iface.udp_bind(sock, Port(5353)), NetError::kOk);
  EXPECT_EQ(sock.send_to(bytes_of("answer"), {kPeerIp, Port(9)}), NetError::kOk);
  Sent s = next_sent();
  ASSERT_TRUE(s.ip);
  EXPECT_EQ(s.eth->destination(), kPeerMac);
  EXPECT_EQ(s.eth->source(), kOurMac);
  EXPECT_EQ(s.ip->source(), kOurIp);
  EXPECT_EQ(s.ip->protocol(), 17);
  EXPECT_FALSE(s.ip->dont_fragment());
  auto u = UdpPacket::parse(s.ip->payload(), kOurIp, kPeerIp);
  ASSERT_TRUE(u);
  EXPECT_NE(u->checksum(), 0);
  EXPECT_EQ(u->source_port(), Port(5353));
  EXPECT_EQ(u->destination_port(), Port(9));
  EXPECT_EQ(std::string(u->payload().begin(), u->payload().end()), "answer");
  Bytes big(1500);
  EXPECT_EQ(sock.send_to(big, {kPeerIp, Port(9)}), NetError::kTooLarge);
}

TEST_F(Udp, PortTableRules) {
  StaticUdpSocket<1, 64> a, b;
  ASSERT_EQ(iface.udp_bind(a, Port(1)), NetError::kOk);
  EXPECT_EQ(iface.udp_bind(b, Port(1)), NetError::kAddressInUse);
  EXPECT_EQ(iface.udp_bind(a, Port(2)), NetError::kAddressInUse);  // already bound
  iface.udp_unbind(a);
  EXPECT_FALSE(a.is_bound());
  EXPECT_EQ(iface.udp_bind(b, Port(1)), NetError::kOk);
  std::vector<std::unique_ptr<StaticUdpSocket<1, 64>>> more;
  for (size_t i = 1; i < Interface::kUdpSockets; ++i) {
    more.push_back(std::make_unique<StaticUdpSocket<1, 64>>());
    ASSERT_EQ(iface.udp_bind(*more.back(), Port(uint16_t(100 + i))), NetError::kOk);
  }
  EXPECT_EQ(iface.udp_bind(a, Port(3)), NetError::kNoSocketSlot);
  more.pop_back();  // the destructor unbinds
  EXPECT_EQ(iface.udp_bind(a, Port(3)), NetError::kOk);
}

TEST_F(Udp, DropsWhenFullOrTooBig) {
  StaticUdpSocket<2, 8> sock;
  ASSERT_EQ(iface.udp_bind(sock, Port(7)), NetError::kOk);
  datagram_from_peer(1, 7, bytes_of("123456789"));  // 9 > 8
  datagram_from_peer(1, 7, bytes_of("a"));
  datagram_from_peer(1, 7, bytes_of("b"));
  datagram_from_peer(1, 7, bytes_of("c"));  // queue full
  EXPECT_EQ(sock.queued(), 2u);
  EXPECT_EQ(sock.dropped(), 2u);
  uint8_t buf[8];
  EXPECT_EQ(sock.recv_from(buf)->size, 1u);
  EXPECT_EQ(buf[0], 'a');
  datagram_from_peer(1, 7, bytes_of("d"));  // wraps around the ring
  EXPECT_EQ(sock.recv_from(buf)->size, 1u);
  EXPECT_EQ(buf[0], 'b');
  EXPECT_EQ(sock.recv_from(buf)->size, 1u);
  EXPECT_EQ(buf[0], 'd');
  EXPECT_TRUE(dev.tx.empty());  // no ICMP for a bound port
}

TEST_F(Udp, BadChecksumDropped) {
  StaticUdpSocket<2, 64> sock;
  ASSERT_EQ(iface.udp_bind(sock, Port(7)), NetError::kOk);
  Bytes u = udp_segment(kPeerIp, kOurIp, 1, 7, bytes_of("abc"));
  u[8] ^= 1;
  inject(from_peer_ip(17, u));
  EXPECT_EQ(sock.queued(), 0u);
}

TEST(UdpSocketStandalone, InterfaceOutlivedBySocketIsSafe) {
  StaticUdpSocket<1, 16> sock;
  {
    FakeDevice dev(kOurMac);
    FakeRandom rnd;
    Interface iface(dev, rnd);
    ASSERT_EQ(iface.udp_bind(sock, Port(1)), NetError::kOk);
  }
  EXPECT_FALSE(sock.is_bound());
}

}  // namespace
}  // namespace mayfly::net::testing
