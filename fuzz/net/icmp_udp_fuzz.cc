// ICMP and UDP parsers on arbitrary bytes (the first 8 bytes choose the pseudo-header
// addresses); accepted messages re-emit to messages that parse the same.
#include <cstdlib>
#include <cstring>
#include <vector>

#include "net/wire/icmpv4.h"
#include "net/wire/udp.h"

using namespace mayfly::net;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 8) return 0;
  Ipv4Address src = Ipv4Address::from_bytes(data);
  Ipv4Address dst = Ipv4Address::from_bytes(data + 4);
  std::span<const uint8_t> in(data + 8, size - 8);
  if (auto icmp = IcmpPacket::parse(in)) {
    IcmpRepr r{IcmpType(icmp->type()), icmp->code(), icmp->echo_identifier(), icmp->echo_sequence(),
               icmp->data()};
    std::vector<uint8_t> out(r.size());
    // Equal but for the checksum field, which may hold either ones'-complement zero.
    if (!r.emit(out) || std::memcmp(out.data(), in.data(), 2) != 0 ||
        std::memcmp(out.data() + 4, in.data() + 4, out.size() - 4) != 0 || !IcmpPacket::parse(out))
      std::abort();
  }
  if (auto udp = UdpPacket::parse(in, src, dst)) {
    UdpRepr r{udp->source_port(), udp->destination_port(), udp->payload()};
    std::vector<uint8_t> out(r.size());
    if (!r.emit(out, src, dst)) std::abort();
    auto again = UdpPacket::parse(out, src, dst);
    if (!again || again->payload().size() != udp->payload().size()) std::abort();
  }
  return 0;
}
