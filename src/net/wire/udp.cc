#include "net/wire/udp.h"

#include <cstring>

namespace mayfly::net {

std::optional<UdpPacket> UdpPacket::parse(std::span<const uint8_t> s, Ipv4Address src,
                                          Ipv4Address dst) {
  if (s.size() < kHeaderSize) return std::nullopt;
  size_t len = load_be16(s.data() + 4);
  if (len < kHeaderSize || len > s.size()) return std::nullopt;
  // RFC 768: an all-zero checksum field means the sender computed none.
  if (load_be16(s.data() + 6) != 0) {
    Checksum c;
    c.add_pseudo_header(src, dst, IpProtocol::kUdp, uint16_t(len));
    c.add(s.first(len));
    if (c.folded() != 0xffff) return std::nullopt;
  }
  return UdpPacket(s.first(len));
}

bool UdpRepr::emit(std::span<uint8_t> out, Ipv4Address src, Ipv4Address dst) const {
  if (size() > 0xffff || out.size() < size()) return false;
  store_be16(out.data(), source_port.value());
  store_be16(out.data() + 2, destination_port.value());
  store_be16(out.data() + 4, uint16_t(size()));
  store_be16(out.data() + 6, 0);
  if (!payload.empty())
    std::memmove(out.data() + UdpPacket::kHeaderSize, payload.data(), payload.size());
  Checksum c;
  c.add_pseudo_header(src, dst, IpProtocol::kUdp, uint16_t(size()));
  c.add(out.first(size()));
  uint16_t sum = c.finish();
  // RFC 768: a computed checksum of zero is transmitted as all ones.
  store_be16(out.data() + 6, sum == 0 ? 0xffff : sum);
  return true;
}

}  // namespace mayfly::net
