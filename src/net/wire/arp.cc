#include "net/wire/arp.h"

namespace mayfly::net {

std::optional<ArpRepr> ArpRepr::parse(std::span<const uint8_t> p) {
  // RFC 826 packet format; RFC 5227 §2.1.1 ARP for IPv4 over Ethernet only. Trailing
  // bytes (Ethernet padding) are ignored.
  if (p.size() < kSize) return std::nullopt;
  if (load_be16(p.data()) != 1) return std::nullopt;           // ar$hrd: Ethernet
  if (load_be16(p.data() + 2) != 0x0800) return std::nullopt;  // ar$pro: IPv4
  if (p[4] != 6 || p[5] != 4) return std::nullopt;             // ar$hln, ar$pln
  uint16_t op = load_be16(p.data() + 6);
  if (op != 1 && op != 2) return std::nullopt;
  ArpRepr r;
  r.operation = ArpOperation(op);
  r.sender_mac = MacAddress::from_bytes(p.data() + 8);
  r.sender_ip = Ipv4Address::from_bytes(p.data() + 14);
  r.target_mac = MacAddress::from_bytes(p.data() + 18);
  r.target_ip = Ipv4Address::from_bytes(p.data() + 24);
  return r;
}

bool ArpRepr::emit(std::span<uint8_t> out) const {
  if (out.size() < kSize) return false;
  store_be16(out.data(), 1);
  store_be16(out.data() + 2, 0x0800);
  out[4] = 6;
  out[5] = 4;
  store_be16(out.data() + 6, uint16_t(operation));
  sender_mac.write(out.data() + 8);
  sender_ip.write(out.data() + 14);
  target_mac.write(out.data() + 18);
  target_ip.write(out.data() + 24);
  return true;
}

}  // namespace mayfly::net
