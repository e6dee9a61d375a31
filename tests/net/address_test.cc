#include <gtest/gtest.h>

#include "net/wire/address.h"
#include "net/wire/address_text.h"

namespace mayfly::net {
namespace {

TEST(Ipv4Address, Classification) {
  EXPECT_TRUE(Ipv4Address(255, 255, 255, 255).is_broadcast());
  EXPECT_TRUE(Ipv4Address(224, 0, 0, 1).is_multicast());
  EXPECT_TRUE(Ipv4Address(127, 0, 0, 1).is_loopback());
  EXPECT_TRUE(Ipv4Address(240, 0, 0, 1).is_reserved());
  EXPECT_TRUE(Ipv4Address(10, 0, 0, 1).is_unicast());
  EXPECT_FALSE(Ipv4Address().is_unicast());
}

TEST(Ipv4Cidr, NetmaskBroadcastContains) {
  Ipv4Cidr c{Ipv4Address(192, 168, 1, 20), 24};
  EXPECT_EQ(c.netmask(), Ipv4Address(255, 255, 255, 0));
  EXPECT_EQ(c.network(), Ipv4Address(192, 168, 1, 0));
  EXPECT_EQ(c.broadcast(), Ipv4Address(192, 168, 1, 255));
  EXPECT_TRUE(c.contains(Ipv4Address(192, 168, 1, 1)));
  EXPECT_FALSE(c.contains(Ipv4Address(192, 168, 2, 1)));
  EXPECT_EQ((Ipv4Cidr{Ipv4Address(10, 0, 0, 1), 31}.broadcast()), std::nullopt);
  EXPECT_EQ((Ipv4Cidr{Ipv4Address(10, 0, 0, 1), 0}.netmask_value()), 0u);
  EXPECT_EQ((Ipv4Cidr{Ipv4Address(10, 0, 0, 1), 32}.netmask_value()), 0xffffffffu);
  EXPECT_EQ(Ipv4Cidr::prefix_from_mask(Ipv4Address(255, 255, 240, 0)), 20);
  EXPECT_EQ(Ipv4Cidr::prefix_from_mask(Ipv4Address(255, 0, 255, 0)), std::nullopt);
  EXPECT_EQ(Ipv4Cidr::prefix_from_mask(Ipv4Address(0, 0, 0, 0)), 0);
  EXPECT_EQ(Ipv4Cidr::prefix_from_mask(Ipv4Address(255, 255, 255, 255)), 32);
}

TEST(MacAddress, Classification) {
  EXPECT_TRUE(MacAddress::broadcast().is_broadcast());
  EXPECT_TRUE(MacAddress(0x01, 0, 0x5e, 0, 0, 1).is_multicast());
  EXPECT_TRUE(MacAddress(0x02, 0, 0, 0, 0, 1).is_unicast());
  EXPECT_FALSE(MacAddress().is_unicast());
}

TEST(AddressText, Parses) {
  EXPECT_EQ(parse_ipv4("10.0.2.15"), Ipv4Address(10, 0, 2, 15));
  EXPECT_EQ(parse_ipv4("255.255.255.255"), Ipv4Address::broadcast());
  for (auto bad :
       {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1..2.3", "1.2.3.4 ", "a.b.c.d", "1.2.3.0004"})
    EXPECT_EQ(parse_ipv4(bad), std::nullopt) << bad;
  auto c = parse_ipv4_cidr("192.168.7.9/23");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->address, Ipv4Address(192, 168, 7, 9));
  EXPECT_EQ(c->prefix_len, 23);
  for (auto bad : {"1.2.3.4", "1.2.3.4/", "1.2.3.4/33", "1.2.3.4/x", "1.2.3/8"})
    EXPECT_EQ(parse_ipv4_cidr(bad), std::nullopt) << bad;
  EXPECT_EQ(parse_mac("02:00:5E:10:aB:ff"), MacAddress(2, 0, 0x5e, 0x10, 0xab, 0xff));
  for (auto bad : {"02:00:5e:10:ab", "02-00-5e-10-ab-ff", "02:00:5e:10:ab:fg"})
    EXPECT_EQ(parse_mac(bad), std::nullopt) << bad;
  static_assert(parse_ipv4("1.2.3.4")->value() == 0x01020304);
}

}  // namespace
}  // namespace mayfly::net
