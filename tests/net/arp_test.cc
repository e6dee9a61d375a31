#include <gtest/gtest.h>

#include "captures.h"
#include "iface_fixture.h"

namespace mayfly::net::testing {
namespace {

class Arp : public InterfaceTest {};

TEST_F(Arp, AnnouncesTwiceOnConfiguration) {
  iface.set_ipv4(Ipv4Config{Ipv4Cidr{kOurIp, 24}, kGatewayIp});
  iface.poll(now);
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(dev.tx.size(), 1u) << i;
    Sent s = next_sent();
    ASSERT_TRUE(s.arp);
    EXPECT_EQ(s.eth->destination(), MacAddress::broadcast());
    EXPECT_EQ(s.arp->operation, ArpOperation::kRequest);
    EXPECT_EQ(s.arp->sender_ip, kOurIp);
    EXPECT_EQ(s.arp->target_ip, kOurIp);
    EXPECT_EQ(s.arp->target_mac, MacAddress());
    EXPECT_EQ(s.frame.size(), 60u);  // padded to the Ethernet minimum
    EXPECT_EQ(iface.next_deadline(),
              i == 0 ? std::optional(now + Duration::from_secs(2)) : std::nullopt);
    advance(Duration::from_millis(1999));
    EXPECT_TRUE(dev.tx.empty());
    advance(Duration::from_millis(1));
  }
  EXPECT_TRUE(dev.tx.empty());
}

class ArpCaptured : public InterfaceTest {
 protected:
  ArpCaptured() : InterfaceTest(MacAddress(0x06, 0x3f, 0x7b, 0xe8, 0x6c, 0x9f)) {}
};

TEST_F(ArpCaptured, ReplyMatchesLinuxByteForByte) {
  configure(Ipv4Address(10, 77, 0, 1));
  inject(Bytes(captures::kArpRequest.begin(), captures::kArpRequest.end()));
  ASSERT_EQ(dev.tx.size(), 1u);
  Bytes f = dev.pop_tx();
  ASSERT_EQ(f.size(), 60u);
  EXPECT_TRUE(std::equal(captures::kArpReply.begin(), captures::kArpReply.end(), f.begin()));
  EXPECT_TRUE(std::all_of(f.begin() + 42, f.end(), [](uint8_t b) { return b == 0; }));
  EXPECT_EQ(iface.arp_cache().lookup(kPeerIp, now), kPeerMac);
  EXPECT_EQ(iface.stats().arp_replies, 1u);
}

TEST_F(Arp, IgnoresRequestsForOthersAndDoesNotLearnThem) {
  configure();
  inject(arp_frame(MacAddress::broadcast(), ArpRepr{ArpOperation::kRequest, kPeerMac, kPeerIp,
                                                    MacAddress(), Ipv4Address(10, 77, 0, 9)}));
  EXPECT_TRUE(dev.tx.empty());
  EXPECT_EQ(iface.arp_cache().lookup(kPeerIp, now), std::nullopt);
}

TEST_F(Arp, UpdatesKnownEntriesFromAnyArp) {
  configure();
  learn(kPeerMac, kPeerIp);
  MacAddress moved(2, 0, 0, 0, 0, 0x22);
  // A gratuitous ARP from the peer (RFC 826 merge): updates the existing entry.
  inject(arp_frame(MacAddress::broadcast(),
                   ArpRepr{ArpOperation::kRequest, moved, kPeerIp, MacAddress(), kPeerIp}));
  EXPECT_EQ(iface.arp_cache().lookup(kPeerIp, now), moved);
  EXPECT_TRUE(dev.tx.empty());
}

TEST_F(Arp, NothingWithoutAddressAndNoGroupMacs) {
  inject(Bytes(captures::kArpRequest.begin(), captures::kArpRequest.end()));
  EXPECT_TRUE(dev.tx.empty());
  configure();
  inject(arp_frame(MacAddress::broadcast(), ArpRepr{ArpOperation::kRequest, MacAddress::broadcast(),
                                                    kPeerIp, MacAddress(), kOurIp}));
  EXPECT_TRUE(dev.tx.empty());
  EXPECT_EQ(iface.arp_cache().size(now), 0u);
}

TEST_F(Arp, CountsConflicts) {
  configure();
  inject(arp_frame(MacAddress::broadcast(),
                   ArpRepr{ArpOperation::kReply, kPeerMac, kOurIp, MacAddress(), kOurIp}));
  EXPECT_EQ(iface.stats().arp_conflicts, 1u);
}

TEST_F(Arp, ResolvesThenSendsQueuedPacketsInOrder) {
  configure();
  auto a = bytes_of("first"), b = bytes_of("second");
  EXPECT_EQ(iface.send_udp(Port(5000), {kPeerIp, Port(7)}, a), NetError::kOk);
  EXPECT_EQ(iface.send_udp(Port(5000), {kPeerIp, Port(7)}, b), NetError::kOk);
  ASSERT_EQ(dev.tx.size(), 1u);  // one request for both
  Sent req = next_sent();
  ASSERT_TRUE(req.arp);
  EXPECT_EQ(req.arp->operation, ArpOperation::kRequest);
  EXPECT_EQ(req.arp->target_ip, kPeerIp);
  EXPECT_EQ(req.arp->sender_mac, kOurMac);
  EXPECT_EQ(iface.next_deadline(), now + Duration::from_secs(1));
  inject(arp_frame(kOurMac, ArpRepr{ArpOperation::kReply, kPeerMac, kPeerIp, kOurMac, kOurIp}));
  ASSERT_EQ(dev.tx.size(), 2u);
  for (auto* want : {&a, &b}) {
    Sent s = next_sent();
    ASSERT_TRUE(s.ip);
    EXPECT_EQ(s.eth->destination(), kPeerMac);
    auto u = UdpPacket::parse(s.ip->payload(), kOurIp, kPeerIp);
    ASSERT_TRUE(u);
    EXPECT_EQ(Bytes(u->payload().begin(), u->payload().end()), *want);
  }
  EXPECT_EQ(iface.next_deadline(), now + Duration::from_secs(2));  // only the announcement
}

TEST_F(Arp, RetriesOncePerSecondThenGivesUp) {
  configure();
  advance(Duration::from_secs(4));  // let both announcements go
  dev.tx.clear();
  EXPECT_EQ(iface.send_udp(Port(5000), {kPeerIp, Port(7)}, bytes_of("x")), NetError::kOk);
  EXPECT_EQ(dev.tx.size(), 1u);
  advance(Duration::from_millis(999));
  EXPECT_EQ(dev.tx.size(), 1u);
  advance(Duration::from_millis(1));
  EXPECT_EQ(dev.tx.size(), 2u);
  advance(Duration::from_secs(1));
  EXPECT_EQ(dev.tx.size(), 3u);
  advance(Duration::from_secs(1));  // third request unanswered: give up
  EXPECT_EQ(dev.tx.size(), 3u);
  EXPECT_EQ(iface.next_deadline(), std::nullopt);
  EXPECT_EQ(iface.stats().tx_dropped, 1u);
  dev.tx.clear();
  inject(arp_frame(kOurMac, ArpRepr{ArpOperation::kReply, kPeerMac, kPeerIp, kOurMac, kOurIp}));
  EXPECT_TRUE(dev.tx.empty());  // the packet is gone
}

TEST_F(Arp, EntriesExpire) {
  configure();
  learn(kPeerMac, kPeerIp);
  EXPECT_EQ(iface.send_udp(Port(5000), {kPeerIp, Port(7)}, bytes_of("x")), NetError::kOk);
  EXPECT_TRUE(next_sent().ip);
  now = now + ArpCache::kLifetime;
  EXPECT_EQ(iface.arp_cache().lookup(kPeerIp, now), std::nullopt);
  iface.poll(now);
  dev.tx.clear();
  EXPECT_EQ(iface.send_udp(Port(5000), {kPeerIp, Port(7)}, bytes_of("x")), NetError::kOk);
  Sent s = next_sent();
  ASSERT_TRUE(s.arp);
  EXPECT_EQ(s.arp->target_ip, kPeerIp);
}

TEST_F(Arp, PendingQueueIsBoundedAndKeepsTheLatest) {
  configure();
  for (uint8_t h = 10; h < 15; ++h)
    EXPECT_EQ(iface.send_udp(Port(5000), {Ipv4Address(10, 77, 0, h), Port(7)}, bytes_of("x")),
              NetError::kOk);
  EXPECT_EQ(dev.tx.size(), 5u);  // a request each
  dev.tx.clear();
  EXPECT_EQ(iface.stats().tx_dropped, 1u);  // the oldest (to .10) was replaced
  auto reply = [&](uint8_t h) {
    inject(arp_frame(kOurMac, ArpRepr{ArpOperation::kReply, kPeerMac, Ipv4Address(10, 77, 0, h),
                                      kOurMac, kOurIp}));
  };
  reply(10);
  EXPECT_TRUE(dev.tx.empty());
  for (uint8_t h = 11; h < 15; ++h) {
    reply(h);
    ASSERT_EQ(dev.tx.size(), 1u) << int(h);
    Sent s = next_sent();
    ASSERT_TRUE(s.ip);
    EXPECT_EQ(s.ip->destination(), Ipv4Address(10, 77, 0, h));
  }
}

TEST_F(Arp, RoutesOffLinkThroughTheGateway) {
  configure();
  EXPECT_EQ(iface.send_udp(Port(5000), {Ipv4Address(8, 8, 8, 8), Port(53)}, bytes_of("q")),
            NetError::kOk);
  Sent req = next_sent();
  ASSERT_TRUE(req.arp);
  EXPECT_EQ(req.arp->target_ip, kGatewayIp);
  inject(
      arp_frame(kOurMac, ArpRepr{ArpOperation::kReply, kGatewayMac, kGatewayIp, kOurMac, kOurIp}));
  Sent s = next_sent();
  ASSERT_TRUE(s.ip);
  EXPECT_EQ(s.eth->destination(), kGatewayMac);
  EXPECT_EQ(s.ip->destination(), Ipv4Address(8, 8, 8, 8));
}

TEST_F(Arp, RoutingErrors) {
  EXPECT_EQ(iface.send_udp(Port(1), {kPeerIp, Port(7)}, bytes_of("x")), NetError::kUnaddressed);
  // Limited broadcast works unconfigured, from 0.0.0.0 (what DHCP needs).
  EXPECT_EQ(iface.send_udp(Port(68), {Ipv4Address::broadcast(), Port(67)}, bytes_of("x")),
            NetError::kOk);
  Sent b = next_sent();
  ASSERT_TRUE(b.ip);
  EXPECT_EQ(b.eth->destination(), MacAddress::broadcast());
  EXPECT_EQ(b.ip->source(), Ipv4Address());
  configure(kOurIp, std::nullopt);
  EXPECT_EQ(iface.send_udp(Port(1), {Ipv4Address(8, 8, 8, 8), Port(7)}, bytes_of("x")),
            NetError::kNoRoute);
  EXPECT_EQ(iface.send_udp(Port(1), {Ipv4Address(224, 0, 0, 1), Port(7)}, bytes_of("x")),
            NetError::kNoRoute);
  EXPECT_EQ(iface.send_udp(Port(1), {kOurIp, Port(7)}, bytes_of("x")), NetError::kNoRoute);
  EXPECT_EQ(iface.send_udp(Port(1), {kSubnetBroadcast, Port(7)}, bytes_of("x")), NetError::kOk);
  EXPECT_EQ(next_sent().eth->destination(), MacAddress::broadcast());
  Bytes big(1473);
  EXPECT_EQ(iface.send_udp(Port(1), {kSubnetBroadcast, Port(7)}, big), NetError::kTooLarge);
  big.resize(1472);
  EXPECT_EQ(iface.send_udp(Port(1), {kSubnetBroadcast, Port(7)}, big), NetError::kOk);
  EXPECT_EQ(next_sent().frame.size(), 1514u);
  dev.refuse = true;
  EXPECT_EQ(iface.send_udp(Port(1), {kSubnetBroadcast, Port(7)}, bytes_of("x")),
            NetError::kDeviceBusy);
}

}  // namespace
}  // namespace mayfly::net::testing
