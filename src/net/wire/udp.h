#pragma once
// UDP (RFC 768): a zero-copy view that parses, and an emitter. Freestanding.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "net/wire/address.h"
#include "net/wire/checksum.h"

namespace mayfly::net {

class UdpPacket {
 public:
  static constexpr size_t kHeaderSize = 8;

  // Checks 8 <= length field <= buffer size and, unless the checksum field is zero, the
  // checksum over the pseudo-header (RFC 768; RFC 1122 §4.1.3.4: MUST discard silently
  // on a bad checksum). Bytes after the length field's end are ignored.
  static std::optional<UdpPacket> parse(std::span<const uint8_t> segment, Ipv4Address src,
                                        Ipv4Address dst);

  Port source_port() const { return Port(load_be16(bytes_.data())); }
  Port destination_port() const { return Port(load_be16(bytes_.data() + 2)); }
  uint16_t length() const { return load_be16(bytes_.data() + 4); }
  uint16_t checksum() const { return load_be16(bytes_.data() + 6); }
  std::span<const uint8_t> payload() const {
    return bytes_.subspan(kHeaderSize, length() - kHeaderSize);
  }

 private:
  explicit UdpPacket(std::span<const uint8_t> b) : bytes_(b) {}
  std::span<const uint8_t> bytes_;
};

struct UdpRepr {
  Port source_port;
  Port destination_port;
  std::span<const uint8_t> payload;

  size_t size() const { return UdpPacket::kHeaderSize + payload.size(); }
  // Writes header and payload with the checksum over the pseudo-header; returns false if
  // the buffer is too small or the datagram exceeds 65535 bytes.
  bool emit(std::span<uint8_t> out, Ipv4Address src, Ipv4Address dst) const;
};

}  // namespace mayfly::net
