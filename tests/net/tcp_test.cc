#include "net/wire/tcp.h"

#include <gtest/gtest.h>

#include <vector>

#include "captures.h"

namespace mayfly::net {
namespace {

using namespace captures;

const Ipv4Address kPeer(10, 77, 0, 60);
const Ipv4Address kHost(10, 77, 0, 1);

TEST(TcpSegment, ParsesLinuxSynWithOptions) {
  auto s = TcpSegment::parse(std::span(kTcpSyn).subspan(34), kPeer, kHost);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->destination_port(), Port(80));
  EXPECT_EQ(s->sequence(), 640316780u);
  EXPECT_EQ(s->flags(), tcp_flags::kSyn);
  EXPECT_EQ(s->window(), 64240);
  EXPECT_EQ(s->header_len(), 40u);
  EXPECT_EQ(s->segment_length(), 1u);
  auto o = s->options();
  ASSERT_TRUE(o);
  EXPECT_EQ(o->mss, 1460);
  EXPECT_TRUE(o->sack_permitted);
  ASSERT_TRUE(o->timestamps);
  EXPECT_EQ(o->timestamps->value, 3457437030u);
  EXPECT_EQ(o->timestamps->echo_reply, 0u);
  EXPECT_EQ(o->window_scale, 10);
  EXPECT_EQ(o->sack_count, 0);
}

TEST(TcpSegment, ParsesLinuxRst) {
  auto s = TcpSegment::parse(std::span(kTcpRst).subspan(34), kHost, kPeer);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->flags(), tcp_flags::kRst | tcp_flags::kAck);
  EXPECT_EQ(s->acknowledgment(), 640316781u);
  EXPECT_EQ(s->options()->mss, std::nullopt);
}

TEST(TcpSegment, RejectsTruncationBadOffsetAndChecksum) {
  auto seg = std::span(kTcpSyn).subspan(34);
  for (size_t n = 0; n < seg.size(); ++n)
    EXPECT_FALSE(TcpSegment::parse(seg.first(n), kPeer, kHost)) << n;
  std::vector<uint8_t> b(seg.begin(), seg.end());
  b[17] ^= 1;
  EXPECT_FALSE(TcpSegment::parse(b, kPeer, kHost));
  // Data offset below 5 or past the segment, with the checksum made right again.
  for (uint8_t off : {0, 4, 11, 15}) {
    b.assign(seg.begin(), seg.end());
    b[12] = uint8_t(off << 4);
    b[16] = b[17] = 0;
    Checksum c;
    c.add_pseudo_header(kPeer, kHost, IpProtocol::kTcp, uint16_t(b.size()));
    c.add(b);
    store_be16(b.data() + 16, c.finish());
    EXPECT_FALSE(TcpSegment::parse(b, kPeer, kHost)) << int(off);
  }
}

TEST(TcpOptions, RoundTripEverything) {
  TcpOptions o;
  o.mss = 1460;
  o.window_scale = 7;
  o.timestamps = TcpTimestamps{1, 2};
  o.sack_count = 2;
  o.sack[0] = {100, 200};
  o.sack[1] = {300, 400};
  EXPECT_EQ(o.size(), 4u + 4 + 12 + 4 + 16);
  uint8_t b[40];
  auto n = o.emit(b);
  ASSERT_TRUE(n);
  auto p = TcpOptions::parse(std::span(b, *n));
  ASSERT_TRUE(p);
  EXPECT_EQ(*p, o);
  TcpOptions syn;
  syn.mss = 536;
  syn.sack_permitted = true;
  n = syn.emit(b);
  ASSERT_TRUE(n);
  EXPECT_EQ(TcpOptions::parse(std::span(b, *n)), syn);
}

TEST(TcpOptions, TooManyBytesRefused) {
  TcpOptions o;
  o.timestamps = TcpTimestamps{1, 2};
  o.mss = 1;
  o.sack_count = 4;  // 4 + 12 + 36 > 40
  uint8_t b[64];
  EXPECT_FALSE(o.emit(b));
  o.sack_count = 3;
  o.mss.reset();
  EXPECT_TRUE(o.emit(b));  // RFC 2018: 3 blocks fit with timestamps
  uint8_t small[8];
  EXPECT_FALSE(o.emit(small));
}

