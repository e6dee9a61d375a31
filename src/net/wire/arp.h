#pragma once
// ARP for IPv4 over Ethernet (RFC 826): parse and emit. Freestanding.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "net/wire/address.h"

namespace mayfly::net {

enum class ArpOperation : uint16_t { kRequest = 1, kReply = 2 };

struct ArpRepr {
  static constexpr size_t kSize = 28;  // RFC 826 with hln = 6, pln = 4.
  ArpOperation operation = ArpOperation::kRequest;
  MacAddress sender_mac;
  Ipv4Address sender_ip;
  MacAddress target_mac;
  Ipv4Address target_ip;

  // Accepts only hardware type Ethernet (1), protocol IPv4 (0x0800), hln 6, pln 4 and
  // operation request or reply; anything else is nullopt (RFC 826: "?Do I have the
  // hardware type in ar$hrd? ... ?Do I speak the protocol in ar$pro?").
  static std::optional<ArpRepr> parse(std::span<const uint8_t> packet);
  // Writes 28 bytes; returns false if the buffer is too small.
  bool emit(std::span<uint8_t> out) const;
  bool operator==(const ArpRepr&) const = default;
};

}  // namespace mayfly::net
