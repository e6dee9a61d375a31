// TCP in virtual time: a scripted peer (segments built with the wire emitters) against
// one stack, and two stacks talking over a fake link that can drop frames.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <vector>

#include "core/xxhash64.h"
#include "iface_fixture.h"
#include "net/tcp/tcp.h"

namespace mayfly::net::testing {
namespace {

using namespace tcp_flags;

struct Seg {
  Bytes frame;
  std::optional<TcpSegment> tcp;
  TcpOptions opts;
  Bytes payload;
  uint32_t seq() const { return tcp ? tcp->sequence() : 0xdeadbeef; }
  uint32_t ack() const { return tcp ? tcp->acknowledgment() : 0xdeadbeef; }
  uint8_t flags() const { return tcp ? tcp->flags() : 0xff; }
  uint16_t window() const { return tcp ? tcp->window() : 0xffff; }
};

class TcpPeer : public InterfaceTest {
 protected:
  static constexpr uint16_t kPeerPort = 40000;
  static constexpr size_t kRing = 8192;

  TcpPeer() : tcp(std::make_unique<StaticTcp<4, kRing>>(iface)) {}
  void SetUp() override {
    configure();
    learn(kPeerMac, kPeerIp);
    iface.set_tcp_handler(tcp.get());
  }

  // The peer sends one segment to our `port`.
  void peer(uint8_t flags, uint32_t seq, uint32_t ack, std::span<const uint8_t> payload = {},
            uint16_t window = 65535, TcpOptions opts = {}, uint16_t port = 80,
            uint16_t from = kPeerPort) {
    TcpRepr r;
    r.source_port = Port(from);
    r.destination_port = Port(port);
    r.sequence = seq;
    r.acknowledgment = ack;
    r.flags = flags;
    r.window = window;
    r.options = opts;
    r.payload = payload;
    Bytes b(r.size());
    ASSERT_TRUE(r.emit(b, kPeerIp, kOurIp));
    inject(from_peer_ip(6, b));
  }
  // The next TCP segment we sent (ARP frames skipped); an empty Seg if none.
  Seg sent() {
    while (!dev.tx.empty()) {
      Seg s;
      s.frame = dev.pop_tx();
      auto eth = EthernetFrame::parse(s.frame);
      if (!eth) continue;
      auto ip = Ipv4Packet::parse(eth->payload());
      if (!ip) continue;
      s.tcp = TcpSegment::parse(ip->payload(), ip->source(), ip->destination());
      if (!s.tcp) continue;
      s.opts = s.tcp->options().value_or(TcpOptions{});
      s.payload.assign(s.tcp->payload().begin(), s.tcp->payload().end());
      return s;
    }
    ADD_FAILURE() << "no TCP segment was sent";
    Seg none;
    static const uint8_t kZero[20] = {0x00, 0x00, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x50};
    none.frame.assign(kZero, kZero + 20);
    none.tcp = TcpSegment::parse(none.frame, kOurIp, kPeerIp);  // checksum fails: stays empty
    return none;
  }
  // True if we sent no TCP segment (ARP frames are dropped).
  bool quiet() {
    for (auto& f : dev.tx) {
      auto eth = EthernetFrame::parse(f);
      if (eth && eth->ethertype() == uint16_t(EtherType::kIpv4)) return false;
    }
    dev.tx.clear();
    return true;
  }
  // Plays a passive open with the peer's ISN `irs`; returns the accepted id and our ISS.
  TcpId handshake(uint32_t irs, TcpOptions syn_opts = {}, uint16_t window = 65535) {
    listener = tcp->listen(Port(80), 4);
    if (!syn_opts.mss) syn_opts.mss = 1460;
    peer(kSyn, irs, 0, {}, window, syn_opts);
    Seg synack = sent();
    EXPECT_TRUE(synack.tcp);
    if (!synack.tcp) return -1;
    EXPECT_EQ(synack.flags(), kSyn | kAck);
    EXPECT_EQ(synack.ack(), irs + 1);
    iss = synack.seq();
    TcpOptions ack_opts;
    if (syn_opts.timestamps) ack_opts.timestamps = TcpTimestamps{1, synack.opts.timestamps->value};
    peer(kAck, irs + 1, iss + 1, {}, window, ack_opts);
    return tcp->accept(listener);
  }

