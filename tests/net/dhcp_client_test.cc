#include "net/dhcp/dhcp_client.h"

#include <gtest/gtest.h>

#include "captures.h"
#include "harness.h"

namespace mayfly::net::testing {
namespace {

const MacAddress kClientMac(2, 0, 0, 0, 0, 2);
const MacAddress kServerMac(0x06, 0x3f, 0x7b, 0xe8, 0x6c, 0x9f);
const Ipv4Address kServerIp(10, 77, 0, 1);
const Ipv4Address kLeased(10, 77, 0, 64);
const Ipv4Address kRouter(10, 77, 0, 1);
constexpr uint32_t kCapturedXid = 0x8587965e;

// A client message the test took off the fake device.
// Move-only: the views point into `frame`'s heap buffer, which a move keeps.
struct ClientMessage {
  ClientMessage() = default;
  ClientMessage(ClientMessage&&) = default;
  ClientMessage& operator=(ClientMessage&&) = default;
  Bytes frame;
  std::optional<Ipv4Packet> ip;
  std::optional<DhcpRepr> dhcp;
  MacAddress eth_dst;
};

class Dhcp : public ::testing::Test {
 protected:
  // The scripted randoms: the interface's first IP id, then the client's xid.
  Dhcp() : dev(kClientMac), rnd{0x100, kCapturedXid}, iface(dev, rnd), client(iface, rnd, fast) {}

  void advance_to(Instant t) {
    now = t;
    iface.poll(now);
    client.poll(now);
  }
  void run_until_deadline() {
    auto a = iface.next_deadline(), b = client.next_deadline();
    auto d = earliest(a, b);
    ASSERT_TRUE(d);
    advance_to(*d);
  }
  void deliver(Bytes frame) {
    dev.rx.push_back(std::move(frame));
    advance_to(now);
  }
  // The next DHCP message the client sent; ARP traffic is skipped and, for requests
  // about the server, answered.
  std::optional<ClientMessage> take() {
    while (!dev.tx.empty()) {
      ClientMessage m;
      m.frame = dev.pop_tx();
      auto eth = EthernetFrame::parse(m.frame);
      if (!eth) continue;
      if (eth->ethertype() == uint16_t(EtherType::kArp)) {
        auto arp = ArpRepr::parse(eth->payload());
        if (arp && arp->target_ip == kServerIp && arp->sender_ip != kServerIp && answer_arp) {
          Bytes reply = arp_frame(kClientMac, ArpRepr{ArpOperation::kReply, kServerMac, kServerIp,
                                                      kClientMac, arp->sender_ip});
          dev.rx.push_back(reply);
          advance_to(now);
        }
        continue;
      }
      m.eth_dst = eth->destination();
      m.ip = Ipv4Packet::parse(eth->payload());
      if (!m.ip) continue;
      auto udp = UdpPacket::parse(m.ip->payload(), m.ip->source(), m.ip->destination());
      if (!udp || udp->destination_port() != Port(67)) continue;
      m.dhcp = DhcpRepr::parse(udp->payload());
      if (m.dhcp) return m;
    }
    return std::nullopt;
  }
  // A server reply to `to`, broadcast or unicast as RFC 2131 §4.1 says.
  Bytes reply(const DhcpRepr& to, DhcpMessageType type, uint32_t lease = 120,
              std::optional<uint32_t> t1 = std::nullopt,
              std::optional<uint32_t> t2 = std::nullopt) {
    DhcpRepr r;
    r.op = DhcpRepr::Op::kReply;
    r.xid = to.xid;
    r.chaddr = to.chaddr;
    r.broadcast = to.broadcast;
    r.message_type = type;
    r.server_id = kServerIp;
    if (type != DhcpMessageType::kNak) {
      r.yiaddr = kLeased;
      r.lease_time = lease;
      r.renewal_time = t1;
      r.rebinding_time = t2;
      r.subnet_mask = Ipv4Address(255, 255, 255, 0);
      r.router = kRouter;
      r.dns_servers[0] = kServerIp;
      r.dns_count = 1;
    }
    Bytes payload(r.size());
    r.emit(payload);
    bool bcast = to.broadcast || type == DhcpMessageType::kNak || to.ciaddr.is_unspecified();
    Ipv4Address dst = bcast ? Ipv4Address::broadcast() : to.ciaddr;
    Bytes l4 = udp_segment(kServerIp, dst, 67, 68, payload);
    return ethernet(bcast ? MacAddress::broadcast() : kClientMac, kServerMac, EtherType::kIpv4,
                    ipv4_datagram(kServerIp, dst, 17, l4));
  }
  // DISCOVER → OFFER → REQUEST → ACK with the scripted server.
  void bind(uint32_t lease = 120, std::optional<uint32_t> t1 = std::nullopt,
            std::optional<uint32_t> t2 = std::nullopt) {
    run_until_deadline();
    auto discover = take();
    ASSERT_TRUE(discover);
    deliver(reply(*discover->dhcp, DhcpMessageType::kOffer, lease, t1, t2));
    auto request = take();
    ASSERT_TRUE(request);
    request_time = now;
    deliver(reply(*request->dhcp, DhcpMessageType::kAck, lease, t1, t2));
    ASSERT_EQ(client.state(), DhcpClient::State::kBound);
  }

