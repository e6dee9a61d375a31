#pragma once
// Text forms of addresses for configuration (`--ip 10.0.0.2/24 --gw 10.0.0.1`):
// dotted-quad IPv4 (RFC 1123 §2.1 decimal only, no octal/hex), CIDR, and MAC
// "aa:bb:cc:dd:ee:ff". Freestanding; no allocation.
#include <cstdint>
#include <optional>
#include <string_view>

#include "net/wire/address.h"

namespace mayfly::net {

constexpr std::optional<Ipv4Address> parse_ipv4(std::string_view s) {
  uint32_t value = 0;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (s.empty() || s.front() != '.') return std::nullopt;
      s.remove_prefix(1);
    }
    size_t digits = 0;
    uint32_t octet = 0;
    while (!s.empty() && s.front() >= '0' && s.front() <= '9' && digits < 4) {
      octet = octet * 10 + uint32_t(s.front() - '0');
      s.remove_prefix(1);
      ++digits;
    }
    // No empty octets, no leading zeros (ambiguous octal), nothing above 255.
    if (digits == 0 || digits > 3 || octet > 255) return std::nullopt;
    value = (value << 8) | octet;
  }
  if (!s.empty()) return std::nullopt;
  return Ipv4Address(value);
}

constexpr std::optional<Ipv4Cidr> parse_ipv4_cidr(std::string_view s) {
  size_t slash = s.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto a = parse_ipv4(s.substr(0, slash));
  std::string_view p = s.substr(slash + 1);
  if (!a || p.empty() || p.size() > 2) return std::nullopt;
  uint32_t n = 0;
  for (char c : p) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + uint32_t(c - '0');
  }
  if (n > 32) return std::nullopt;
  return Ipv4Cidr{*a, uint8_t(n)};
}

constexpr std::optional<MacAddress> parse_mac(std::string_view s) {
  if (s.size() != 17) return std::nullopt;
  uint8_t b[6] = {};
  for (size_t i = 0; i < 6; ++i) {
    if (i > 0 && s[3 * i - 1] != ':') return std::nullopt;
    uint8_t v = 0;
    for (size_t k = 0; k < 2; ++k) {
      char c = s[3 * i + k];
      uint8_t d;
      if (c >= '0' && c <= '9')
        d = uint8_t(c - '0');
      else if (c >= 'a' && c <= 'f')
        d = uint8_t(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        d = uint8_t(c - 'A' + 10);
      else
        return std::nullopt;
      v = uint8_t(v << 4 | d);
    }
    b[i] = v;
  }
  return MacAddress(b[0], b[1], b[2], b[3], b[4], b[5]);
}

}  // namespace mayfly::net