  std::unique_ptr<StaticTcp<4, kRing>> tcp;
  int listener = -1;
  uint32_t iss = 0;
};

TEST_F(TcpPeer, PassiveOpenNegotiatesOptions) {
  TcpOptions o;
  o.mss = 1400;
  o.window_scale = 7;
  o.sack_permitted = true;
  o.timestamps = TcpTimestamps{12345, 0};
  listener = tcp->listen(Port(80), 4);
  ASSERT_GE(listener, 0);
  peer(kSyn, 0xfffffff0u, 0, {}, 65535, o);
  Seg s = sent();
  ASSERT_TRUE(s.tcp);
  EXPECT_EQ(s.flags(), kSyn | kAck);
  EXPECT_EQ(s.ack(), 0xfffffff1u);
  EXPECT_EQ(s.opts.mss, 1460);  // ours, from the MTU
  EXPECT_TRUE(s.opts.window_scale);
  EXPECT_TRUE(s.opts.sack_permitted);
  ASSERT_TRUE(s.opts.timestamps);
  EXPECT_EQ(s.opts.timestamps->echo_reply, 12345u);
  EXPECT_EQ(tcp->accept(listener), -1);  // not yet established
  peer(kAck, 0xfffffff1u, s.seq() + 1, {}, 512, {});
  TcpId id = tcp->accept(listener);
  ASSERT_GE(id, 0);
  EXPECT_EQ(tcp->state(id), TcpState::kEstablished);
  EXPECT_EQ(tcp->remote(id), (Ipv4Endpoint{kPeerIp, Port(kPeerPort)}));
}

TEST_F(TcpPeer, IsnsDifferPerTupleAndAdvanceWithTime) {
  listener = tcp->listen(Port(80), 4);
  peer(kSyn, 1, 0, {}, 65535, {}, 80, 1000);
  uint32_t a = sent().seq();
  advance(Duration::from_millis(4));
  peer(kSyn, 1, 0, {}, 65535, {}, 80, 1001);
  uint32_t b = sent().seq();
  EXPECT_NE(a, b);
}

TEST_F(TcpPeer, DataBothWaysAcrossSequenceWrap) {
  TcpId id = handshake(0xffffffe0u);
  ASSERT_GE(id, 0);
  Bytes req(100);
  for (size_t i = 0; i < req.size(); ++i) req[i] = uint8_t(i);
  peer(kAck | kPsh, 0xffffffe1u, iss + 1, req);
  // One segment: the ACK is delayed (RFC 9293 §3.8.6.3).
  EXPECT_TRUE(quiet());
  Bytes got(200);
  ASSERT_EQ(tcp->recv(id, got), 100u);
  got.resize(100);
  EXPECT_EQ(got, req);
  advance(Duration::from_millis(40));
  Seg ack = sent();
  ASSERT_TRUE(ack.tcp);
  EXPECT_EQ(ack.ack(), 0xffffffe1u + 100);  // wrapped: 0x45
  EXPECT_EQ(ack.ack(), 0x45u);
  // Reply: a copied head and a zero-copy body; one segment carries both.
  static const uint8_t body[] = "hello from the bundle";
  ASSERT_TRUE(tcp->send_copy(id, bytes_of("HTTP/1.1 200 OK\r\n\r\n")));
  ASSERT_TRUE(tcp->send(id, std::span<const uint8_t>(body, sizeof body - 1)));
  advance(Duration::from_millis(1));
  Seg data = sent();
  ASSERT_TRUE(data.tcp);
  EXPECT_EQ(data.seq(), iss + 1);
  EXPECT_EQ(std::string(data.payload.begin(), data.payload.end()),
            "HTTP/1.1 200 OK\r\n\r\nhello from the bundle");
  EXPECT_EQ(tcp->send_pending(id), 40u);
  peer(kAck, 0x45u, iss + 41);
  EXPECT_EQ(tcp->send_pending(id), 0u);
}

TEST_F(TcpPeer, EverySecondSegmentIsAckedAtOnce) {
  TcpId id = handshake(1);
  Bytes seg(1460, 'a');
  peer(kAck, 2, iss + 1, seg);
  EXPECT_TRUE(quiet());  // delayed
  peer(kAck, 2 + 1460, iss + 1, seg);
  EXPECT_EQ(sent().ack(), 2u + 2920);  // RFC 5681 §4.2: every second full segment
  EXPECT_EQ(tcp->events(id) & tcp_events::kReadable, tcp_events::kReadable);
}

TEST_F(TcpPeer, PeerWindowIsScaled) {
  TcpOptions o;
  o.window_scale = 2;
  TcpId id = handshake(1, o, 1000);  // the SYN's window is unscaled; the ACK's is 4000
  Bytes body(10000, 'w');
  ASSERT_TRUE(tcp->send(id, body));
  advance(Duration::from_millis(0));
  size_t total = 0;
  while (!quiet()) total += sent().payload.size();
  // Two full segments fit the 4000-byte window; the 1080 left over wait for it to open
  // (RFC 9293 §3.8.6.2.1 sender SWS avoidance).
  EXPECT_EQ(total, 2920u);
}

TEST_F(TcpPeer, OutOfOrderSegmentsAreHeldAndAckedOnce) {
  TcpId id = handshake(1000);
  Bytes a = bytes_of("0123456789"), b = bytes_of("abcdefghij"), c = bytes_of("KLMNOPQRST");
  peer(kAck, 1021, iss + 1, c);
  Seg dup = sent();
  ASSERT_TRUE(dup.tcp);
  EXPECT_EQ(dup.ack(), 1001u);  // immediate duplicate ACK (RFC 5681 §4.2)
  peer(kAck, 1011, iss + 1, b);
  EXPECT_EQ(sent().ack(), 1001u);
  EXPECT_EQ(tcp->events(id) & tcp_events::kReadable, 0u);
  peer(kAck, 1001, iss + 1, a);
  EXPECT_EQ(sent().ack(), 1031u);  // the hole is filled: ACK at once
  Bytes got(64);
  got.resize(tcp->recv(id, got));
  EXPECT_EQ(std::string(got.begin(), got.end()), "0123456789abcdefghijKLMNOPQRST");
}

TEST_F(TcpPeer, ClosedPortGetsReset) {
  peer(kSyn, 555, 0, {}, 65535, {}, 81);
  Seg r = sent();
  ASSERT_TRUE(r.tcp);
  EXPECT_EQ(r.flags(), kRst | kAck);
  EXPECT_EQ(r.seq(), 0u);
  EXPECT_EQ(r.ack(), 556u);
  peer(kAck, 555, 7777, {}, 65535, {}, 81);
  r = sent();
  EXPECT_EQ(r.flags(), kRst);
  EXPECT_EQ(r.seq(), 7777u);
  peer(kRst, 555, 0, {}, 65535, {}, 81);
  EXPECT_TRUE(quiet());  // never a RST for a RST
}

TEST_F(TcpPeer, ResetChecksPerRfc5961) {
  TcpId id = handshake(5000);
  // Out of window: dropped silently.
  peer(kRst, 5001 + 100000, 0);
  EXPECT_TRUE(quiet());
  // In window but not exact: challenge ACK, still established.
  peer(kRst, 5001 + 10, 0);
  Seg ch = sent();
  ASSERT_TRUE(ch.tcp);
  EXPECT_EQ(ch.flags(), kAck);
  EXPECT_EQ(ch.ack(), 5001u);
  EXPECT_EQ(tcp->state(id), TcpState::kEstablished);
  // SYN in a synchronized state: challenge ACK.
  peer(kSyn, 9999, 0);
  EXPECT_EQ(sent().flags(), kAck);
  EXPECT_EQ(tcp->stats().challenge_acks, 2u);
  // Exact: reset.
  peer(kRst, 5001, 0);
  EXPECT_EQ(tcp->state(id), TcpState::kClosed);
  EXPECT_TRUE(tcp->events(id) & tcp_events::kReset);
  tcp->close(id);
  EXPECT_EQ(tcp->connections_in_use(), 0u);
}

TEST_F(TcpPeer, AckBeyondSndNxtDrawsAck) {
  TcpId id = handshake(5000);
  peer(kAck, 5001, iss + 1000);
  EXPECT_EQ(sent().ack(), 5001u);
  EXPECT_EQ(tcp->state(id), TcpState::kEstablished);
}

TEST_F(TcpPeer, RetransmissionTimerBacksOff) {
  TcpId id = handshake(1);
  Bytes body(100, 'x');
  ASSERT_TRUE(tcp->send(id, body));
  advance(Duration::from_millis(0));
  Seg first = sent();
  ASSERT_EQ(first.payload.size(), 100u);
  Instant t0 = now;
  // No RTT sample yet: RTO = 1 s (RFC 6298 §2.1), then 2 s, 4 s.
  EXPECT_EQ(iface.next_deadline(), t0 + Duration::from_secs(1));
  advance(Duration::from_millis(999));
  EXPECT_TRUE(quiet());
  advance(Duration::from_millis(1));
  EXPECT_EQ(sent().seq(), first.seq());
  advance(Duration::from_millis(1999));
  EXPECT_TRUE(quiet());
  advance(Duration::from_millis(1));
  EXPECT_EQ(sent().seq(), first.seq());
  EXPECT_EQ(tcp->rto(id), Duration::from_secs(4));
  advance(Duration::from_secs(4));
  EXPECT_EQ(sent().payload.size(), 100u);
  EXPECT_EQ(tcp->stats().timeouts, 3u);
}

TEST_F(TcpPeer, RetransmissionsRunOutAndTimeOut) {
  TcpId id = handshake(1);
  Bytes body(10, 'x');
  ASSERT_TRUE(tcp->send(id, body));
  // 1+2+4+8+16+32 s, then 60 s (the cap) per retransmission: 15 of them, then give up.
  for (int i = 0; i < 700; ++i) advance(Duration::from_secs(1));
  EXPECT_EQ(tcp->state(id), TcpState::kClosed);
  EXPECT_TRUE(tcp->events(id) & tcp_events::kTimedOut);
  EXPECT_EQ(tcp->stats().timeouts, 16u);
  tcp->close(id);
  EXPECT_EQ(tcp->connections_in_use(), 0u);
}

TEST_F(TcpPeer, LostFinIsRetransmitted) {
  TcpId id = handshake(1);
  tcp->close(id);
  EXPECT_EQ(sent().flags(), kFin | kAck);
  advance(Duration::from_secs(1));
  Seg again = sent();
  EXPECT_EQ(again.flags(), kFin | kAck);
  EXPECT_EQ(again.seq(), iss + 1);
}

TEST_F(TcpPeer, RtoFollowsMeasuredRttWithLinuxMinimum) {
  TcpId id = handshake(1);
  Bytes body(100, 'x');
  ASSERT_TRUE(tcp->send(id, body));
  advance(Duration::from_millis(0));
  sent();
  advance(Duration::from_millis(50));
  peer(kAck, 2, iss + 101);
  // SRTT 50, RTTVAR 25: 50 + 4*25 = 150 ms, raised to the 200 ms minimum.
  EXPECT_EQ(tcp->rto(id), Duration::from_millis(200));
  ASSERT_TRUE(tcp->send(id, body));
  advance(Duration::from_millis(0));
  sent();
  advance(Duration::from_millis(200));
  EXPECT_EQ(sent().payload.size(), 100u);
}

TEST_F(TcpPeer, FastRetransmitAfterThreeDuplicateAcks) {
  TcpId id = handshake(1);
  Bytes body(20000, 'y');
  ASSERT_TRUE(tcp->send(id, body));
  advance(Duration::from_millis(0));
  // IW = 3 segments of 1460 (RFC 3390).
  std::vector<Seg> out;
  while (!quiet()) out.push_back(sent());
  ASSERT_EQ(out.size(), 3u);
  // The first is lost; the next two and one more arrive: duplicate ACKs. RFC 3042: each
  // of the first two lets one new segment out.
  peer(kAck, 2, iss + 1);
  EXPECT_EQ(sent().seq(), iss + 1 + 3 * 1460);
  peer(kAck, 2, iss + 1);
  EXPECT_EQ(sent().seq(), iss + 1 + 4 * 1460);
  EXPECT_TRUE(quiet());
  peer(kAck, 2, iss + 1);
  Seg re = sent();
  ASSERT_TRUE(re.tcp);
  EXPECT_EQ(re.seq(), iss + 1);
  EXPECT_EQ(re.payload.size(), 1460u);
  EXPECT_EQ(tcp->stats().fast_retransmits, 1u);
  // cwnd = ssthresh + 3*SMSS, ssthresh = max(flight/2, 2*SMSS) = 5*1460/2 = 3650.
  EXPECT_EQ(tcp->cwnd(id), 3650u + 3 * 1460u);
  // A partial ACK resends the next segment; a full ACK ends recovery at <= ssthresh.
  while (!quiet()) sent();
  peer(kAck, 2, iss + 1 + 3 * 1460);
  EXPECT_EQ(sent().seq(), iss + 1 + 3 * 1460);
  while (!quiet()) sent();
  peer(kAck, 2, iss + 1 + 5 * 1460);
  EXPECT_LE(tcp->cwnd(id), 3650u);
}

TEST_F(TcpPeer, DuplicateAcksCarrySackBlocks) {
  TcpOptions o;
  o.sack_permitted = true;
  TcpId id = handshake(1000, o);
  (void)id;
  peer(kAck, 1011, iss + 1, bytes_of("abcdefghij"));
  Seg dup = sent();
  EXPECT_EQ(dup.ack(), 1001u);
  ASSERT_EQ(dup.opts.sack_count, 1u);
  EXPECT_EQ(dup.opts.sack[0], (SackBlock{1011, 1021}));
}

TEST_F(TcpPeer, SackHolesAreRetransmittedInRecovery) {
  TcpOptions o;
  o.sack_permitted = true;
  TcpId id = handshake(1, o);
  Bytes body(40000, 's');
  ASSERT_TRUE(tcp->send(id, body));
  advance(Duration::from_millis(0));
  while (!quiet()) sent();
  // Open cwnd: ACK the first 3 segments one by one (slow start), which releases more.
  for (uint32_t k = 1; k <= 3; ++k) peer(kAck, 2, iss + 1 + k * 1460);
  uint32_t base = iss + 1 + 3 * 1460;
  uint32_t top = base;
  while (!quiet()) {
    Seg s = sent();
    top = s.seq() + uint32_t(s.payload.size());
  }
  ASSERT_GE(top - base, 6u * 1460);
  // Segments 0 and 2 of the new flight are lost; 1, 3, 4, 5 arrive.
  auto sack = [&](std::initializer_list<std::pair<int, int>> ranges) {
    TcpOptions so;
    for (auto [a, b] : ranges)
      so.sack[so.sack_count++] = SackBlock{base + uint32_t(a) * 1460, base + uint32_t(b) * 1460};
    peer(kAck, 2, base, {}, 65535, so);
  };
  sack({{1, 2}});
  sack({{3, 4}, {1, 2}});
  while (!quiet()) sent();  // RFC 3042 limited transmit
  sack({{3, 5}, {1, 2}});
  Seg first = sent();  // fast retransmit of segment 0
  EXPECT_EQ(first.seq(), base);
  while (!quiet()) sent();  // new data the inflated window allows
  sack({{3, 6}, {1, 2}});
  Seg hole = sent();  // the next hole: segment 2, not segment 1 which the peer holds
  EXPECT_EQ(hole.seq(), base + 2 * 1460);
  EXPECT_EQ(hole.payload.size(), 1460u);
}

TEST_F(TcpPeer, ZeroWindowIsProbedWithBackoff) {
  TcpId id = handshake(1, {}, 0);
  Bytes body(300, 'z');
  ASSERT_TRUE(tcp->send(id, body));
  advance(Duration::from_millis(0));
  EXPECT_TRUE(quiet());  // nothing fits
  advance(Duration::from_secs(1));
  Seg probe = sent();
  ASSERT_TRUE(probe.tcp);
  EXPECT_EQ(probe.payload.size(), 1u);
  EXPECT_EQ(probe.seq(), iss + 1);
  // Still closed: the peer does not take the byte.
  peer(kAck, 2, iss + 1, {}, 0);
  advance(Duration::from_millis(1999));
  EXPECT_TRUE(quiet());
  advance(Duration::from_millis(1));
  EXPECT_EQ(sent().payload.size(), 1u);
  // It opens: the rest flows.
  peer(kAck, 2, iss + 1, {}, 1000);
  Seg data = sent();
  EXPECT_EQ(data.seq(), iss + 1);
  EXPECT_EQ(data.payload.size(), 300u);
}

TEST_F(TcpPeer, OurZeroWindowStillAcceptsAcks) {
  TcpId id = handshake(1);
  Bytes big(kRing, 'q');
  for (size_t off = 0; off < big.size(); off += 1000) {
    size_t n = std::min<size_t>(1000, big.size() - off);
    peer(kAck, uint32_t(2 + off), iss + 1, std::span<const uint8_t>(big.data() + off, n));
  }
  while (!quiet()) sent();
  advance(Duration::from_millis(40));
  Seg last = sent();
  EXPECT_EQ(last.window(), 0u);
  // Data beyond the closed window is refused with an ACK.
  peer(kAck, uint32_t(2 + kRing), iss + 1, bytes_of("x"));
  EXPECT_EQ(sent().ack(), uint32_t(2 + kRing));
  Bytes sink(kRing);
  EXPECT_EQ(tcp->recv(id, sink), kRing);
  advance(Duration::from_millis(1));
  Seg update = sent();  // window update after the read (SWS avoidance allows it)
  EXPECT_GT(update.window(), 0u);
}

TEST_F(TcpPeer, WeCloseFirstThenTimeWaitExpires) {
  TcpId id = handshake(1);
  tcp->close(id);
  Seg fin = sent();
  EXPECT_EQ(fin.flags(), kFin | kAck);
  peer(kAck, 2, iss + 2);
  EXPECT_TRUE(quiet());
  peer(kFin | kAck, 2, iss + 2);
  EXPECT_EQ(sent().ack(), 3u);
  EXPECT_EQ(tcp->connections_in_use(), 1u);
  EXPECT_EQ(tcp->next_deadline(), now + Duration::from_secs(60));  // 2 MSL
  // A retransmitted FIN is ACKed again.
  peer(kFin | kAck, 2, iss + 2);
  EXPECT_EQ(sent().ack(), 3u);
  advance(Duration::from_secs(60));
  EXPECT_EQ(tcp->connections_in_use(), 0u);
}

TEST_F(TcpPeer, FullPoolRecyclesTimeWait) {
  // Four slots: one in TIME-WAIT, three established; a fifth SYN takes the TIME-WAIT slot.
  listener = tcp->listen(Port(80), 8);
  for (uint16_t p = 0; p < 4; ++p) {
    peer(kSyn, 100, 0, {}, 65535, {}, 80, uint16_t(2000 + p));
    uint32_t s = sent().seq();
    peer(kAck, 101, s + 1, {}, 65535, {}, 80, uint16_t(2000 + p));
    TcpId id = tcp->accept(listener);
    ASSERT_GE(id, 0);
    if (p == 0) {
      tcp->close(id);
      sent();
      peer(kAck, 101, s + 2, {}, 65535, {}, 80, 2000);
      peer(kFin | kAck, 101, s + 2, {}, 65535, {}, 80, 2000);
      sent();
    }
  }
  EXPECT_EQ(tcp->connections_in_use(), 4u);
  peer(kSyn, 100, 0, {}, 65535, {}, 80, 2010);
  EXPECT_EQ(sent().flags(), kSyn | kAck);
  EXPECT_EQ(tcp->stats().time_wait_recycled, 1u);
}

TEST_F(TcpPeer, PeerClosesFirst) {
  TcpId id = handshake(1);
  peer(kFin | kAck, 2, iss + 1);
  EXPECT_EQ(sent().ack(), 3u);
  EXPECT_EQ(tcp->state(id), TcpState::kCloseWait);
  EXPECT_TRUE(tcp->events(id) & tcp_events::kPeerClosed);
  ASSERT_TRUE(tcp->send_copy(id, bytes_of("bye")));
  tcp->close(id);
  Seg last = sent();
  EXPECT_EQ(last.flags(), kFin | kAck | kPsh);
  EXPECT_EQ(last.payload.size(), 3u);
  peer(kAck, 3, iss + 5);
  EXPECT_EQ(tcp->connections_in_use(), 0u);
}

TEST_F(TcpPeer, SimultaneousCloseGoesThroughClosing) {
  TcpId id = handshake(1);
  tcp->close(id);
  EXPECT_EQ(sent().flags(), kFin | kAck);
  peer(kFin | kAck, 2, iss + 1);  // their FIN crosses ours
  EXPECT_EQ(sent().ack(), 3u);
  peer(kAck, 3, iss + 2);
  EXPECT_EQ(tcp->connections_in_use(), 1u);  // TIME-WAIT
  advance(Duration::from_secs(60));
  EXPECT_EQ(tcp->connections_in_use(), 0u);
}

TEST_F(TcpPeer, ResetInSynReceivedReturnsToListen) {
  listener = tcp->listen(Port(80), 4);
  peer(kSyn, 100, 0);
  sent();
  peer(kRst, 101, 0);
  EXPECT_EQ(tcp->connections_in_use(), 0u);
}

TEST_F(TcpPeer, SynBacklogFullDropsSynsWithoutCookies) {
  TcpConfig cfg;
  cfg.syn_cookies = false;
  iface.set_tcp_handler(nullptr);
  tcp = std::make_unique<StaticTcp<4, kRing>>(iface, cfg);
  iface.set_tcp_handler(tcp.get());
  listener = tcp->listen(Port(80), 2);
  peer(kSyn, 1, 0, {}, 65535, {}, 80, 1000);
  peer(kSyn, 1, 0, {}, 65535, {}, 80, 1001);
  peer(kSyn, 1, 0, {}, 65535, {}, 80, 1002);
  EXPECT_EQ(tcp->stats().segments_out, 2u);
  EXPECT_EQ(tcp->stats().syn_dropped, 1u);
}

TEST_F(TcpPeer, SynBacklogFullAnswersWithCookies) {
  listener = tcp->listen(Port(80), 1);
  peer(kSyn, 1, 0, {}, 65535, {}, 80, 1000);
  sent();
  TcpOptions o;
  o.mss = 1400;
  o.timestamps = TcpTimestamps{1, 0};
  peer(kSyn, 7000, 0, {}, 65535, o, 80, 1001);
  Seg cookie = sent();
  ASSERT_TRUE(cookie.tcp);
  EXPECT_EQ(cookie.flags(), kSyn | kAck);
  EXPECT_EQ(cookie.ack(), 7001u);
  EXPECT_FALSE(cookie.opts.timestamps);  // no state, no options beyond MSS
  EXPECT_EQ(tcp->connections_in_use(), 1u);
  // A forged ACK is refused with RST; the right one creates the connection, with data.
  peer(kAck, 7001, cookie.seq() + 2, {}, 65535, {}, 80, 1001);
  EXPECT_EQ(sent().flags(), kRst);
  advance(Duration::from_secs(30));
  while (!quiet()) sent();
  peer(kAck | kPsh, 7001, cookie.seq() + 1, bytes_of("GET /"), 65535, {}, 80, 1001);
  EXPECT_EQ(tcp->stats().syn_cookies_accepted, 1u);
  EXPECT_GE(tcp->accept(listener), 0);
  // The cookie connection is the one with data.
  Bytes got(16);
  size_t n = 0;
  for (TcpId i = 0; i < 4 && n == 0; ++i) n = tcp->recv(i, got);
  got.resize(n);
  EXPECT_EQ(std::string(got.begin(), got.end()), "GET /");
  // Too late: a cookie from three periods ago is refused.
  peer(kSyn, 9000, 0, {}, 65535, {}, 80, 1002);
  Seg old = sent();
  advance(Duration::from_secs(200));
  while (!quiet()) sent();
  learn(kPeerMac, kPeerIp);  // the ARP entry expired meanwhile
  peer(kAck, 9001, old.seq() + 1, {}, 65535, {}, 80, 1002);
  EXPECT_EQ(sent().flags(), kRst);
}

TEST_F(TcpPeer, SynAckRetransmittedThenGivenUp) {
  listener = tcp->listen(Port(80), 2);
  peer(kSyn, 1, 0);
  sent();
  advance(Duration::from_secs(1));
  EXPECT_EQ(sent().flags(), kSyn | kAck);
  for (int i = 0; i < 10; ++i) advance(Duration::from_secs(64));
  EXPECT_EQ(tcp->connections_in_use(), 0u);
}

TEST_F(TcpPeer, ActiveOpen) {
  TcpId id = tcp->connect(Ipv4Endpoint{kPeerIp, Port(8080)}, now);
  ASSERT_GE(id, 0);
  Seg syn = sent();
  ASSERT_TRUE(syn.tcp);
  EXPECT_EQ(syn.flags(), kSyn);
  EXPECT_EQ(syn.opts.mss, 1460);
  EXPECT_TRUE(syn.opts.timestamps);
  EXPECT_EQ(tcp->state(id), TcpState::kSynSent);
  TcpRepr r;
  r.source_port = Port(8080);
  r.destination_port = syn.tcp->source_port();
  r.sequence = 0xfffffffeu;
  r.acknowledgment = syn.seq() + 1;
  r.flags = kSyn | kAck;
  r.window = 1000;
  r.options.mss = 1000;
  Bytes b(r.size());
  ASSERT_TRUE(r.emit(b, kPeerIp, kOurIp));
  inject(from_peer_ip(6, b));
  Seg ack = sent();
  EXPECT_EQ(ack.flags(), kAck);
  EXPECT_EQ(ack.ack(), 0xffffffffu);
  EXPECT_EQ(tcp->state(id), TcpState::kEstablished);
  EXPECT_TRUE(tcp->events(id) & tcp_events::kConnected);
  Bytes data(3000, 'd');
  ASSERT_TRUE(tcp->send(id, data));
  advance(Duration::from_millis(0));
  EXPECT_EQ(sent().payload.size(), 1000u);  // their MSS, no timestamps
}

TEST_F(TcpPeer, FragmentationNeededLowersTheMss) {
  TcpId id = handshake(1);
  Bytes body(3000, 'm');
  ASSERT_TRUE(tcp->send(id, body));
  advance(Duration::from_millis(0));
  Seg first = sent();
  EXPECT_EQ(first.payload.size(), 1460u);
  while (!quiet()) sent();
  uint8_t head[8];
  store_be16(head, 80);
  store_be16(head + 2, kPeerPort);
  IcmpErrorInfo e;
  e.type = 3;
  e.code = 4;
  e.next_hop_mtu = 1280;
  e.original_destination = kPeerIp;
  e.transport_head = head;
  store_be32(head + 4, iss + 100000);  // not in flight: ignored (RFC 5927)
  tcp->on_icmp_error(now, e);
  EXPECT_TRUE(quiet());
  store_be32(head + 4, iss + 1);
  tcp->on_icmp_error(now, e);
  advance(Duration::from_millis(0));
  Seg again = sent();
  EXPECT_EQ(again.seq(), iss + 1);
  EXPECT_EQ(again.payload.size(), 1240u);
}

TEST_F(TcpPeer, ActiveOpenRefused) {
  TcpId id = tcp->connect(Ipv4Endpoint{kPeerIp, Port(8080)}, now);
  Seg syn = sent();
  TcpRepr r;
  r.source_port = Port(8080);
  r.destination_port = syn.tcp->source_port();
  r.acknowledgment = syn.seq() + 1;
  r.flags = kRst | kAck;
  Bytes b(r.size());
  ASSERT_TRUE(r.emit(b, kPeerIp, kOurIp));
  inject(from_peer_ip(6, b));
  EXPECT_TRUE(tcp->events(id) & tcp_events::kReset);
  EXPECT_EQ(tcp->state(id), TcpState::kClosed);
}

TEST_F(TcpPeer, SegmentationOffloadSendsOneLargeSegment) {
  dev.tso = 65535;
  Bytes tso_buffer(14 + 65535);
  iface.enable_tso(tso_buffer);
  TcpId id = handshake(1);
  Bytes body(20000);
  for (size_t i = 0; i < body.size(); ++i) body[i] = uint8_t(i * 7);
  ASSERT_TRUE(tcp->send(id, body));
  advance(Duration::from_millis(0));
  // The initial window (4380 bytes, RFC 3390) goes as one frame the device cuts at 1460.
  ASSERT_EQ(dev.tso_tx.size(), 1u);
  EXPECT_EQ(dev.tso_mss[0], 1460);
  Bytes f = dev.tso_tx[0];
  auto eth = EthernetFrame::parse(f);
  ASSERT_TRUE(eth);
  // Not Ipv4Packet::parse: the datagram is larger than any MTU, but well-formed.
  const uint8_t* ip = f.data() + 14;
  EXPECT_EQ(load_be16(ip + 2), 20 + 20 + 3 * 1460);
  const uint8_t* t = ip + 20;
  EXPECT_EQ(load_be32(t + 4), iss + 1);
  EXPECT_TRUE(std::equal(body.begin(), body.begin() + 3 * 1460, t + 20));
  // The checksum field holds the folded pseudo-header sum for the device to complete.
  Checksum pseudo;
  pseudo.add_pseudo_header(kOurIp, kPeerIp, IpProtocol::kTcp, uint16_t(20 + 3 * 1460));
  EXPECT_EQ(load_be16(t + 16), pseudo.folded());
  EXPECT_EQ(tcp->stats().tso_segments, 1u);
  // Retransmissions are MSS-sized, built by the stack.
  advance(Duration::from_secs(1));
  Seg again = sent();
  ASSERT_TRUE(again.tcp);
  EXPECT_EQ(again.seq(), iss + 1);
  EXPECT_EQ(again.payload.size(), 1460u);
}

// --- two stacks over a fake link ---------------------------------------------------------

class TwoStacks : public ::testing::Test {
 public:
  static constexpr size_t kRing = 65536;
  TwoStacks()
      // Scripted randomness: the IP identification, then a zero ISN secret and the first
      // ephemeral port (49152), so tests can compute ISNs.
      : dev_a(kOurMac),
        dev_b(kPeerMac),
        rnd_a{1, 0, 0, 0},
        rnd_b{2, 0, 0, 0},
        a(dev_a, rnd_a),
        b(dev_b, rnd_b),
        tcp_a(std::make_unique<StaticTcp<2, kRing>>(a)),
        tcp_b(std::make_unique<StaticTcp<2, kRing>>(b)) {
    a.set_ipv4(Ipv4Config{Ipv4Cidr{kOurIp, 24}, std::nullopt});
    b.set_ipv4(Ipv4Config{Ipv4Cidr{kPeerIp, 24}, std::nullopt});
    a.set_tcp_handler(tcp_a.get());
    b.set_tcp_handler(tcp_b.get());
  }
  // Moves frames both ways (dropping every drop_every-th when set) and polls.
  void step() {
    for (int round = 0; round < 1000; ++round) {
      bool moved = false;
      while (!dev_a.tx.empty()) {
        if (keep())
          dev_b.rx.push_back(dev_a.pop_tx());
        else
          dev_a.pop_tx();
        moved = true;
      }
      while (!dev_b.tx.empty()) {
        if (tap) tap(dev_b.tx.front());
        if (keep())
          dev_a.rx.push_back(dev_b.pop_tx());
        else
          dev_b.pop_tx();
        moved = true;
      }
      a.poll(now);
      b.poll(now);
      if (!moved && dev_a.tx.empty() && dev_b.tx.empty()) return;
    }
  }
  bool keep() {
    ++frames;
    if (random_drop) {
      lcg = lcg * 6364136223846793005ull + 1442695040888963407ull;
      return (lcg >> 33) % random_drop != 0;
    }
    return drop_every == 0 || frames % drop_every != 0;
  }
  // Runs until the next deadline of either side (or 1 ms if none is nearer).
  void tick() {
    step();
    auto d = earliest(a.next_deadline(), b.next_deadline());
    Instant next = now + Duration::from_millis(1);
    if (d && *d > now && *d < next + Duration::from_millis(10)) next = *d;
    now = d && *d > now ? (*d < next ? *d : next) : next;
    step();
  }

