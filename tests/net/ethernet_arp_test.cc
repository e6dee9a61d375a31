#include <gtest/gtest.h>

#include <vector>

#include "captures.h"
#include "net/wire/arp.h"
#include "net/wire/ethernet.h"

namespace mayfly::net {
namespace {

using captures::kArpReply;
using captures::kArpRequest;

TEST(EthernetFrame, ParsesCapturedFrame) {
  auto f = EthernetFrame::parse(kArpRequest);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->destination(), MacAddress::broadcast());
  EXPECT_EQ(f->source(), MacAddress(2, 0, 0, 0, 0, 2));
  EXPECT_EQ(f->ethertype(), uint16_t(EtherType::kArp));
  EXPECT_EQ(f->payload().size(), 28u);
}

TEST(EthernetFrame, RejectsShortAnd8023) {
  for (size_t n = 0; n < EthernetFrame::kHeaderSize; ++n)
    EXPECT_FALSE(EthernetFrame::parse(std::span(kArpRequest).first(n))) << n;
  std::vector<uint8_t> llc(kArpRequest.begin(), kArpRequest.end());
  llc[12] = 0x05;  // 0x05dc: an 802.3 length
  llc[13] = 0xdc;
  EXPECT_FALSE(EthernetFrame::parse(llc));
  EXPECT_TRUE(EthernetFrame::parse(std::span(kArpRequest).first(14)));  // empty payload ok
}

TEST(EthernetRepr, EmitsHeader) {
  uint8_t b[14];
  ASSERT_TRUE(
      (EthernetRepr{MacAddress::broadcast(), MacAddress(2, 0, 0, 0, 0, 2), EtherType::kArp}.emit(
          b)));
  EXPECT_TRUE(std::equal(b, b + 14, kArpRequest.begin()));
  uint8_t small[13];
  EXPECT_FALSE((EthernetRepr{}.emit(small)));
}

TEST(ArpRepr, ParsesCapturedRequestAndReply) {
  auto req = ArpRepr::parse(std::span(kArpRequest).subspan(14));
  ASSERT_TRUE(req);
  EXPECT_EQ(req->operation, ArpOperation::kRequest);
  EXPECT_EQ(req->sender_mac, MacAddress(2, 0, 0, 0, 0, 2));
  EXPECT_EQ(req->sender_ip, Ipv4Address(10, 77, 0, 60));
  EXPECT_EQ(req->target_ip, Ipv4Address(10, 77, 0, 1));
  auto rep = ArpRepr::parse(std::span(kArpReply).subspan(14));
  ASSERT_TRUE(rep);
  EXPECT_EQ(rep->operation, ArpOperation::kReply);
  EXPECT_EQ(rep->sender_mac, MacAddress(0x06, 0x3f, 0x7b, 0xe8, 0x6c, 0x9f));
  EXPECT_EQ(rep->sender_ip, Ipv4Address(10, 77, 0, 1));
  EXPECT_EQ(rep->target_mac, MacAddress(2, 0, 0, 0, 0, 2));
  EXPECT_EQ(rep->target_ip, Ipv4Address(10, 77, 0, 60));
}

TEST(ArpRepr, EmitReproducesCapture) {
  auto rep = ArpRepr::parse(std::span(kArpReply).subspan(14));
  ASSERT_TRUE(rep);
  uint8_t b[28];
  ASSERT_TRUE(rep->emit(b));
  EXPECT_TRUE(std::equal(b, b + 28, kArpReply.begin() + 14));
  uint8_t small[27];
  EXPECT_FALSE(rep->emit(small));
}

TEST(ArpRepr, RejectsTruncatedAndForeign) {
  auto body = std::span(kArpRequest).subspan(14);
  for (size_t n = 0; n < 28; ++n) EXPECT_FALSE(ArpRepr::parse(body.first(n))) << n;
  for (size_t field : {0, 1, 2, 3, 4, 5, 7}) {
    std::vector<uint8_t> b(body.begin(), body.end());
    b[field] ^= 0x40;
    EXPECT_FALSE(ArpRepr::parse(b)) << field;
  }
}

}  // namespace
}  // namespace mayfly::net
