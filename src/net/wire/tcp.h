#pragma once
// TCP headers (RFC 9293) and options (RFC 9293 MSS, RFC 7323 window scale and
// timestamps, RFC 2018 SACK): a zero-copy view that parses, and an emitter. The TCP state
// machine lives elsewhere. Freestanding.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "net/wire/address.h"
#include "net/wire/checksum.h"

namespace mayfly::net {

// RFC 9293 §3.1 control bits (with RFC 3168 ECE/CWR).
namespace tcp_flags {
inline constexpr uint8_t kFin = 0x01;
inline constexpr uint8_t kSyn = 0x02;
inline constexpr uint8_t kRst = 0x04;
inline constexpr uint8_t kPsh = 0x08;
inline constexpr uint8_t kAck = 0x10;
inline constexpr uint8_t kUrg = 0x20;
inline constexpr uint8_t kEce = 0x40;
inline constexpr uint8_t kCwr = 0x80;
}  // namespace tcp_flags

struct SackBlock {
  uint32_t left = 0;
  uint32_t right = 0;
  bool operator==(const SackBlock&) const = default;
};

struct TcpTimestamps {
  uint32_t value = 0;
  uint32_t echo_reply = 0;
  bool operator==(const TcpTimestamps&) const = default;
};

struct TcpOptions {
  // RFC 2018 §3: at most 4 blocks fit in 40 option bytes (3 alongside timestamps).
  static constexpr size_t kMaxSackBlocks = 4;
  static constexpr size_t kMaxSize = 40;  // RFC 9293: data offset ≤ 15 words

  std::optional<uint16_t> mss;                   // kind 2, length 4
  std::optional<uint8_t> window_scale;           // kind 3, length 3 (RFC 7323 §2)
  bool sack_permitted = false;                   // kind 4, length 2 (RFC 2018 §2)
  std::array<SackBlock, kMaxSackBlocks> sack{};  // kind 5, length 2+8n (RFC 2018 §3)
  uint8_t sack_count = 0;
  std::optional<TcpTimestamps> timestamps;  // kind 8, length 10 (RFC 7323 §3)

  // Walks the options area. EOL ends it, NOP is skipped, unknown kinds are skipped by
  // their length (RFC 9293 §3.1 MUST). A length below 2 or past the end, or a known kind
  // with the wrong length, is malformed: nullopt (RFC 9293 §3.2 "MUST be prepared to
  // handle an illegal option length ... without crashing").
  static std::optional<TcpOptions> parse(std::span<const uint8_t> area);
  // Bytes emit() writes, padded to a multiple of 4 with NOPs/EOL.
  size_t size() const;
  // Returns the number of bytes written (multiple of 4), or nullopt if the buffer is too
  // small or the options exceed 40 bytes.
  std::optional<size_t> emit(std::span<uint8_t> out) const;
  bool operator==(const TcpOptions&) const = default;
};

class TcpSegment {
 public:
  static constexpr size_t kMinHeaderSize = 20;

  // Checks 20 <= data offset*4 <= buffer size and the checksum over the pseudo-header
  // (RFC 9293 §3.1; the checksum is mandatory). The buffer is the IP payload.
  static std::optional<TcpSegment> parse(std::span<const uint8_t> segment, Ipv4Address src,
                                         Ipv4Address dst);

  Port source_port() const { return Port(load_be16(bytes_.data())); }
  Port destination_port() const { return Port(load_be16(bytes_.data() + 2)); }
  uint32_t sequence() const { return load_be32(bytes_.data() + 4); }
  uint32_t acknowledgment() const { return load_be32(bytes_.data() + 8); }
  size_t header_len() const { return size_t(bytes_[12] >> 4) * 4; }
  uint8_t flags() const { return bytes_[13]; }
  bool has(uint8_t flag) const { return (flags() & flag) != 0; }
  uint16_t window() const { return load_be16(bytes_.data() + 14); }
  uint16_t checksum() const { return load_be16(bytes_.data() + 16); }
  uint16_t urgent_pointer() const { return load_be16(bytes_.data() + 18); }
  std::span<const uint8_t> options_area() const {
    return bytes_.subspan(kMinHeaderSize, header_len() - kMinHeaderSize);
  }
  std::optional<TcpOptions> options() const { return TcpOptions::parse(options_area()); }
  std::span<const uint8_t> payload() const { return bytes_.subspan(header_len()); }
  // RFC 9293 §3.4: SYN and FIN each occupy one sequence number.
  uint32_t segment_length() const {
    return uint32_t(payload().size()) + (has(tcp_flags::kSyn) ? 1 : 0) +
           (has(tcp_flags::kFin) ? 1 : 0);
  }

 private:
  explicit TcpSegment(std::span<const uint8_t> b) : bytes_(b) {}
  std::span<const uint8_t> bytes_;
};

struct TcpRepr {
  Port source_port;
  Port destination_port;
  uint32_t sequence = 0;
  uint32_t acknowledgment = 0;
  uint8_t flags = 0;
  uint16_t window = 0;
  uint16_t urgent_pointer = 0;
  TcpOptions options;
  std::span<const uint8_t> payload;

  size_t header_size() const { return TcpSegment::kMinHeaderSize + options.size(); }
  size_t size() const { return header_size() + payload.size(); }
  // Writes header, options and payload with the checksum; returns false if the buffer is
  // too small or the options do not fit.
  bool emit(std::span<uint8_t> out, Ipv4Address src, Ipv4Address dst) const;
};

}  // namespace mayfly::net
