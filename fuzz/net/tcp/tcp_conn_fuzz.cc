// Arbitrary TCP segments (and application calls, and time) against a listener and an
// established connection. Segments are built with valid checksums so they reach the
// state machine; sequence and acknowledgment numbers are near the live ones half the
// time so the in-window paths are exercised.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <string_view>  // before harness.h, which uses it

#include "harness.h"
#include "net/iface/interface.h"
#include "net/tcp/tcp.h"

using namespace mayfly::net;
using namespace mayfly::net::testing;

namespace {

const MacAddress kOurMac(2, 0, 0, 0, 0, 1);
const MacAddress kPeerMac(2, 0, 0, 0, 0, 2);
const Ipv4Address kOurIp(10, 77, 0, 1);
const Ipv4Address kPeerIp(10, 77, 0, 60);

struct Reader {
  const uint8_t* p;
  size_t n;
  uint8_t u8() {
    if (n == 0) return 0;
    --n;
    return *p++;
  }
  uint16_t u16() { return uint16_t(u8() << 8 | u8()); }
  uint32_t u32() { return uint32_t(u16()) << 16 | u16(); }
};

Bytes frame(const TcpRepr& r) {
  Bytes seg(r.size());
  if (!r.emit(seg, kPeerIp, kOurIp)) return {};
  return ethernet(kOurMac, kPeerMac, EtherType::kIpv4, ipv4_datagram(kPeerIp, kOurIp, 6, seg));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FakeDevice dev(kOurMac);
  FakeRandom rnd{7};
  Interface iface(dev, rnd);
  iface.set_ipv4(Ipv4Config{Ipv4Cidr{kOurIp, 24}, std::nullopt});
  static StaticTcp<4, 4096>* storage = nullptr;  // large: keep off the stack
  alignas(StaticTcp<4, 4096>) static uint8_t raw[sizeof(StaticTcp<4, 4096>)];
  storage = new (raw) StaticTcp<4, 4096>(iface);
  StaticTcp<4, 4096>& tcp = *storage;
  iface.set_tcp_handler(&tcp);
  Instant now = Instant::from_secs(10);
  // Learn the peer, then open a connection: SYN, read our ISS, ACK.
  dev.rx.push_back(arp_frame(MacAddress::broadcast(), ArpRepr{ArpOperation::kRequest, kPeerMac,
                                                              kPeerIp, MacAddress(), kOurIp}));
  iface.poll(now);
  dev.tx.clear();
  int listener = tcp.listen(Port(80), 2);
  uint32_t peer_seq = 1000, our_seq = 0;
  TcpRepr syn;
  syn.source_port = Port(4000);
  syn.destination_port = Port(80);
  syn.sequence = peer_seq;
  syn.flags = tcp_flags::kSyn;
  syn.window = 4096;
  syn.options.mss = 1000;
  syn.options.window_scale = 2;
  syn.options.timestamps = TcpTimestamps{5, 0};
  dev.rx.push_back(frame(syn));
  iface.poll(now);
  while (!dev.tx.empty()) {
    Bytes f = dev.pop_tx();
    auto eth = EthernetFrame::parse(f);
    if (!eth) continue;
    auto ip = Ipv4Packet::parse(eth->payload());
    if (!ip) continue;
    auto seg = TcpSegment::parse(ip->payload(), ip->source(), ip->destination());
    if (seg) our_seq = seg->sequence() + 1;
  }
  ++peer_seq;
  TcpRepr ack = syn;
  ack.sequence = peer_seq;
  ack.acknowledgment = our_seq;
  ack.flags = tcp_flags::kAck;
  ack.options = {};
  dev.rx.push_back(frame(ack));
  iface.poll(now);
  TcpId id = tcp.accept(listener);
  static const uint8_t kBody[3000] = {1, 2, 3};

  Reader in{data, size};
  while (in.n > 0) {
    uint8_t op = in.u8();
    if (op >= 0xf8) {
      // An ICMP error quoting one of our segments (sequence near the live one or not).
      uint8_t head[8];
      mayfly::store_be16(head, 80);
      mayfly::store_be16(head + 2, 4000);
      mayfly::store_be32(head + 4, (op & 1) ? our_seq + uint32_t(int16_t(in.u16())) : in.u32());
      IcmpErrorInfo e;
      e.type = in.u8() & 0x0f;
      e.code = in.u8() & 0x0f;
      e.next_hop_mtu = in.u16();
      e.original_destination = kPeerIp;
      e.transport_head = head;
      tcp.on_icmp_error(now, e);
      iface.poll(now);
      dev.tx.clear();
      continue;
    }
    switch (op % 8) {
      case 0:
        now = now + Duration::from_millis(in.u16());
        break;
      case 1: {
        uint8_t buf[512];
        tcp.recv(id, buf);
        break;
      }
      case 2:
        tcp.send(id, std::span<const uint8_t>(kBody, in.u16() % sizeof kBody));
        break;
      case 3:
        if (in.u8() & 1)
          tcp.close(id);
        else
          tcp.abort(id);
        id = tcp.accept(listener);
        break;
      default: {
        TcpRepr r;
        bool established = op & 0x10;
        r.source_port = Port(established ? 4000 : uint16_t(4001 + (in.u8() & 3)));
        r.destination_port = Port((op & 0x20) ? in.u16() : 80);
        bool near = op & 0x40;
        r.sequence = near ? peer_seq + uint32_t(int16_t(in.u16())) : in.u32();
        r.acknowledgment = near ? our_seq + uint32_t(int16_t(in.u16())) : in.u32();
        r.flags = in.u8();
        r.window = in.u16();
        uint8_t optsel = in.u8();
        if (optsel & 1) r.options.mss = in.u16();
        if (optsel & 2) r.options.window_scale = in.u8();
        if (optsel & 4) r.options.timestamps = TcpTimestamps{in.u32(), in.u32()};
        if (optsel & 8) r.options.sack_permitted = true;
        size_t len = in.u8() % 200;
        len = len < in.n ? len : in.n;
        r.payload = std::span<const uint8_t>(in.p, len);
        in.p += len;
        in.n -= len;
        if ((op & 0x80) && len > 0) peer_seq += uint32_t(len);
        Bytes f = frame(r);
        if (!f.empty()) dev.rx.push_back(std::move(f));
        break;
      }
    }
    iface.poll(now);
    dev.tx.clear();
  }
  // Every timer eventually runs down: nothing may loop or crash.
  for (int i = 0; i < 64; ++i) {
    auto d = iface.next_deadline();
    if (!d) break;
    now = *d > now ? *d : now + Duration::from_millis(1);
    iface.poll(now);
    dev.tx.clear();
  }
  iface.set_tcp_handler(nullptr);
  storage->~StaticTcp();
  return 0;
}
