#pragma once
// Strong types for link and network addresses and ports. Freestanding.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>

#include "core/bytes.h"

namespace mayfly::net {

// An IEEE 802 MAC-48 address.
class MacAddress {
 public:
  static constexpr size_t kSize = 6;
  constexpr MacAddress() = default;
  constexpr MacAddress(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint8_t e, uint8_t f)
      : bytes_{a, b, c, d, e, f} {}
  static MacAddress from_bytes(const uint8_t* p) {
    MacAddress m;
    std::memcpy(m.bytes_.data(), p, kSize);
    return m;
  }
  static constexpr MacAddress broadcast() { return {0xff, 0xff, 0xff, 0xff, 0xff, 0xff}; }
  void write(uint8_t* p) const { std::memcpy(p, bytes_.data(), kSize); }
  constexpr const std::array<uint8_t, kSize>& bytes() const { return bytes_; }
  constexpr bool is_broadcast() const { return *this == broadcast(); }
  // IEEE 802: the I/G bit (least significant bit of the first octet) marks group addresses.
  constexpr bool is_multicast() const { return (bytes_[0] & 1) != 0; }
  constexpr bool is_unicast() const { return !is_multicast() && !is_zero(); }
  constexpr bool is_zero() const { return *this == MacAddress(); }
  constexpr bool operator==(const MacAddress&) const = default;

 private:
  std::array<uint8_t, kSize> bytes_{};
};

// An IPv4 address, held in host order.
class Ipv4Address {
 public:
  static constexpr size_t kSize = 4;
  constexpr Ipv4Address() = default;
  constexpr explicit Ipv4Address(uint32_t host_order) : value_(host_order) {}
  constexpr Ipv4Address(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
      : value_((uint32_t(a) << 24) | (uint32_t(b) << 16) | (uint32_t(c) << 8) | d) {}
  static Ipv4Address from_bytes(const uint8_t* p) { return Ipv4Address(load_be32(p)); }
  static constexpr Ipv4Address unspecified() { return Ipv4Address(); }
  static constexpr Ipv4Address broadcast() { return Ipv4Address(0xffffffffu); }
  void write(uint8_t* p) const { store_be32(p, value_); }
  constexpr uint32_t value() const { return value_; }
  constexpr bool is_unspecified() const { return value_ == 0; }
  // RFC 919: 255.255.255.255 is the limited broadcast address.
  constexpr bool is_broadcast() const { return value_ == 0xffffffffu; }
  // RFC 1112 §4: class D, 224.0.0.0/4.
  constexpr bool is_multicast() const { return (value_ >> 28) == 0xe; }
  // RFC 1122 §3.2.1.3: 127.0.0.0/8 is internal host loopback.
  constexpr bool is_loopback() const { return (value_ >> 24) == 127; }
  // RFC 1122 §3.2.1.3: class E (240.0.0.0/4) is reserved; with broadcast and multicast
  // these are never valid source addresses.
  constexpr bool is_reserved() const { return (value_ >> 28) == 0xf; }
  constexpr bool is_unicast() const {
    return !is_unspecified() && !is_multicast() && !is_reserved() && !is_loopback();
  }
  constexpr auto operator<=>(const Ipv4Address&) const = default;

 private:
  uint32_t value_ = 0;
};

// An address with a prefix length: the interface's configured subnet.
struct Ipv4Cidr {
  Ipv4Address address;
  uint8_t prefix_len = 0;  // 0..32

  constexpr uint32_t netmask_value() const {
    return prefix_len == 0 ? 0 : (prefix_len >= 32 ? 0xffffffffu : ~(0xffffffffu >> prefix_len));
  }
  constexpr Ipv4Address netmask() const { return Ipv4Address(netmask_value()); }
  constexpr Ipv4Address network() const { return Ipv4Address(address.value() & netmask_value()); }
  constexpr bool contains(Ipv4Address a) const {
    return (a.value() & netmask_value()) == (address.value() & netmask_value());
  }
  // RFC 919/922: the subnet-directed broadcast address (all host bits set). /31 and /32
  // have none (RFC 3021).
  constexpr std::optional<Ipv4Address> broadcast() const;
  // Number of one bits of a contiguous mask; nullopt if the mask is not contiguous.
  static constexpr std::optional<uint8_t> prefix_from_mask(Ipv4Address mask) {
    uint32_t m = mask.value();
    uint8_t n = 0;
    while (n < 32 && (m & (0x80000000u >> n))) ++n;
    if (n < 32 && (m << n) != 0) return std::nullopt;
    return n;
  }
  constexpr bool operator==(const Ipv4Cidr&) const = default;
};

constexpr std::optional<Ipv4Address> Ipv4Cidr::broadcast() const {
  if (prefix_len >= 31) return std::nullopt;
  return Ipv4Address(address.value() | ~netmask_value());
}

// A transport-layer port number.
class Port {
 public:
  constexpr Port() = default;
  constexpr explicit Port(uint16_t v) : value_(v) {}
  constexpr uint16_t value() const { return value_; }
  constexpr auto operator<=>(const Port&) const = default;

 private:
  uint16_t value_ = 0;
};

struct Ipv4Endpoint {
  Ipv4Address address;
  Port port;
  constexpr bool operator==(const Ipv4Endpoint&) const = default;
};

}  // namespace mayfly::net
