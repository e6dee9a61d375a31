// A whole Interface with a DHCP client, a UDP echo socket and a TCP handler that answers
// SYNs, fed arbitrary frames in virtual time. Input: a mode byte, then records of
// [time step (1 byte, ×100 ms)] [length (2 bytes, big-endian)] [frame].
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <vector>

#include "net/dhcp/dhcp_client.h"
#include "net/iface/interface.h"

using namespace mayfly::net;

namespace {

class QueueDevice : public Device {
 public:
  size_t receive(std::span<uint8_t> buffer) override {
    if (rx.empty()) return 0;
    std::vector<uint8_t> f = std::move(rx.front());
    rx.pop_front();
    if (f.empty() || f.size() > buffer.size()) return 0;
    std::memcpy(buffer.data(), f.data(), f.size());
    return f.size();
  }
  bool transmit(std::span<const uint8_t> frame) override {
    // Everything we send must be a well-formed frame within the MTU.
    if (frame.size() < 60 || frame.size() > 1514 || !EthernetFrame::parse(frame)) std::abort();
    ++sent;
    return true;
  }
  size_t mtu() const override { return 1500; }
  MacAddress mac_address() const override { return MacAddress(2, 0, 0, 0, 0, 1); }
  std::deque<std::vector<uint8_t>> rx;
  size_t sent = 0;
};

class CountingRandom : public Random {
 public:
  uint32_t next_u32() override { return state_ = state_ * 1664525u + 1013904223u; }

 private:
  uint32_t state_ = 1;
};

class ResettingTcp : public TcpHandler {
 public:
  explicit ResettingTcp(Interface& i) : iface_(i) {}
  void on_segment(Instant, const Ipv4Meta& ip, const TcpSegment& seg) override {
    if (!seg.has(tcp_flags::kSyn)) return;
    TcpRepr rst;
    rst.source_port = seg.destination_port();
    rst.destination_port = seg.source_port();
    rst.acknowledgment = seg.sequence() + seg.segment_length();
    rst.flags = tcp_flags::kRst | tcp_flags::kAck;
    uint8_t hdr[20];
    rst.emit(hdr, iface_.source_address(), ip.source);
    iface_.send_ipv4(ip.source, IpProtocol::kTcp, hdr);
  }
  void poll(Instant) override {}
  std::optional<Instant> next_deadline() const override { return std::nullopt; }

 private:
  Interface& iface_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  QueueDevice dev;
  CountingRandom rnd;
  Interface iface(dev, rnd);
  ResettingTcp tcp(iface);
  iface.set_tcp_handler(&tcp);
  DhcpClient dhcp(iface, rnd, DhcpClientConfig{Duration{}, Duration{}});
  StaticUdpSocket<4, 1500> echo;
  iface.udp_bind(echo, Port(7));
  Instant now = Instant::from_secs(1);
  if (data[0] & 1)
    iface.set_ipv4(Ipv4Config{Ipv4Cidr{Ipv4Address(10, 77, 0, 1), uint8_t(data[0] >> 3)},
                              Ipv4Address(10, 77, 0, 254)});
  if (data[0] & 2) dhcp.start(now);
  size_t i = 1;
  std::vector<uint8_t> buf(1500);
  auto step = [&] {
    iface.poll(now);
    dhcp.poll(now);
    while (auto m = echo.recv_from(buf)) echo.send_to(std::span(buf.data(), m->size), m->remote);
  };
  while (i + 3 <= size) {
    now = now + Duration::from_millis(int64_t(data[i]) * 100);
    size_t len = size_t(data[i + 1]) << 8 | data[i + 2];
    i += 3;
    if (len > size - i) len = size - i;
    dev.rx.emplace_back(data + i, data + i + len);
    i += len;
    step();
    // Deadlines are never in the past after a poll.
    auto d = earliest(iface.next_deadline(), dhcp.next_deadline());
    if (d && *d < now) std::abort();
    if (std::getenv("MAYFLY_FUZZ_TRACE"))
      std::fprintf(stderr, "t=%lld dhcp=%d configured=%d sent=%zu\n", (long long)now.millis,
                   int(dhcp.state()), int(iface.ipv4().has_value()), dev.sent);
  }
  // Let every timer run out.
  for (int k = 0; k < 64; ++k) {
    auto d = earliest(iface.next_deadline(), dhcp.next_deadline());
    if (!d) break;
    now = *d;
    step();
  }
  return 0;
}