TEST(TcpOptions, MalformedAndUnknown) {
  auto parse = [](std::vector<uint8_t> v) { return TcpOptions::parse(v); };
  EXPECT_FALSE(parse({2, 4, 5}));                          // runs past the end
  EXPECT_FALSE(parse({2, 3, 5}));                          // MSS with length 3
  EXPECT_FALSE(parse({99, 0}));                            // length 0
  EXPECT_FALSE(parse({99, 1}));                            // length 1
  EXPECT_FALSE(parse({99}));                               // no length byte
  EXPECT_FALSE(parse({5, 2}));                             // SACK without blocks
  EXPECT_FALSE(parse({5, 9, 0, 0, 0, 0, 0, 0, 0}));        // SACK not 2+8n
  EXPECT_FALSE(parse({8, 8, 0, 0, 0, 0, 0, 0}));           // timestamps length 8
  EXPECT_FALSE(parse({3, 2}));                             // window scale length 2
  EXPECT_FALSE(parse({4, 3, 0}));                          // SACK-permitted length 3
  auto ok = parse({1, 99, 4, 7, 7, 2, 4, 1, 0, 0, 2, 4});  // unknown skipped, EOL stops
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->mss, 256);
  auto ws = parse({3, 3, 20});
  ASSERT_TRUE(ws);
  EXPECT_EQ(ws->window_scale, 14);  // RFC 7323 §2.3 clamp
  EXPECT_TRUE(parse({}));
  // Found by fuzz_net_tcp: a second SACK option left stale blocks behind.
  auto twice = parse(
      {5, 18, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 5, 10, 0, 0, 0, 9, 0, 0, 0, 10});
  ASSERT_TRUE(twice);
  EXPECT_EQ(twice->sack_count, 1);
  EXPECT_EQ(twice->sack[0], (SackBlock{9, 10}));
  EXPECT_EQ(twice->sack[1], SackBlock{});
}

TEST(TcpRepr, EmitThenParse) {
  const uint8_t data[] = {'G', 'E', 'T', ' ', '/'};
  TcpRepr r;
  r.source_port = Port(80);
  r.destination_port = Port(52398);
  r.sequence = 0xfffffff0;
  r.acknowledgment = 640316781u;
  r.flags = tcp_flags::kAck | tcp_flags::kPsh;
  r.window = 502;
  r.options.timestamps = TcpTimestamps{7, 3457437030};
  r.payload = data;
  std::vector<uint8_t> b(r.size());
  ASSERT_TRUE(r.emit(b, kHost, kPeer));
  auto s = TcpSegment::parse(b, kHost, kPeer);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->sequence(), 0xfffffff0u);
  EXPECT_EQ(s->flags(), tcp_flags::kAck | tcp_flags::kPsh);
  EXPECT_EQ(s->header_len(), 32u);
  EXPECT_EQ(s->options()->timestamps, r.options.timestamps);
  EXPECT_EQ(std::vector<uint8_t>(s->payload().begin(), s->payload().end()),
            std::vector<uint8_t>(data, data + 5));
  std::vector<uint8_t> small(r.size() - 1);
  EXPECT_FALSE(r.emit(small, kHost, kPeer));
}

TEST(TcpRepr, ReproducesLinuxRst) {
  TcpRepr r;
  r.source_port = Port(80);
  r.destination_port = Port(52398);
  r.sequence = 0;
  r.acknowledgment = 640316781u;
  r.flags = tcp_flags::kRst | tcp_flags::kAck;
  std::vector<uint8_t> b(r.size());
  ASSERT_TRUE(r.emit(b, kHost, kPeer));
  EXPECT_TRUE(std::equal(b.begin(), b.end(), kTcpRst.begin() + 34));
}

}  // namespace
}  // namespace mayfly::net