  static constexpr DhcpClientConfig fast{Duration{}, Duration{}};
  FakeDevice dev;
  FakeRandom rnd;
  Interface iface;
  DhcpClient client;
  Instant now = Instant::from_secs(50);
  Instant request_time;
  bool answer_arp = true;
};

TEST_F(Dhcp, BindsWithCapturedDnsmasqOfferAndAck) {
  ASSERT_EQ(client.start(now), NetError::kOk);
  EXPECT_EQ(client.state(), DhcpClient::State::kInit);
  EXPECT_EQ(client.next_deadline(), now);
  advance_to(now);
  EXPECT_EQ(client.state(), DhcpClient::State::kSelecting);
  auto discover = take();
  ASSERT_TRUE(discover);
  const DhcpRepr& d = *discover->dhcp;
  EXPECT_EQ(discover->eth_dst, MacAddress::broadcast());
  EXPECT_EQ(discover->ip->source(), Ipv4Address());
  EXPECT_EQ(discover->ip->destination(), Ipv4Address::broadcast());
  EXPECT_EQ(d.op, DhcpRepr::Op::kRequest);
  EXPECT_EQ(d.message_type, DhcpMessageType::kDiscover);
  EXPECT_EQ(d.xid, kCapturedXid);
  EXPECT_EQ(d.chaddr, kClientMac);
  EXPECT_TRUE(d.broadcast);
  EXPECT_EQ(d.client_id.size(), 7u);
  EXPECT_EQ(d.parameter_request_list.size(), 6u);

  // dnsmasq's OFFER is unicast to yiaddr and our MAC (udhcpc had not set the broadcast
  // bit); the unconfigured interface accepts it for DHCP.
  deliver(Bytes(captures::kDhcpOffer.begin(), captures::kDhcpOffer.end()));
  EXPECT_EQ(client.state(), DhcpClient::State::kRequesting);
  auto request = take();
  ASSERT_TRUE(request);
  EXPECT_EQ(request->dhcp->message_type, DhcpMessageType::kRequest);
  EXPECT_EQ(request->dhcp->requested_ip, kLeased);
  EXPECT_EQ(request->dhcp->server_id, kServerIp);
  EXPECT_EQ(request->dhcp->ciaddr, Ipv4Address());
  EXPECT_EQ(request->ip->destination(), Ipv4Address::broadcast());

  deliver(Bytes(captures::kDhcpAck.begin(), captures::kDhcpAck.end()));
  ASSERT_EQ(client.state(), DhcpClient::State::kBound);
  ASSERT_TRUE(iface.ipv4());
  EXPECT_EQ(iface.ipv4()->cidr, (Ipv4Cidr{kLeased, 24}));
  EXPECT_EQ(iface.ipv4()->gateway, kRouter);
  const DhcpLease& l = *client.lease();
  EXPECT_EQ(l.server, kServerIp);
  EXPECT_EQ(l.dns_count, 1);
  EXPECT_EQ(l.renew_at, now + Duration::from_secs(60));
  EXPECT_EQ(l.rebind_at, now + Duration::from_secs(105));
  EXPECT_EQ(l.expires_at, now + Duration::from_secs(120));
  EXPECT_EQ(client.next_deadline(), l.renew_at);
  // The interface announces the new address at its next poll.
  iface.poll(now);
  ASSERT_FALSE(dev.tx.empty());
  auto ann = ArpRepr::parse(EthernetFrame::parse(dev.tx.front())->payload());
  ASSERT_TRUE(ann);
  EXPECT_EQ(ann->sender_ip, kLeased);
  EXPECT_EQ(ann->target_ip, kLeased);
}

TEST_F(Dhcp, DiscoverBacksOffExponentiallyWithJitter) {
  ASSERT_EQ(client.start(now), NetError::kOk);
  run_until_deadline();
  ASSERT_TRUE(take());
  Instant last = now;
  for (int64_t base : {4, 8, 16, 32, 64, 64, 64}) {
    run_until_deadline();
    auto m = take();
    ASSERT_TRUE(m);
    EXPECT_EQ(m->dhcp->message_type, DhcpMessageType::kDiscover);
    EXPECT_EQ(m->dhcp->xid, kCapturedXid);  // same exchange
    Duration gap = now - last;
    EXPECT_GE(gap, Duration::from_secs(base - 1)) << base;
    EXPECT_LE(gap, Duration::from_secs(base + 1)) << base;
    EXPECT_EQ(m->dhcp->secs, (now - Instant::from_secs(50)).millis / 1000);
    last = now;
  }
}

TEST_F(Dhcp, InitialDelayIsRandomWithinTheRfcWindow) {
  FakeDevice d2(kClientMac);
  FakeRandom r2{1, 4500};
  Interface i2(d2, r2);
  DhcpClient c2(i2, r2);  // default: RFC 2131 §4.4.1's 1-10 s
  ASSERT_EQ(c2.start(now), NetError::kOk);
  EXPECT_EQ(c2.next_deadline(), now + Duration::from_millis(1000 + 4500));
  StaticUdpSocket<1, 16> squatter;
  DhcpClient c3(i2, r2);
  EXPECT_EQ(c3.start(now), NetError::kAddressInUse);
}

TEST_F(Dhcp, IgnoresRepliesNotForUs) {
  ASSERT_EQ(client.start(now), NetError::kOk);
  run_until_deadline();
  auto discover = take();
  ASSERT_TRUE(discover);
  DhcpRepr other = *discover->dhcp;
  other.xid ^= 1;
  deliver(reply(other, DhcpMessageType::kOffer));
  other = *discover->dhcp;
  other.chaddr = MacAddress(2, 0, 0, 0, 0, 3);
  deliver(reply(other, DhcpMessageType::kOffer));
  deliver(reply(*discover->dhcp, DhcpMessageType::kAck));  // an ACK while selecting
  EXPECT_EQ(client.state(), DhcpClient::State::kSelecting);
  EXPECT_FALSE(take());
}

TEST_F(Dhcp, NakWhileRequestingRestarts) {
  ASSERT_EQ(client.start(now), NetError::kOk);
  run_until_deadline();
  auto discover = take();
  deliver(reply(*discover->dhcp, DhcpMessageType::kOffer));
  auto request = take();
  ASSERT_TRUE(request);
  deliver(reply(*request->dhcp, DhcpMessageType::kNak));
  EXPECT_EQ(client.state(), DhcpClient::State::kInit);
  EXPECT_FALSE(iface.ipv4());
  run_until_deadline();
  auto again = take();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->dhcp->message_type, DhcpMessageType::kDiscover);
  EXPECT_NE(again->dhcp->xid, kCapturedXid);  // a new exchange
}

TEST_F(Dhcp, UnansweredRequestsRestart) {
  ASSERT_EQ(client.start(now), NetError::kOk);
  run_until_deadline();
  auto discover = take();
  deliver(reply(*discover->dhcp, DhcpMessageType::kOffer));
  ASSERT_TRUE(take());
  for (int i = 1; i < DhcpClient::kMaxRequestAttempts; ++i) {
    run_until_deadline();
    auto m = take();
    ASSERT_TRUE(m) << i;
    EXPECT_EQ(m->dhcp->message_type, DhcpMessageType::kRequest);
  }
  run_until_deadline();
  EXPECT_EQ(client.state(), DhcpClient::State::kInit);
}

TEST_F(Dhcp, RenewsWithTheServerAtT1) {
  ASSERT_EQ(client.start(now), NetError::kOk);
  bind(1000);
  Instant t0 = request_time;
  EXPECT_EQ(client.lease()->renew_at, t0 + Duration::from_secs(500));
  dev.tx.clear();
  advance_to(t0 + Duration::from_secs(500));
  EXPECT_EQ(client.state(), DhcpClient::State::kRenewing);
  auto renew = take();  // after ARP for the server
  ASSERT_TRUE(renew);
  EXPECT_EQ(renew->eth_dst, kServerMac);
  EXPECT_EQ(renew->ip->source(), kLeased);
  EXPECT_EQ(renew->ip->destination(), kServerIp);
  EXPECT_EQ(renew->dhcp->ciaddr, kLeased);
  EXPECT_FALSE(renew->dhcp->requested_ip);
  EXPECT_FALSE(renew->dhcp->server_id);
  EXPECT_FALSE(renew->dhcp->broadcast);
  Instant sent = now;
  advance_to(now + Duration::from_secs(3));
  deliver(reply(*renew->dhcp, DhcpMessageType::kAck, 1000));
  EXPECT_EQ(client.state(), DhcpClient::State::kBound);
  // RFC 2131 §4.4.1: times count from the REQUEST.
  EXPECT_EQ(client.lease()->expires_at, sent + Duration::from_secs(1000));
  EXPECT_EQ(client.next_deadline(), sent + Duration::from_secs(500));
  EXPECT_TRUE(iface.ipv4());
}

TEST_F(Dhcp, RenewRetransmitsAtHalfTheRemainingTimeThenRebindsThenExpires) {
  ASSERT_EQ(client.start(now), NetError::kOk);
  bind(1000);
  Instant t0 = request_time;
  dev.tx.clear();
  // RENEWING from 500 s; T2 at 875 s: retransmit after max(half the rest, 60 s).
  const int64_t renew_ms[] = {500000, 687500, 781250, 841250};
  for (int64_t at : renew_ms) {
    ASSERT_EQ(client.next_deadline(), t0 + Duration::from_millis(at));
    advance_to(*client.next_deadline());
    auto m = take();
    ASSERT_TRUE(m) << at;
    EXPECT_EQ(m->ip->destination(), kServerIp) << at;
    EXPECT_EQ(client.state(), DhcpClient::State::kRenewing);
  }
  // T2: REBINDING broadcasts, retransmitting towards expiry at 1000 s.
  const int64_t rebind_ms[] = {875000, 937500, 997500};
  for (int64_t at : rebind_ms) {
    ASSERT_EQ(client.next_deadline(), t0 + Duration::from_millis(at));
    advance_to(*client.next_deadline());
    EXPECT_EQ(client.state(), DhcpClient::State::kRebinding);
    auto m = take();
    ASSERT_TRUE(m) << at;
    EXPECT_EQ(m->ip->destination(), Ipv4Address::broadcast());
    EXPECT_EQ(m->eth_dst, MacAddress::broadcast());
    EXPECT_EQ(m->ip->source(), kLeased);
    EXPECT_EQ(m->dhcp->ciaddr, kLeased);
  }
  ASSERT_EQ(client.next_deadline(), t0 + Duration::from_secs(1000));
  advance_to(*client.next_deadline());
  // Expired: the address is gone and we start over.
  EXPECT_EQ(client.state(), DhcpClient::State::kInit);
  EXPECT_FALSE(client.lease());
  EXPECT_FALSE(iface.ipv4());
  run_until_deadline();
  auto discover = take();
  ASSERT_TRUE(discover);
  EXPECT_EQ(discover->dhcp->message_type, DhcpMessageType::kDiscover);
}

TEST_F(Dhcp, RebindingAckFromAnyServerRestoresTheLease) {
  ASSERT_EQ(client.start(now), NetError::kOk);
  bind(120);  // dnsmasq's numbers: T1 60, T2 105
  Instant t0 = request_time;
  answer_arp = false;  // the server is gone
  advance_to(t0 + Duration::from_secs(60));
  EXPECT_EQ(client.state(), DhcpClient::State::kRenewing);
  EXPECT_EQ(client.next_deadline(), t0 + Duration::from_secs(105));
  advance_to(t0 + Duration::from_secs(105));
  EXPECT_EQ(client.state(), DhcpClient::State::kRebinding);
  EXPECT_EQ(client.next_deadline(), t0 + Duration::from_secs(120));
  std::optional<ClientMessage> m;
  while (auto x = take()) m = std::move(x);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->ip->destination(), Ipv4Address::broadcast());
  deliver(reply(*m->dhcp, DhcpMessageType::kAck, 120));
  EXPECT_EQ(client.state(), DhcpClient::State::kBound);
  EXPECT_EQ(client.lease()->expires_at, t0 + Duration::from_secs(225));
}

