#include <gtest/gtest.h>

#include "iface_fixture.h"

namespace mayfly::net::testing {
namespace {

class Reassembly : public InterfaceTest {
 protected:
  void SetUp() override {
    configure();
    advance(Duration::from_secs(3));  // past the announcements
    learn(kPeerMac, kPeerIp);
    ASSERT_EQ(iface.udp_bind(sock, Port(7)), NetError::kOk);
  }
  // Splits a transport payload into IPv4 fragments of `chunk` bytes (a multiple of 8).
  std::vector<Bytes> fragments(uint8_t proto, const Bytes& l4, size_t chunk, uint16_t id) {
    std::vector<Bytes> out;
    for (size_t off = 0; off < l4.size(); off += chunk) {
      size_t n = std::min(chunk, l4.size() - off);
      bool mf = off + n < l4.size();
      out.push_back(ethernet(
          kOurMac, kPeerMac, EtherType::kIpv4,
          ipv4_datagram(kPeerIp, kOurIp, proto, std::span(l4).subspan(off, n), id, mf, off)));
    }
    return out;
  }
  Bytes payload(size_t n) {
    Bytes p(n);
    for (size_t i = 0; i < n; ++i) p[i] = uint8_t(i * 7 + i / 251);
    return p;
  }
  Bytes received() {
    Bytes buf(9000);
    auto m = sock.recv_from(buf);
    if (!m) return {};
    buf.resize(m->size);
    return buf;
  }

