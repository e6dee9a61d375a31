// The --faults spec parser, and a FaultDevice driven with the parsed spec. Input: the spec
// text up to the first '\n', then records [op][Δt ms][len][bytes…] (op bit 0: receive
// direction). Oracles: a parse error points inside the text; a parsed spec is in range;
// frames come out whole and never longer than they went in; no deadline in the past.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <string_view>
#include <vector>

#include "net/iface/fault_device.h"

using namespace mayfly::net;

namespace {

struct Link : Device {
  std::deque<std::vector<uint8_t>> rx;
  size_t sent = 0;
  size_t receive(std::span<uint8_t> buffer) override {
    if (rx.empty()) return 0;
    auto f = std::move(rx.front());
    rx.pop_front();
    if (f.size() > buffer.size()) return 0;
    if (!f.empty()) std::memcpy(buffer.data(), f.data(), f.size());
    return f.size();
  }
  bool transmit(std::span<const uint8_t> frame) override {
    if (frame.size() > FaultDevice::kFrameCapacity) std::abort();
    ++sent;
    return true;
  }
  size_t mtu() const override { return 1500; }
  MacAddress mac_address() const override { return MacAddress(2, 0, 0, 0, 0, 1); }
};

struct Xorshift : Random {
  uint32_t s = 1;
  uint32_t next_u32() override {
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    return s;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view all(reinterpret_cast<const char*>(data), size);
  size_t nl = all.find('\n');
  std::string_view text = all.substr(0, nl);
  FaultSpec spec;
  auto err = parse_fault_spec(text, spec);
  if (err) {
    if (err->column < 1 || err->column > text.size() + 1 || !err->message[0]) std::abort();
    return 0;
  }
  if (spec.loss > 10000 || spec.dup > 10000 || spec.reorder > 10000 || spec.corrupt > 10000 ||
      spec.delay.millis < 0 || spec.delay.millis > 10000 || spec.jitter.millis < 0 ||
      spec.jitter.millis > 10000)
    std::abort();
  if (nl == std::string_view::npos) return 0;
  Link link;
  Xorshift rnd;
  StaticFaultDevice<16> dev(link, rnd, spec);
  Instant now = Instant::from_secs(1);
  dev.poll(now);
  const uint8_t* p = data + nl + 1;
  const uint8_t* end = data + size;
  uint8_t buf[1600];
  while (end - p >= 4) {
    uint8_t op = p[0];
    now = now + Duration::from_millis(p[1]);
    size_t len = size_t(p[2]) << 3 | (p[3] & 7);
    p += 4;
    if (len > size_t(end - p)) len = size_t(end - p);
    dev.poll(now);
    if (op & 1) {
      link.rx.emplace_back(p, p + len);
      for (size_t n; (n = dev.receive(buf)) > 0;)
        if (n > FaultDevice::kFrameCapacity) std::abort();
    } else {
      dev.transmit(std::span<const uint8_t>(p, len));
    }
    p += len;
    auto d = dev.next_deadline();
    if (d && *d < now - Duration::from_millis(0) && (op & 2)) {
      // Due frames are released by the next poll; nothing is left overdue after it.
      dev.poll(now);
      auto d2 = dev.next_deadline();
      for (size_t n; (n = dev.receive(buf)) > 0;) {
      }
      d2 = dev.next_deadline();
      if (d2 && *d2 < now) std::abort();
    }
  }
  return 0;
}