TEST_F(Dhcp, NakWhileRenewingDropsTheAddress) {
  ASSERT_EQ(client.start(now), NetError::kOk);
  bind(120);
  dev.tx.clear();
  advance_to(request_time + Duration::from_secs(60));
  auto renew = take();
  ASSERT_TRUE(renew);
  deliver(reply(*renew->dhcp, DhcpMessageType::kNak));
  EXPECT_EQ(client.state(), DhcpClient::State::kInit);
  EXPECT_FALSE(iface.ipv4());
}

TEST_F(Dhcp, ServerTimesAreHonouredOrRepaired) {
  ASSERT_EQ(client.start(now), NetError::kOk);
  bind(1000, 100, 200);
  EXPECT_EQ(client.lease()->renew_at, request_time + Duration::from_secs(100));
  EXPECT_EQ(client.lease()->rebind_at, request_time + Duration::from_secs(200));
}

TEST_F(Dhcp, InconsistentServerTimesFallBack) {
  ASSERT_EQ(client.start(now), NetError::kOk);
  bind(1000, 900, 5000);  // T2 past the lease, T1 after the repaired T2
  EXPECT_EQ(client.lease()->rebind_at, request_time + Duration::from_secs(875));
  EXPECT_EQ(client.lease()->renew_at, request_time + Duration::from_secs(500));
}

TEST_F(Dhcp, LateAckForAShortLeaseRenewsAtOnce) {
  ASSERT_EQ(client.start(now), NetError::kOk);
  run_until_deadline();
  auto discover = take();
  deliver(reply(*discover->dhcp, DhcpMessageType::kOffer, 2));
  auto request = take();
  ASSERT_TRUE(request);
  advance_to(now + Duration::from_millis(1500));  // past T1 = 1 s
  // The same poll binds and, T1 having passed, starts renewing.
  deliver(reply(*request->dhcp, DhcpMessageType::kAck, 2));
  EXPECT_EQ(client.state(), DhcpClient::State::kRenewing);
  EXPECT_TRUE(iface.ipv4());
  ASSERT_TRUE(client.next_deadline());
  EXPECT_GE(*client.next_deadline(), now);
}

TEST_F(Dhcp, InfiniteLeaseNeverRenews) {
  ASSERT_EQ(client.start(now), NetError::kOk);
  bind(0xffffffffu);
  EXPECT_EQ(client.next_deadline(), std::nullopt);
  EXPECT_FALSE(client.lease()->expires_at);
}

}  // namespace
}  // namespace mayfly::net::testing