  StaticUdpSocket<4, 8192> sock;
};

TEST_F(Reassembly, OutOfOrderFragmentsMakeOneDatagram) {
  Bytes p = payload(3000);
  auto frags = fragments(17, udp_segment(kPeerIp, kOurIp, 1, 7, p), 1480, 42);
  ASSERT_EQ(frags.size(), 3u);
  inject(frags[2]);
  inject(frags[0]);
  EXPECT_EQ(iface.reassembler().in_use(), 1u);
  EXPECT_EQ(iface.next_deadline(), now + FragmentReassembler::kTimeout);
  inject(frags[1]);
  EXPECT_EQ(received(), p);
  EXPECT_EQ(iface.reassembler().in_use(), 0u);
}

TEST_F(Reassembly, DuplicatesAndOverlapsStillComplete) {
  Bytes p = payload(2000);
  Bytes l4 = udp_segment(kPeerIp, kOurIp, 1, 7, p);
  auto big = fragments(17, l4, 1000, 5);
  auto small = fragments(17, l4, 504, 5);
  inject(small[0]);
  inject(small[0]);
  inject(big[1]);  // 1000..1999: overlaps small[1] and small[2]
  inject(big[0]);
  inject(small[3]);
  EXPECT_EQ(received(), p);
}

TEST_F(Reassembly, IncompleteDatagramTimesOut) {
  auto frags = fragments(17, udp_segment(kPeerIp, kOurIp, 1, 7, payload(2000)), 1024, 9);
  inject(frags[0]);
  EXPECT_EQ(iface.reassembler().in_use(), 1u);
  advance(FragmentReassembler::kTimeout - Duration::from_millis(1));
  EXPECT_EQ(iface.reassembler().in_use(), 1u);
  advance(Duration::from_millis(1));
  EXPECT_EQ(iface.reassembler().in_use(), 0u);
  EXPECT_EQ(iface.reassembler().dropped(), 1u);
  inject(frags[1]);  // the tail alone does not complete anything
  EXPECT_FALSE(sock.can_recv());
  EXPECT_EQ(iface.reassembler().in_use(), 1u);
}

TEST_F(Reassembly, SlotsAreLimited) {
  std::vector<std::vector<Bytes>> all;
  for (uint16_t id = 1; id <= FragmentReassembler::kSlots + 1; ++id)
    all.push_back(fragments(17, udp_segment(kPeerIp, kOurIp, 1, 7, payload(100 + id)), 64, id));
  for (auto& f : all) inject(f[0]);
  EXPECT_EQ(iface.reassembler().in_use(), FragmentReassembler::kSlots);
  EXPECT_EQ(iface.reassembler().dropped(), 1u);
  for (auto& f : all)
    for (size_t i = 1; i < f.size(); ++i) inject(f[i]);
  // The first four complete; the fifth's head was dropped, so its tail waits in a slot.
  EXPECT_EQ(sock.queued(), FragmentReassembler::kSlots);
  EXPECT_EQ(iface.reassembler().in_use(), 1u);
}

TEST_F(Reassembly, OversizeAndMalformedAreDropped) {
  // A fragment ending past 8 KiB.
  Bytes chunk(16);
  inject(ethernet(kOurMac, kPeerMac, EtherType::kIpv4,
                  ipv4_datagram(kPeerIp, kOurIp, 17, chunk, 77, true, 8184)));
  EXPECT_EQ(iface.reassembler().in_use(), 0u);
  // A middle fragment whose length is not a multiple of 8.
  Bytes odd(12);
  inject(ethernet(kOurMac, kPeerMac, EtherType::kIpv4,
                  ipv4_datagram(kPeerIp, kOurIp, 17, odd, 78, true, 0)));
  EXPECT_EQ(iface.reassembler().in_use(), 0u);
  // Two different "last" fragments.
  inject(ethernet(kOurMac, kPeerMac, EtherType::kIpv4,
                  ipv4_datagram(kPeerIp, kOurIp, 17, chunk, 79, false, 64)));
  EXPECT_EQ(iface.reassembler().in_use(), 1u);
  inject(ethernet(kOurMac, kPeerMac, EtherType::kIpv4,
                  ipv4_datagram(kPeerIp, kOurIp, 17, chunk, 79, false, 128)));
  EXPECT_EQ(iface.reassembler().in_use(), 0u);
  EXPECT_EQ(iface.reassembler().dropped(), 3u);
  EXPECT_TRUE(dev.tx.empty());
}

TEST_F(Reassembly, FragmentedPingIsAnswered) {
  Bytes data = payload(1200);
  auto frags = fragments(1, icmp_echo(IcmpType::kEchoRequest, 3, 4, data), 800, 11);
  ASSERT_EQ(frags.size(), 2u);
  inject(frags[1]);
  inject(frags[0]);
  Sent s = next_sent();
  ASSERT_TRUE(s.ip);
  auto icmp = IcmpPacket::parse(s.ip->payload());
  ASSERT_TRUE(icmp);
  EXPECT_EQ(icmp->type(), uint8_t(IcmpType::kEchoReply));
  EXPECT_EQ(Bytes(icmp->data().begin(), icmp->data().end()), data);
}

TEST_F(Reassembly, TooBigToAnswerInOneFrame) {
  // A 3000-byte ping reassembles, but we never fragment, so there is no reply.
  auto frags = fragments(1, icmp_echo(IcmpType::kEchoRequest, 3, 4, payload(3000)), 1480, 12);
  for (auto& f : frags) inject(f);
  EXPECT_TRUE(dev.tx.empty());
}

TEST_F(Reassembly, ClosedPortAfterReassemblyQuotesTheHeader) {
  auto frags = fragments(17, udp_segment(kPeerIp, kOurIp, 1, 9, payload(100)), 64, 13);
  for (auto& f : frags) inject(f);
  Sent s = next_sent();
  ASSERT_TRUE(s.ip);
  auto icmp = IcmpPacket::parse(s.ip->payload());
  ASSERT_TRUE(icmp);
  EXPECT_EQ(icmp->code(), uint8_t(IcmpUnreachable::kPort));
  auto quoted = Ipv4Packet::parse(icmp->data().first(20));
  ASSERT_FALSE(quoted);  // total length says 128: the quote holds only 28 bytes
  EXPECT_EQ(load_be16(icmp->data().data() + 2), 128);
  EXPECT_EQ(load_be16(icmp->data().data() + 6), 0);  // no fragment fields
  EXPECT_EQ(internet_checksum(icmp->data().first(20)), 0);
}

}  // namespace
}  // namespace mayfly::net::testing
