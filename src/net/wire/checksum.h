#pragma once
// The Internet checksum (RFC 1071), computed incrementally over any number of pieces.
// Freestanding.
#include <cstddef>
#include <cstdint>
#include <span>

#include "net/wire/address.h"

namespace mayfly::net {

enum class IpProtocol : uint8_t { kIcmp = 1, kTcp = 6, kUdp = 17 };

class Checksum {
 public:
  // Adds bytes as if they followed everything added so far (odd lengths carry over).
  void add(std::span<const uint8_t> bytes);
  void add_u16(uint16_t v) { add_word(v); }
  void add_u32(uint32_t v) {
    add_word(uint16_t(v >> 16));
    add_word(uint16_t(v));
  }
  // RFC 768 / RFC 9293 §3.1: the pseudo-header of source, destination, zero, protocol
  // and the transport length.
  void add_pseudo_header(Ipv4Address src, Ipv4Address dst, IpProtocol proto, uint16_t length) {
    add_u32(src.value());
    add_u32(dst.value());
    add_word(uint16_t(proto));
    add_word(length);
  }
  // The one's-complement sum folded to 16 bits (no final complement). A region that
  // includes a correct checksum folds to 0xffff.
  uint16_t folded() const;
  // The value to store in a checksum field: the complement of the folded sum.
  uint16_t finish() const { return uint16_t(~folded()); }

 private:
  void add_word(uint16_t w) {
    if (odd_) {
      // Keep byte alignment: a pending odd byte pairs with the high byte of w.
      sum_ += uint32_t(pending_ << 8 | (w >> 8));
      pending_ = uint8_t(w);
    } else {
      sum_ += w;
    }
  }
  uint64_t sum_ = 0;
  bool odd_ = false;
  uint8_t pending_ = 0;
};

// RFC 1071: the checksum of a whole buffer, ready to store.
inline uint16_t internet_checksum(std::span<const uint8_t> bytes) {
  Checksum c;
  c.add(bytes);
  return c.finish();
}

}  // namespace mayfly::net
