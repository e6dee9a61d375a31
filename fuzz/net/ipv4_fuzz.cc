// The IPv4 parser on arbitrary bytes: every accessor of an accepted packet stays inside
// the buffer (ASan checks), and re-emitting its fields gives a header that parses.
#include <cstdlib>
#include <cstring>
#include <vector>

#include "net/wire/ipv4.h"

using namespace mayfly::net;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto p = Ipv4Packet::parse(std::span<const uint8_t>(data, size));
  if (!p) return 0;
  size_t sum = p->options().size() + p->payload().size() + p->header().size();
  if (p->header_len() < 20 || p->datagram().size() > size ||
      sum != p->total_len() + p->options().size())
    std::abort();
  for (uint8_t b : p->payload()) sum += b;
  for (uint8_t b : p->options()) sum += b;
  volatile size_t sink = sum + p->fragment_offset() + p->identification();
  (void)sink;
  Ipv4Repr r;
  r.source = p->source();
  r.destination = p->destination();
  r.protocol = IpProtocol(p->protocol());
  r.payload_len = uint16_t(p->payload().size());
  r.ttl = p->ttl();
  r.identification = p->identification();
  r.dont_fragment = p->dont_fragment();
  std::vector<uint8_t> out(20 + p->payload().size());
  if (!r.emit(out)) std::abort();
  if (!p->payload().empty()) std::memcpy(out.data() + 20, p->payload().data(), p->payload().size());
  auto q = Ipv4Packet::parse(out);
  if (!q || q->source() != p->source() || q->payload().size() != p->payload().size()) std::abort();
  return 0;
}
