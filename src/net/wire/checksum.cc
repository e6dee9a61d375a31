#include "net/wire/checksum.h"

namespace mayfly::net {

void Checksum::add(std::span<const uint8_t> bytes) {
  size_t i = 0;
  if (odd_ && !bytes.empty()) {
    sum_ += uint32_t(pending_ << 8 | bytes[0]);
    odd_ = false;
    i = 1;
  }
  // RFC 1071 §4.1: sum 16-bit big-endian words; carries are folded at the end.
  for (; i + 1 < bytes.size(); i += 2) sum_ += uint32_t(bytes[i] << 8 | bytes[i + 1]);
  if (i < bytes.size()) {
    pending_ = bytes[i];
    odd_ = true;
  }
}

uint16_t Checksum::folded() const {
  uint64_t s = sum_;
  // RFC 1071 §1: an odd final byte is padded with a zero byte on the right.
  if (odd_) s += uint32_t(pending_) << 8;
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return uint16_t(s);
}

}  // namespace mayfly::net
