#include "net/wire/ipv4.h"

namespace mayfly::net {

std::optional<Ipv4Packet> Ipv4Packet::parse(std::span<const uint8_t> p) {
  if (p.size() < kMinHeaderSize) return std::nullopt;
  if ((p[0] >> 4) != 4) return std::nullopt;
  size_t ihl = size_t(p[0] & 0x0f) * 4;
  if (ihl < kMinHeaderSize) return std::nullopt;  // RFC 791: minimum IHL is 5
  size_t total = load_be16(p.data() + 2);
  if (total < ihl || total > p.size()) return std::nullopt;
  Checksum c;
  c.add(p.first(ihl));
  if (c.folded() != 0xffff) return std::nullopt;
  return Ipv4Packet(p);
}

bool Ipv4Repr::emit(std::span<uint8_t> out) const {
  if (out.size() < kHeaderSize) return false;
  if (size_t(payload_len) + kHeaderSize > 0xffff) return false;
  out[0] = 0x45;  // version 4, IHL 5: we never send options
  out[1] = 0;     // DSCP 0 (RFC 2474 default), not ECN-capable (RFC 3168)
  store_be16(out.data() + 2, uint16_t(kHeaderSize + payload_len));
  store_be16(out.data() + 4, identification);
  store_be16(out.data() + 6, dont_fragment ? 0x4000 : 0);  // never fragmented by us
  out[8] = ttl;
  out[9] = uint8_t(protocol);
  store_be16(out.data() + 10, 0);
  source.write(out.data() + 12);
  destination.write(out.data() + 16);
  store_be16(out.data() + 10, internet_checksum(out.first(kHeaderSize)));
  return true;
}

}  // namespace mayfly::net
