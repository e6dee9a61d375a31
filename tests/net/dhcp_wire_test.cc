#include "net/wire/dhcp.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "captures.h"

namespace mayfly::net {
namespace {

using namespace captures;

std::span<const uint8_t> dhcp_of(std::span<const uint8_t> frame) {
  return frame.subspan(42);
}

TEST(DhcpRepr, ParsesDnsmasqOfferAndAck) {
  for (auto frame : {std::span<const uint8_t>(kDhcpOffer), std::span<const uint8_t>(kDhcpAck)}) {
    auto m = DhcpRepr::parse(dhcp_of(frame));
    ASSERT_TRUE(m);
    EXPECT_EQ(m->op, DhcpRepr::Op::kReply);
    EXPECT_EQ(m->xid, 0x8587965eu);
    EXPECT_EQ(m->yiaddr, Ipv4Address(10, 77, 0, 64));
    EXPECT_EQ(m->siaddr, Ipv4Address(10, 77, 0, 1));
    EXPECT_EQ(m->chaddr, MacAddress(2, 0, 0, 0, 0, 2));
    EXPECT_EQ(m->server_id, Ipv4Address(10, 77, 0, 1));
    EXPECT_EQ(m->lease_time, 120u);
    EXPECT_EQ(m->renewal_time, 60u);
    EXPECT_EQ(m->rebinding_time, 105u);
    EXPECT_EQ(m->subnet_mask, Ipv4Address(255, 255, 255, 0));
    EXPECT_EQ(m->router, Ipv4Address(10, 77, 0, 1));
    ASSERT_EQ(m->dns_count, 1);
    EXPECT_EQ(m->dns_servers[0], Ipv4Address(10, 77, 0, 1));
  }
  EXPECT_EQ(DhcpRepr::parse(dhcp_of(kDhcpOffer))->message_type, DhcpMessageType::kOffer);
  EXPECT_EQ(DhcpRepr::parse(dhcp_of(kDhcpAck))->message_type, DhcpMessageType::kAck);
}

TEST(DhcpRepr, ParsesUdhcpcDiscoverAndRequest) {
  auto d = DhcpRepr::parse(dhcp_of(kDhcpDiscover));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->op, DhcpRepr::Op::kRequest);
  EXPECT_EQ(d->message_type, DhcpMessageType::kDiscover);
  EXPECT_EQ(d->parameter_request_list.size(), 7u);
  ASSERT_EQ(d->client_id.size(), 7u);
  EXPECT_EQ(d->client_id[0], 1);
  auto r = DhcpRepr::parse(dhcp_of(kDhcpRequest));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->message_type, DhcpMessageType::kRequest);
  EXPECT_EQ(r->requested_ip, Ipv4Address(10, 77, 0, 64));
  EXPECT_EQ(r->server_id, Ipv4Address(10, 77, 0, 1));
  EXPECT_EQ(r->secs, 3);
}

TEST(DhcpRepr, EmitThenParse) {
  const uint8_t prl[] = {1, 3, 6};
  const uint8_t cid[] = {1, 2, 0, 0, 0, 0, 9};
  DhcpRepr m;
  m.op = DhcpRepr::Op::kReply;
  m.xid = 0xdeadbeef;
  m.secs = 9;
  m.broadcast = true;
  m.ciaddr = Ipv4Address(1, 2, 3, 4);
  m.yiaddr = Ipv4Address(10, 0, 0, 9);
  m.siaddr = Ipv4Address(10, 0, 0, 1);
  m.giaddr = Ipv4Address(10, 0, 0, 2);
  m.chaddr = MacAddress(2, 0, 0, 0, 0, 9);
  m.message_type = DhcpMessageType::kAck;
  m.requested_ip = Ipv4Address(10, 0, 0, 9);
  m.server_id = Ipv4Address(10, 0, 0, 1);
  m.lease_time = 3600;
  m.renewal_time = 1800;
  m.rebinding_time = 3150;
  m.subnet_mask = Ipv4Address(255, 255, 255, 0);
  m.router = Ipv4Address(10, 0, 0, 1);
  m.dns_servers = {Ipv4Address(8, 8, 8, 8), Ipv4Address(1, 1, 1, 1), Ipv4Address(9, 9, 9, 9)};
  m.dns_count = 3;
  m.max_message_size = 1500;
  m.parameter_request_list = prl;
  m.client_id = cid;
  std::vector<uint8_t> b(m.size());
  EXPECT_EQ(DhcpRepr{}.size(), 300u);  // padded to the BOOTP minimum
  ASSERT_EQ(m.emit(b), m.size());
  auto p = DhcpRepr::parse(b);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->xid, m.xid);
  EXPECT_EQ(p->secs, 9);
  EXPECT_TRUE(p->broadcast);
  EXPECT_EQ(p->ciaddr, m.ciaddr);
  EXPECT_EQ(p->giaddr, m.giaddr);
  EXPECT_EQ(p->message_type, m.message_type);
  EXPECT_EQ(p->requested_ip, m.requested_ip);
  EXPECT_EQ(p->lease_time, 3600u);
  EXPECT_EQ(p->renewal_time, 1800u);
  EXPECT_EQ(p->rebinding_time, 3150u);
  EXPECT_EQ(p->router, m.router);
  EXPECT_EQ(p->dns_count, 3);
  EXPECT_EQ(p->dns_servers, m.dns_servers);
  EXPECT_EQ(p->max_message_size, 1500);
  EXPECT_TRUE(std::equal(p->parameter_request_list.begin(), p->parameter_request_list.end(), prl));
  EXPECT_TRUE(std::equal(p->client_id.begin(), p->client_id.end(), cid));
  std::vector<uint8_t> small(m.size() - 1);
  EXPECT_FALSE(m.emit(small));
}

