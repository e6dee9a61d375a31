// The TCP header and options parsers on arbitrary bytes; parsed options that fit when
// re-emitted must parse back equal, and a re-emitted segment must verify.
#include <cstdlib>
#include <vector>

#include "net/wire/tcp.h"

using namespace mayfly::net;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 8) return 0;
  Ipv4Address src = Ipv4Address::from_bytes(data);
  Ipv4Address dst = Ipv4Address::from_bytes(data + 4);
  std::span<const uint8_t> in(data + 8, size - 8);
  if (auto opts = TcpOptions::parse(in.first(in.size() < 40 ? in.size() : 40))) {
    uint8_t out[TcpOptions::kMaxSize];
    if (auto n = opts->emit(out)) {
      auto back = TcpOptions::parse(std::span<const uint8_t>(out, *n));
      if (!back || !(*back == *opts)) std::abort();
    }
  }
  auto seg = TcpSegment::parse(in, src, dst);
  if (!seg) return 0;
  auto opts = seg->options();
  TcpRepr r;
  r.source_port = seg->source_port();
  r.destination_port = seg->destination_port();
  r.sequence = seg->sequence();
  r.acknowledgment = seg->acknowledgment();
  r.flags = seg->flags();
  r.window = seg->window();
  r.urgent_pointer = seg->urgent_pointer();
  if (opts) r.options = *opts;
  r.payload = seg->payload();
  std::vector<uint8_t> out(r.size());
  if (r.emit(out, src, dst)) {
    auto again = TcpSegment::parse(out, src, dst);
    if (!again || again->sequence() != seg->sequence() ||
        again->payload().size() != seg->payload().size())
      std::abort();
  }
  return 0;
}
