#include <gtest/gtest.h>

#include <vector>

#include "captures.h"
#include "iface_fixture.h"

namespace mayfly::net::testing {
namespace {

// A stand-in for the TCP layer: records segments, answers a SYN to a closed port with
// RST (RFC 9293 §3.10.7.1) through Interface::send_ipv4.
class FakeTcp : public TcpHandler {
 public:
  explicit FakeTcp(Interface& iface) : iface_(iface) {}
  void on_segment(Instant now, const Ipv4Meta& ip, const TcpSegment& seg) override {
    seen.push_back({now, ip, seg.source_port(), seg.sequence(), seg.flags(), seg.options()});
    if (!reset_syns || !seg.has(tcp_flags::kSyn)) return;
    TcpRepr rst;
    rst.source_port = seg.destination_port();
    rst.destination_port = seg.source_port();
    rst.acknowledgment = seg.sequence() + seg.segment_length();
    rst.flags = tcp_flags::kRst | tcp_flags::kAck;
    uint8_t hdr[20];
    rst.emit(hdr, iface_.source_address(), ip.source);
    last_send = iface_.send_ipv4(ip.source, IpProtocol::kTcp, hdr, {}, true);
  }
  void on_icmp_error(Instant, const IcmpErrorInfo& e) override {
    errors.push_back(e);
    error_heads.emplace_back(e.transport_head.begin(), e.transport_head.end());
  }
  void poll(Instant now) override { polls.push_back(now); }
  std::optional<Instant> next_deadline() const override { return deadline; }

  struct Seen {
    Instant now;
    Ipv4Meta ip;
    Port source_port;
    uint32_t sequence;
    uint8_t flags;
    std::optional<TcpOptions> options;
  };
  std::vector<Seen> seen;
  std::vector<Instant> polls;
  std::vector<IcmpErrorInfo> errors;
  std::vector<Bytes> error_heads;
  std::optional<Instant> deadline;
  bool reset_syns = false;
  NetError last_send = NetError::kOk;