TEST(DhcpRepr, RejectsTruncationsThatCutTheMessage) {
  auto m = dhcp_of(kDhcpOffer);
  for (size_t n = 0; n < DhcpRepr::kOptionsOffset; ++n) EXPECT_FALSE(DhcpRepr::parse(m.first(n)));
  // Cuts between options leave a shorter valid message; cuts inside one are rejected.
  std::vector<size_t> boundaries;
  size_t i = DhcpRepr::kOptionsOffset;
  while (m[i] != dhcp_option::kEnd) {
    boundaries.push_back(i);
    i += m[i] == 0 ? 1 : 2 + m[i + 1];
  }
  boundaries.push_back(i);
  for (size_t n = DhcpRepr::kOptionsOffset; n <= i; ++n) {
    bool boundary = std::find(boundaries.begin(), boundaries.end(), n) != boundaries.end();
    EXPECT_EQ(DhcpRepr::parse(m.first(n)).has_value(), boundary) << n;
  }
}

TEST(DhcpRepr, RejectsMalformedOptions) {
  auto with_options = [](std::vector<uint8_t> opts) {
    std::vector<uint8_t> b(dhcp_of(kDhcpOffer).begin(), dhcp_of(kDhcpOffer).begin() + 240);
    b.insert(b.end(), opts.begin(), opts.end());
    return DhcpRepr::parse(b);
  };
  EXPECT_FALSE(with_options({53, 2, 1, 1}));               // message type length 2
  EXPECT_FALSE(with_options({53, 1, 9}));                  // message type 9
  EXPECT_FALSE(with_options({1, 3, 255, 255, 0}));         // mask length 3
  EXPECT_FALSE(with_options({3, 5, 1, 2, 3, 4, 5}));       // router not a multiple of 4
  EXPECT_FALSE(with_options({51, 4, 0, 0}));               // runs past the end
  EXPECT_FALSE(with_options({51}));                        // no length
  EXPECT_FALSE(with_options({61, 1, 1}));                  // client id too short
  EXPECT_FALSE(with_options({57, 1, 1}));                  // max size length 1
  auto ok = with_options({0, 0, 200, 2, 9, 9, 53, 1, 5});  // pads, unknown, no End
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->message_type, DhcpMessageType::kAck);
  // Found by fuzz_net_dhcp: a repeated DNS option left stale servers behind.
  auto twice = with_options({6, 8, 1, 1, 1, 1, 2, 2, 2, 2, 6, 4, 3, 3, 3, 3});
  ASSERT_TRUE(twice);
  ASSERT_EQ(twice->dns_count, 1);
  EXPECT_EQ(twice->dns_servers[0], Ipv4Address(3, 3, 3, 3));
  EXPECT_EQ(twice->dns_servers[1], Ipv4Address());
  auto stop = with_options({255, 53, 1, 5});  // nothing after End is read
  ASSERT_TRUE(stop);
  EXPECT_FALSE(stop->message_type);
  std::vector<uint8_t> b(dhcp_of(kDhcpOffer).begin(), dhcp_of(kDhcpOffer).end());
  b[236] ^= 1;  // magic cookie
  EXPECT_FALSE(DhcpRepr::parse(b));
  b.assign(dhcp_of(kDhcpOffer).begin(), dhcp_of(kDhcpOffer).end());
  b[2] = 8;  // hlen
  EXPECT_FALSE(DhcpRepr::parse(b));
}

}  // namespace
}  // namespace mayfly::net