  FakeDevice dev_a, dev_b;
  FakeRandom rnd_a, rnd_b;
  Interface a, b;
  std::unique_ptr<StaticTcp<2, kRing>> tcp_a, tcp_b;
  Instant now = Instant::from_secs(100);
  uint64_t frames = 0;
  uint64_t drop_every = 0;
  std::function<void(const Bytes&)> tap;  // sees every frame b sends
  uint64_t random_drop = 0;               // drop 1 in N at random instead
  uint64_t lcg = 42;
};

TEST_F(TwoStacks, ConnectExchangeAndClose) {
  int l = tcp_b->listen(Port(80), 4);
  TcpId c = tcp_a->connect(Ipv4Endpoint{kPeerIp, Port(80)}, now);
  for (int i = 0; i < 100 && !(tcp_a->events(c) & tcp_events::kConnected); ++i) tick();
  ASSERT_TRUE(tcp_a->events(c) & tcp_events::kConnected);
  TcpId s = tcp_b->accept(l);
  ASSERT_GE(s, 0);
  ASSERT_TRUE(tcp_a->send_copy(c, bytes_of("GET / HTTP/1.1\r\n\r\n")));
  for (int i = 0; i < 50; ++i) tick();
  Bytes got(100);
  got.resize(tcp_b->recv(s, got));
  EXPECT_EQ(std::string(got.begin(), got.end()), "GET / HTTP/1.1\r\n\r\n");
  tcp_a->close(c);
  for (int i = 0; i < 50; ++i) tick();
  EXPECT_EQ(tcp_b->state(s), TcpState::kCloseWait);
  tcp_b->close(s);
  for (int i = 0; i < 50; ++i) tick();
  EXPECT_EQ(tcp_b->connections_in_use(), 0u);
  EXPECT_EQ(tcp_a->connections_in_use(), 1u);  // TIME-WAIT on the side that closed first
  now = now + Duration::from_secs(61);
  tick();
  EXPECT_EQ(tcp_a->connections_in_use(), 0u);
}

void bulk(TwoStacks& t, uint64_t drop_every, Duration bound) {
  t.drop_every = drop_every;
  Bytes body(1 << 20);
  uint32_t x = 12345;
  for (auto& v : body) {
    x = x * 1103515245u + 12345u;
    v = uint8_t(x >> 16);
  }
  int l = t.tcp_b->listen(Port(80), 4);
  TcpId c = t.tcp_a->connect(Ipv4Endpoint{kPeerIp, Port(80)}, t.now);
  Instant start = t.now;
  TcpId s = -1;
  Bytes got;
  got.reserve(body.size());
  size_t queued = 0;
  Bytes buf(16384);
  while (t.now - start < bound) {
    t.tick();
    if (s < 0) s = t.tcp_b->accept(l);
    if (s >= 0) {
      // Zero-copy from the immutable body: 64 KiB references.
      while (queued < body.size() && t.tcp_b->send_slots_free(s) > 0) {
        size_t n = std::min<size_t>(65536, body.size() - queued);
        ASSERT_TRUE(t.tcp_b->send(s, std::span<const uint8_t>(body.data() + queued, n)));
        queued += n;
      }
      if (queued == body.size() && t.tcp_b->send_pending(s) == 0 &&
          t.tcp_b->state(s) == TcpState::kEstablished)
        t.tcp_b->close(s);
    }
    for (size_t n; (n = t.tcp_a->recv(c, buf)) > 0;)
      got.insert(got.end(), buf.begin(), buf.begin() + n);
    if (t.tcp_a->events(c) & tcp_events::kPeerClosed) break;
  }
  ASSERT_EQ(got.size(), body.size()) << "after " << (t.now - start).millis << " ms";
  EXPECT_TRUE(got == body);
  EXPECT_LT((t.now - start), bound);
  std::printf(
      "1 MiB, %s 1/%llu dropped: %lld ms virtual, %llu retransmits, %llu timeouts, "
      "%llu fast\n",
      t.random_drop ? "random" : "every",
      (unsigned long long)(t.random_drop ? t.random_drop : drop_every),
      (long long)(t.now - start).millis, (unsigned long long)t.tcp_b->stats().retransmits,
      (unsigned long long)t.tcp_b->stats().timeouts,
      (unsigned long long)t.tcp_b->stats().fast_retransmits);
}

TEST_F(TwoStacks, BulkAcrossServerSequenceWrap) {
  // RFC 6528 ISN = 250 * ms + XXH64(tuple, secret 0): pick the clock so that the server's
  // ISS lies 300000 below 2^32, and the 1 MiB download wraps its sequence space.
  uint8_t tuple[12];
  store_be32(tuple, kPeerIp.value());
  store_be16(tuple + 4, 80);
  store_be32(tuple + 6, kOurIp.value());
  store_be16(tuple + 10, 49152);
  uint32_t f = uint32_t(xxhash64(tuple, sizeof tuple, 0));
  uint32_t target = 0u - 300000u + (f & 1);
  uint32_t d = (target - f) / 2;  // solve 250 x = target - f (mod 2^32)
  uint32_t inv = 125;
  for (int i = 0; i < 5; ++i) inv *= 2 - 125 * inv;
  now = Instant::from_millis(int64_t((d * inv) & 0x7fffffffu));
  std::optional<uint32_t> iss;
  tap = [&](const Bytes& frame) {
    auto e = EthernetFrame::parse(frame);
    if (!e || e->ethertype() != uint16_t(EtherType::kIpv4)) return;
    auto ip = Ipv4Packet::parse(e->payload());
    auto t = ip ? TcpSegment::parse(ip->payload(), ip->source(), ip->destination()) : std::nullopt;
    if (t && t->has(kSyn)) iss = t->sequence();
  };
  bulk(*this, 11, Duration::from_secs(300));
  ASSERT_TRUE(iss);
  EXPECT_EQ(*iss, target);
}

TEST_F(TwoStacks, BulkMegabyteRandomLoss) {
  random_drop = 20;  // 5 %, as the TAP tests' nftables rule
  bulk(*this, 0, Duration::from_secs(300));
}

TEST_F(TwoStacks, BulkMegabyteClean) {
  bulk(*this, 0, Duration::from_secs(30));
}

TEST_F(TwoStacks, BulkMegabyteOverLossyLink) {
  bulk(*this, 13, Duration::from_secs(300));
}

}  // namespace
}  // namespace mayfly::net::testing
