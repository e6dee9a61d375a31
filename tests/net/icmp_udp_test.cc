#include <gtest/gtest.h>

#include <vector>

#include "captures.h"
#include "net/wire/icmpv4.h"
#include "net/wire/ipv4.h"
#include "net/wire/udp.h"

namespace mayfly::net {
namespace {

using namespace captures;

const Ipv4Address kPeer(10, 77, 0, 60);
const Ipv4Address kHost(10, 77, 0, 1);

TEST(IcmpPacket, ParsesCapturedEcho) {
  auto i = IcmpPacket::parse(std::span(kEchoRequest).subspan(34));
  ASSERT_TRUE(i);
  EXPECT_EQ(i->type(), uint8_t(IcmpType::kEchoRequest));
  EXPECT_EQ(i->code(), 0);
  EXPECT_EQ(i->echo_identifier(), 0x1234);
  EXPECT_EQ(i->echo_sequence(), 1);
  EXPECT_EQ(std::string(i->data().begin(), i->data().end()), "mayfly ping data!!");
}

TEST(IcmpRepr, EchoReplyReproducesLinux) {
  auto req = IcmpPacket::parse(std::span(kEchoRequest).subspan(34));
  ASSERT_TRUE(req);
  IcmpRepr r{IcmpType::kEchoReply, 0, req->echo_identifier(), req->echo_sequence(), req->data()};
  std::vector<uint8_t> b(r.size());
  ASSERT_TRUE(r.emit(b));
  EXPECT_TRUE(std::equal(b.begin(), b.end(), kEchoReply.begin() + 34));
  std::vector<uint8_t> small(r.size() - 1);
  EXPECT_FALSE(r.emit(small));
}

TEST(IcmpPacket, ParsesCapturedPortUnreachable) {
  auto ip = Ipv4Packet::parse(std::span(kPortUnreachable).subspan(14));
  ASSERT_TRUE(ip);
  auto i = IcmpPacket::parse(ip->payload());
  ASSERT_TRUE(i);
  EXPECT_EQ(i->type(), uint8_t(IcmpType::kDestUnreachable));
  EXPECT_EQ(i->code(), uint8_t(IcmpUnreachable::kPort));
  auto quoted = Ipv4Packet::parse(i->data());
  ASSERT_TRUE(quoted);
  EXPECT_EQ(quoted->destination(), kHost);
  EXPECT_EQ(load_be16(quoted->payload().data() + 2), 9999);
}

TEST(IcmpPacket, RejectsShortAndCorrupt) {
  auto m = std::span(kEchoRequest).subspan(34);
  for (size_t n = 0; n < IcmpPacket::kHeaderSize; ++n) EXPECT_FALSE(IcmpPacket::parse(m.first(n)));
  std::vector<uint8_t> b(m.begin(), m.end());
  b[20] ^= 0x01;
  EXPECT_FALSE(IcmpPacket::parse(b));
}

TEST(UdpPacket, ParsesCapturedDatagram) {
  auto u = UdpPacket::parse(std::span(kUdpDatagram).subspan(34), kPeer, kHost);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->source_port(), Port(40000));
  EXPECT_EQ(u->destination_port(), Port(9999));
  EXPECT_EQ(u->length(), 18);
  EXPECT_EQ(std::string(u->payload().begin(), u->payload().end()), "hello udp\n");
  // The pseudo-header is part of the checksum: other addresses fail.
  EXPECT_FALSE(
      UdpPacket::parse(std::span(kUdpDatagram).subspan(34), kPeer, Ipv4Address(10, 77, 0, 2)));
}

TEST(UdpRepr, EmitReproducesLinux) {
  const std::string payload = "hello udp\n";
  UdpRepr r{Port(40000), Port(9999),
            std::span(reinterpret_cast<const uint8_t*>(payload.data()), payload.size())};
  std::vector<uint8_t> b(r.size());
  ASSERT_TRUE(r.emit(b, kPeer, kHost));
  EXPECT_TRUE(std::equal(b.begin(), b.end(), kUdpDatagram.begin() + 34));
  std::vector<uint8_t> small(r.size() - 1);
  EXPECT_FALSE(r.emit(small, kPeer, kHost));
}

TEST(UdpPacket, ZeroChecksumMeansNone) {
  std::vector<uint8_t> b(kUdpDatagram.begin() + 34, kUdpDatagram.end());
  b[6] = b[7] = 0;
  EXPECT_TRUE(UdpPacket::parse(b, kPeer, kHost));
  b[8] ^= 1;
  EXPECT_TRUE(UdpPacket::parse(b, kPeer, kHost));
}

TEST(UdpRepr, ComputedZeroIsSentAsAllOnes) {
  // Find a payload whose checksum computes to zero, then check it is sent as ffff.
  for (uint32_t v = 0; v < 0x10000; ++v) {
    uint8_t p[2] = {uint8_t(v >> 8), uint8_t(v)};
    UdpRepr r{Port(1), Port(2), p};
    uint8_t b[10];
    ASSERT_TRUE(r.emit(b, kPeer, kHost));
    if (load_be16(b + 6) == 0xffff) {
      EXPECT_TRUE(UdpPacket::parse(b, kPeer, kHost));
      return;
    }
    ASSERT_NE(load_be16(b + 6), 0);
  }
  FAIL() << "no payload with a zero checksum";
}

TEST(UdpPacket, RejectsBadLengthsAndChecksums) {
  auto s = std::span(kUdpDatagram).subspan(34);
  for (size_t n = 0; n < s.size(); ++n)
    EXPECT_FALSE(UdpPacket::parse(s.first(n), kPeer, kHost)) << n;
  std::vector<uint8_t> b(s.begin(), s.end());
  b[9] ^= 0x20;
  EXPECT_FALSE(UdpPacket::parse(b, kPeer, kHost));
  b.assign(s.begin(), s.end());
  store_be16(b.data() + 4, 7);  // length below the header
  EXPECT_FALSE(UdpPacket::parse(b, kPeer, kHost));
  // Trailing bytes past the length field are ignored (the checksum covers `length`).
  b.assign(s.begin(), s.end());
  b.push_back(0x55);
  auto u = UdpPacket::parse(b, kPeer, kHost);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->payload().size(), 10u);
}

}  // namespace
}  // namespace mayfly::net
