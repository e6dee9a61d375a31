#pragma once
// Ethernet II frames: a zero-copy view that parses, and an emitter. Freestanding.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "net/wire/address.h"

namespace mayfly::net {

// IEEE 802.3 / IANA EtherType values.
enum class EtherType : uint16_t { kIpv4 = 0x0800, kArp = 0x0806, kIpv6 = 0x86dd };

class EthernetFrame {
 public:
  static constexpr size_t kHeaderSize = 14;
  // Frames are at least 64 bytes on the wire (60 without the FCS); shorter ones are
  // padded by the sender (IEEE 802.3 §4.2.3.3).
  static constexpr size_t kMinFrameSize = 60;

  // Returns nullopt if the buffer cannot hold a header. 802.3 length fields (values up
  // to 1500) are not Ethernet II and are rejected (RFC 894 only uses Ethernet II).
  static std::optional<EthernetFrame> parse(std::span<const uint8_t> frame);

  MacAddress destination() const { return MacAddress::from_bytes(bytes_.data()); }
  MacAddress source() const { return MacAddress::from_bytes(bytes_.data() + 6); }
  uint16_t ethertype() const { return load_be16(bytes_.data() + 12); }
  std::span<const uint8_t> payload() const { return bytes_.subspan(kHeaderSize); }

 private:
  explicit EthernetFrame(std::span<const uint8_t> b) : bytes_(b) {}
  std::span<const uint8_t> bytes_;
};

struct EthernetRepr {
  MacAddress destination;
  MacAddress source;
  EtherType ethertype = EtherType::kIpv4;

  // Writes the 14-byte header; returns false if the buffer is too small.
  bool emit(std::span<uint8_t> out) const;
};

}  // namespace mayfly::net
