#pragma once
// IPv4 headers (RFC 791): a zero-copy view that parses, and an emitter. Freestanding.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "net/wire/address.h"
#include "net/wire/checksum.h"

namespace mayfly::net {

class Ipv4Packet {
 public:
  static constexpr size_t kMinHeaderSize = 20;

  // Checks, before reading anything else: version 4, IHL >= 5, IHL*4 <= total length <=
  // buffer size, and the header checksum (RFC 1122 §3.2.1.2: MUST verify, silently
  // discard on failure). The buffer may be longer than the datagram (Ethernet pads short
  // frames); payload() stops at the total length.
  static std::optional<Ipv4Packet> parse(std::span<const uint8_t> packet);

  size_t header_len() const { return size_t(bytes_[0] & 0x0f) * 4; }
  uint8_t dscp_ecn() const { return bytes_[1]; }
  uint16_t total_len() const { return load_be16(bytes_.data() + 2); }
  uint16_t identification() const { return load_be16(bytes_.data() + 4); }
  // RFC 791: flags are bit 0 reserved, bit 1 DF, bit 2 MF; the offset is in 8-byte units.
  bool dont_fragment() const { return (bytes_[6] & 0x40) != 0; }
  bool more_fragments() const { return (bytes_[6] & 0x20) != 0; }
  size_t fragment_offset() const { return size_t(load_be16(bytes_.data() + 6) & 0x1fff) * 8; }
  bool is_fragment() const { return more_fragments() || fragment_offset() != 0; }
  uint8_t ttl() const { return bytes_[8]; }
  uint8_t protocol() const { return bytes_[9]; }
  uint16_t checksum() const { return load_be16(bytes_.data() + 10); }
  Ipv4Address source() const { return Ipv4Address::from_bytes(bytes_.data() + 12); }
  Ipv4Address destination() const { return Ipv4Address::from_bytes(bytes_.data() + 16); }
  // RFC 1122 §3.2.1.8: options are skipped here; none are acted on.
  std::span<const uint8_t> options() const {
    return bytes_.subspan(kMinHeaderSize, header_len() - kMinHeaderSize);
  }
  std::span<const uint8_t> header() const { return bytes_.first(header_len()); }
  std::span<const uint8_t> payload() const {
    return bytes_.subspan(header_len(), total_len() - header_len());
  }
  // The datagram without trailing link-layer padding.
  std::span<const uint8_t> datagram() const { return bytes_.first(total_len()); }

 private:
  explicit Ipv4Packet(std::span<const uint8_t> b) : bytes_(b) {}
  std::span<const uint8_t> bytes_;
};

// The fields a sender chooses; emit() writes a 20-byte header with no options.
struct Ipv4Repr {
  static constexpr size_t kHeaderSize = 20;
  // RFC 1700 / IANA: the recommended default TTL is 64.
  static constexpr uint8_t kDefaultTtl = 64;

  Ipv4Address source;
  Ipv4Address destination;
  IpProtocol protocol = IpProtocol::kUdp;
  uint16_t payload_len = 0;
  uint8_t ttl = kDefaultTtl;
  uint16_t identification = 0;
  bool dont_fragment = false;

  // Returns false if the buffer is smaller than the header or the datagram would exceed
  // 65535 bytes. Fills in the header checksum.
  bool emit(std::span<uint8_t> out) const;
};

}  // namespace mayfly::net
