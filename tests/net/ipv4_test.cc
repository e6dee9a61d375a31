#include "net/wire/ipv4.h"

#include <gtest/gtest.h>

#include <vector>

#include "captures.h"

namespace mayfly::net {
namespace {

using captures::kEchoReply;
using captures::kEchoRequest;

std::span<const uint8_t> ip_of(std::span<const uint8_t> frame) {
  return frame.subspan(14);
}

TEST(Ipv4Packet, ParsesCapturedDatagram) {
  auto p = Ipv4Packet::parse(ip_of(kEchoRequest));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->header_len(), 20u);
  EXPECT_EQ(p->total_len(), 46);
  EXPECT_EQ(p->identification(), 0x4e37);
  EXPECT_TRUE(p->dont_fragment());
  EXPECT_FALSE(p->is_fragment());
  EXPECT_EQ(p->ttl(), 64);
  EXPECT_EQ(p->protocol(), 1);
  EXPECT_EQ(p->source(), Ipv4Address(10, 77, 0, 60));
  EXPECT_EQ(p->destination(), Ipv4Address(10, 77, 0, 1));
  EXPECT_EQ(p->payload().size(), 26u);
  EXPECT_TRUE(p->options().empty());
}

TEST(Ipv4Packet, IgnoresLinkPadding) {
  std::vector<uint8_t> b(ip_of(kEchoRequest).begin(), ip_of(kEchoRequest).end());
  b.resize(b.size() + 10, 0);
  auto p = Ipv4Packet::parse(b);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->payload().size(), 26u);
  EXPECT_EQ(p->datagram().size(), 46u);
}

TEST(Ipv4Packet, RejectsEveryTruncation) {
  auto d = ip_of(kEchoRequest);
  for (size_t n = 0; n < d.size(); ++n) EXPECT_FALSE(Ipv4Packet::parse(d.first(n))) << n;
}

TEST(Ipv4Packet, RejectsBadHeaders) {
  std::vector<uint8_t> good(ip_of(kEchoRequest).begin(), ip_of(kEchoRequest).end());
  auto mutate = [&](auto f) {
    auto b = good;
    f(b);
    return Ipv4Packet::parse(b).has_value();
  };
  EXPECT_FALSE(mutate([](auto& b) { b[11] ^= 1; }));   // checksum
  EXPECT_FALSE(mutate([](auto& b) { b[0] = 0x65; }));  // version 6
  EXPECT_FALSE(mutate([](auto& b) {                    // IHL 4, checksum fixed up
    b[0] = 0x44;
    b[10] = b[11] = 0;
    store_be16(b.data() + 10, internet_checksum(std::span<const uint8_t>(b.data(), 16)));
  }));
  EXPECT_FALSE(mutate([](auto& b) {  // total length beyond the buffer
    store_be16(b.data() + 2, 47);
    b[10] = b[11] = 0;
    store_be16(b.data() + 10, internet_checksum(std::span<const uint8_t>(b.data(), 20)));
  }));
  EXPECT_FALSE(mutate([](auto& b) {  // total length below the header
    store_be16(b.data() + 2, 19);
    b[10] = b[11] = 0;
    store_be16(b.data() + 10, internet_checksum(std::span<const uint8_t>(b.data(), 20)));
  }));
  EXPECT_FALSE(mutate([](auto& b) {  // IHL 15 beyond the datagram
    b[0] = 0x4f;
    b[10] = b[11] = 0;
    store_be16(b.data() + 10, internet_checksum(std::span<const uint8_t>(b.data(), 20)));
  }));
}

TEST(Ipv4Packet, SkipsOptionsAndReadsFragmentFields) {
  // A header with 4 option bytes (NOP NOP NOP EOL), MF set, offset 185 (1480 bytes).
  std::vector<uint8_t> b = {0x46, 0, 0,  28, 0x12, 0x34, 0x20, 185, 3, 17, 0,    0,    10,   0,
                            0,    1, 10, 0,  0,    2,    1,    1,   1, 0,  0xaa, 0xbb, 0xcc, 0xdd};
  store_be16(b.data() + 10, internet_checksum(std::span<const uint8_t>(b.data(), 24)));
  auto p = Ipv4Packet::parse(b);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->header_len(), 24u);
  EXPECT_EQ(p->options().size(), 4u);
  EXPECT_TRUE(p->more_fragments());
  EXPECT_FALSE(p->dont_fragment());
  EXPECT_EQ(p->fragment_offset(), 1480u);
  EXPECT_TRUE(p->is_fragment());
  ASSERT_EQ(p->payload().size(), 4u);
  EXPECT_EQ(p->payload()[0], 0xaa);
}

TEST(Ipv4Repr, EmitReproducesLinuxEchoReplyHeader) {
  Ipv4Repr r;
  r.source = Ipv4Address(10, 77, 0, 1);
  r.destination = Ipv4Address(10, 77, 0, 60);
  r.protocol = IpProtocol::kIcmp;
  r.payload_len = 26;
  r.identification = 0xdc94;
  uint8_t b[20];
  ASSERT_TRUE(r.emit(b));
  EXPECT_TRUE(std::equal(b, b + 20, kEchoReply.begin() + 14));
  auto p = Ipv4Packet::parse(std::span(kEchoReply).subspan(14));
  ASSERT_TRUE(p);
  uint8_t small[19];
  EXPECT_FALSE(r.emit(small));
  r.payload_len = 65535 - 19;
  EXPECT_FALSE(r.emit(b));
}

}  // namespace
}  // namespace mayfly::net