 private:
  Interface& iface_;
};

class TcpHook : public InterfaceTest {
 protected:
  // The captured SYN went to this MAC.
  TcpHook() : InterfaceTest(MacAddress(0x06, 0x3f, 0x7b, 0xe8, 0x6c, 0x9f)), tcp(iface) {}
  void SetUp() override {
    configure();
    learn(kPeerMac, kPeerIp);
    iface.set_tcp_handler(&tcp);
  }
  FakeTcp tcp;
};

TEST_F(TcpHook, DeliversVerifiedSegments) {
  inject(Bytes(captures::kTcpSyn.begin(), captures::kTcpSyn.end()));
  ASSERT_EQ(tcp.seen.size(), 1u);
  auto& s = tcp.seen[0];
  EXPECT_EQ(s.now, now);
  EXPECT_EQ(s.ip.source, kPeerIp);
  EXPECT_EQ(s.ip.destination, kOurIp);
  EXPECT_EQ(s.ip.ttl, 64);
  EXPECT_EQ(s.source_port, Port(52398));
  EXPECT_EQ(s.sequence, 640316780u);
  EXPECT_EQ(s.flags, tcp_flags::kSyn);
  ASSERT_TRUE(s.options);
  EXPECT_EQ(s.options->mss, 1460);
  EXPECT_TRUE(dev.tx.empty());  // no ICMP when a handler is installed
}

TEST_F(TcpHook, RstSentThroughTheInterfaceMatchesLinux) {
  tcp.reset_syns = true;
  inject(Bytes(captures::kTcpSyn.begin(), captures::kTcpSyn.end()));
  EXPECT_EQ(tcp.last_send, NetError::kOk);
  Sent s = next_sent();
  ASSERT_TRUE(s.ip);
  EXPECT_TRUE(s.ip->dont_fragment());
  EXPECT_EQ(s.eth->destination(), kPeerMac);
  // Linux's RST from the capture, TCP part byte for byte.
  auto linux_tcp = std::span(captures::kTcpRst).subspan(34);
  EXPECT_TRUE(std::equal(linux_tcp.begin(), linux_tcp.end(), s.ip->payload().begin()));
  EXPECT_EQ(s.ip->payload().size(), linux_tcp.size());
}

TEST_F(TcpHook, FiltersBadAndBroadcastSegments) {
  Bytes bad(captures::kTcpSyn.begin(), captures::kTcpSyn.end());
  bad[50] ^= 1;  // checksum
  inject(bad);
  // A valid segment to the subnet broadcast (RFC 1122 §4.2.3.10).
  TcpRepr syn;
  syn.source_port = Port(1);
  syn.destination_port = Port(80);
  syn.flags = tcp_flags::kSyn;
  Bytes seg(syn.size());
  syn.emit(seg, kPeerIp, kSubnetBroadcast);
  inject(from_peer_ip(6, seg, kSubnetBroadcast, MacAddress::broadcast()));
  // A valid segment to us inside a link-layer broadcast.
  syn.emit(seg, kPeerIp, kOurIp);
  inject(from_peer_ip(6, seg, kOurIp, MacAddress::broadcast()));
  EXPECT_TRUE(tcp.seen.empty());
  EXPECT_TRUE(dev.tx.empty());
}

// An ICMP error from `reporter` quoting a TCP segment from `src` to the peer.
Bytes icmp_error_about_tcp(uint8_t type, uint8_t code, uint16_t mtu, Ipv4Address src,
                           uint8_t proto = 6) {
  TcpRepr seg;
  seg.source_port = Port(80);
  seg.destination_port = Port(52398);
  seg.sequence = 1234567;
  seg.flags = tcp_flags::kAck;
  Bytes tcp(seg.size());
  seg.emit(tcp, src, kPeerIp);
  Bytes original = ipv4_datagram(src, kPeerIp, proto, tcp);
  original.resize(28);  // header + 8 octets, as RFC 792 requires at least
  IcmpRepr err{IcmpType(type), code, 0, mtu, original};
  Bytes b(err.size());
  err.emit(b);
  return b;
}

TEST_F(TcpHook, IcmpErrorsAboutOurSegmentsReachTcp) {
  inject(from_peer_ip(1, icmp_error_about_tcp(3, 4, 1280, kOurIp)));
  ASSERT_EQ(tcp.errors.size(), 1u);
  const IcmpErrorInfo& e = tcp.errors[0];
  EXPECT_EQ(e.type, 3);
  EXPECT_EQ(e.code, uint8_t(IcmpUnreachable::kFragmentationNeeded));
  EXPECT_EQ(e.next_hop_mtu, 1280);
  EXPECT_EQ(e.reporter, kPeerIp);
  EXPECT_EQ(e.original_destination, kPeerIp);
  ASSERT_EQ(tcp.error_heads[0].size(), 8u);
  EXPECT_EQ(load_be16(tcp.error_heads[0].data()), 80);
  EXPECT_EQ(load_be32(tcp.error_heads[0].data() + 4), 1234567u);
  inject(from_peer_ip(1, icmp_error_about_tcp(11, 0, 0, kOurIp)));  // time exceeded
  ASSERT_EQ(tcp.errors.size(), 2u);
  EXPECT_EQ(tcp.errors[1].next_hop_mtu, 0);
  EXPECT_TRUE(dev.tx.empty());
}

TEST_F(TcpHook, IcmpErrorsNotAboutUsAreIgnored) {
  inject(from_peer_ip(1, icmp_error_about_tcp(3, 3, 0, Ipv4Address(10, 77, 0, 9))));  // not ours
  inject(from_peer_ip(1, icmp_error_about_tcp(3, 3, 0, kOurIp, 17)));                 // about UDP
  inject(from_peer_ip(1, icmp_error_about_tcp(4, 0, 0, kOurIp)));  // source quench
  Bytes truncated = icmp_error_about_tcp(3, 3, 0, kOurIp);
  truncated.resize(8 + 27);  // one octet short of header + 8
  IcmpRepr again{IcmpType::kDestUnreachable, 3, 0, 0, std::span(truncated).subspan(8)};
  Bytes b(again.size());
  again.emit(b);
  inject(from_peer_ip(1, b));
  EXPECT_TRUE(tcp.errors.empty());
}

TEST_F(TcpHook, PolledWithTheInterfaceAndDeadlinesMerge) {
  tcp.polls.clear();
  advance(Duration::from_millis(5));
  ASSERT_EQ(tcp.polls.size(), 1u);
  EXPECT_EQ(tcp.polls[0], now);
  advance(Duration::from_secs(10));  // announcements done
  EXPECT_EQ(iface.next_deadline(), std::nullopt);
  tcp.deadline = now + Duration::from_millis(200);
  EXPECT_EQ(iface.next_deadline(), tcp.deadline);
  iface.set_tcp_handler(nullptr);
  EXPECT_EQ(iface.next_deadline(), std::nullopt);
}

}  // namespace
}  // namespace mayfly::net::testing
