// Connection lookup through the hash table: many connections whose 4-tuples differ only in
// the remote address or only in the remote port each get their own segments, through
// resets that take entries out and new connections that reuse slots and tuples.
#include <gtest/gtest.h>

#include <array>

#include "iface_fixture.h"
#include "net/tcp/tcp.h"

namespace mayfly::net::testing {
namespace {

using namespace tcp_flags;

const MacAddress kPeer2Mac(2, 0, 0, 0, 0, 3);
const Ipv4Address kPeer2Ip(10, 77, 0, 61);

class ConnLookup : public InterfaceTest {
 protected:
  static constexpr size_t kConns = 64;

  void SetUp() override {
    configure();
    learn(kPeerMac, kPeerIp);
    learn(kPeer2Mac, kPeer2Ip);
    iface.set_tcp_handler(&tcp);
    listener = tcp.listen(Port(80), int(kConns));
    ASSERT_GE(listener, 0);
  }

  // Peer `i`: the two peers alternate, and each pair shares a source port.
  Ipv4Endpoint peer_of(size_t i) const {
    return {i % 2 ? kPeer2Ip : kPeerIp, Port(uint16_t(5000 + i / 2))};
  }
  void send(size_t i, uint8_t flags, uint32_t seq, uint32_t ack, std::span<const uint8_t> data) {
    Ipv4Endpoint p = peer_of(i);
    TcpRepr r;
    r.source_port = p.port;
    r.destination_port = Port(80);
    r.sequence = seq;
    r.acknowledgment = ack;
    r.flags = flags;
    r.window = 65535;
    r.payload = data;
    Bytes l4(r.size());
    ASSERT_TRUE(r.emit(l4, p.address, kOurIp));
    inject(ethernet(iface.mac(), i % 2 ? kPeer2Mac : kPeerMac, EtherType::kIpv4,
                    ipv4_datagram(p.address, kOurIp, 6, l4)));
  }
  // Our last segment to peer `i` (others are discarded): its sequence number.
  uint32_t last_seq_to(size_t i) {
    uint32_t seq = 0;
    bool found = false;
    while (!dev.tx.empty()) {
      Sent s = next_sent();
      if (!s.ip) continue;
      auto seg = TcpSegment::parse(s.ip->payload(), s.ip->source(), s.ip->destination());
      if (seg && s.ip->destination() == peer_of(i).address &&
          seg->destination_port() == peer_of(i).port) {
        seq = seg->sequence();
        found = true;
      }
    }
    EXPECT_TRUE(found) << "nothing sent to peer " << i;
    return seq;
  }
  TcpId open(size_t i, uint32_t irs) {
    send(i, kSyn, irs, 0, {});
    iss[i] = last_seq_to(i);
    send(i, kAck, irs + 1, iss[i] + 1, {});
    return tcp.accept(listener);
  }

  StaticTcp<kConns, 2048> tcp{iface};
  int listener = -1;
  std::array<TcpId, kConns> ids{};
  std::array<uint32_t, kConns> iss{};
};

TEST_F(ConnLookup, EachTupleGetsItsOwnSegmentsThroughResetsAndReuse) {
  for (size_t i = 0; i < kConns; ++i) {
    ids[i] = open(i, 1000);
    ASSERT_GE(ids[i], 0) << i;
  }
  EXPECT_EQ(tcp.connections_in_use(), kConns);
  // One distinct byte to each: it must land in that connection and no other.
  for (size_t i = 0; i < kConns; ++i) {
    const uint8_t b = uint8_t(i);
    send(i, kAck | kPsh, 1001, iss[i] + 1, std::span(&b, 1));
  }
  for (size_t i = 0; i < kConns; ++i) {
    uint8_t got[4] = {};
    ASSERT_EQ(tcp.recv(ids[i], got), 1u) << i;
    EXPECT_EQ(got[0], uint8_t(i));
    EXPECT_EQ(tcp.remote(ids[i]), peer_of(i));
  }
  // The even peers reset (exact sequence, RFC 5961 §3.2): those entries leave the table
  // while their twins on the same port stay reachable.
  for (size_t i = 0; i < kConns; i += 2) {
    send(i, kRst, 1002, 0, {});
    EXPECT_TRUE(tcp.events(ids[i]) & tcp_events::kReset) << i;
    tcp.close(ids[i]);
  }
  EXPECT_EQ(tcp.connections_in_use(), kConns / 2);
  // New connections on the same tuples take the freed slots.
  for (size_t i = 0; i < kConns; i += 2) {
    ids[i] = open(i, 5000);
    ASSERT_GE(ids[i], 0) << i;
  }
  EXPECT_EQ(tcp.connections_in_use(), kConns);
  for (size_t i = 0; i < kConns; ++i) {
    const uint8_t b = uint8_t(0x80 | i);
    const uint32_t seq = i % 2 ? 1002 : 5001;
    send(i, kAck | kPsh, seq, iss[i] + 1, std::span(&b, 1));
    uint8_t got[4] = {};
    ASSERT_EQ(tcp.recv(ids[i], got), 1u) << i;
    EXPECT_EQ(got[0], uint8_t(0x80 | i));
  }
  // A segment for a tuple that has no connection draws a reset (RFC 9293 §3.10.7.1),
  // not another connection's data.
  const uint8_t stray = 0xee;
  const uint64_t resets = tcp.stats().resets_sent;
  send(kConns, kAck | kPsh, 1, 1, std::span(&stray, 1));
  EXPECT_EQ(tcp.stats().resets_sent, resets + 1);
  for (size_t i = 0; i < kConns; ++i) EXPECT_EQ(tcp.events(ids[i]) & tcp_events::kReadable, 0u);
}

}  // namespace
}  // namespace mayfly::net::testing
