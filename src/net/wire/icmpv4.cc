#include "net/wire/icmpv4.h"

#include <cstring>

namespace mayfly::net {

std::optional<IcmpPacket> IcmpPacket::parse(std::span<const uint8_t> m) {
  if (m.size() < kHeaderSize) return std::nullopt;
  Checksum c;
  c.add(m);
  if (c.folded() != 0xffff) return std::nullopt;
  return IcmpPacket(m);
}

bool IcmpRepr::emit(std::span<uint8_t> out) const {
  if (out.size() < size()) return false;
  out[0] = uint8_t(type);
  out[1] = code;
  store_be16(out.data() + 2, 0);
  // RFC 792: for destination unreachable the second word is unused and must be zero.
  store_be16(out.data() + 4, identifier);
  store_be16(out.data() + 6, sequence);
  if (!data.empty()) std::memmove(out.data() + IcmpPacket::kHeaderSize, data.data(), data.size());
  store_be16(out.data() + 2, internet_checksum(out.first(size())));
  return true;
}

}  // namespace mayfly::net
