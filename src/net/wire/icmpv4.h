#pragma once
// ICMPv4 (RFC 792): echo request/reply and destination unreachable. Freestanding.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "net/wire/checksum.h"

namespace mayfly::net {

enum class IcmpType : uint8_t {
  kEchoReply = 0,
  kDestUnreachable = 3,
  kEchoRequest = 8,
  kTimeExceeded = 11,
  kParameterProblem = 12,
};

// RFC 792 / RFC 1122 §3.2.2.1: destination-unreachable codes a host generates.
enum class IcmpUnreachable : uint8_t {
  kNet = 0,
  kHost = 1,
  kProtocol = 2,
  kPort = 3,
  kFragmentationNeeded = 4,  // RFC 1191 path MTU discovery
};

class IcmpPacket {
 public:
  static constexpr size_t kHeaderSize = 8;
  // Checks the length and the checksum over the whole message (RFC 792).
  static std::optional<IcmpPacket> parse(std::span<const uint8_t> message);

  uint8_t type() const { return bytes_[0]; }
  uint8_t code() const { return bytes_[1]; }
  uint16_t checksum() const { return load_be16(bytes_.data() + 2); }
  // Echo: identifier and sequence number.
  uint16_t echo_identifier() const { return load_be16(bytes_.data() + 4); }
  uint16_t echo_sequence() const { return load_be16(bytes_.data() + 6); }
  // RFC 1191 §4: in "fragmentation needed" (type 3 code 4), the next-hop MTU.
  uint16_t next_hop_mtu() const { return load_be16(bytes_.data() + 6); }
  // Echo: the data; unreachable: the original header and leading data octets.
  std::span<const uint8_t> data() const { return bytes_.subspan(kHeaderSize); }

 private:
  explicit IcmpPacket(std::span<const uint8_t> b) : bytes_(b) {}
  std::span<const uint8_t> bytes_;
};

struct IcmpRepr {
  IcmpType type = IcmpType::kEchoReply;
  uint8_t code = 0;
  // For echo: identifier and sequence; unused (zero) for unreachable.
  uint16_t identifier = 0;
  uint16_t sequence = 0;
  std::span<const uint8_t> data;

  size_t size() const { return IcmpPacket::kHeaderSize + data.size(); }
  // Writes header and data with the checksum; returns false if the buffer is too small.
  bool emit(std::span<uint8_t> out) const;
};

}  // namespace mayfly::net
