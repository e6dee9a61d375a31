#include "net/wire/ethernet.h"

namespace mayfly::net {

std::optional<EthernetFrame> EthernetFrame::parse(std::span<const uint8_t> frame) {
  if (frame.size() < kHeaderSize) return std::nullopt;
  // IEEE 802.3: type values below 0x0600 are lengths of an 802.3/LLC frame.
  if (load_be16(frame.data() + 12) < 0x0600) return std::nullopt;
  return EthernetFrame(frame);
}

bool EthernetRepr::emit(std::span<uint8_t> out) const {
  if (out.size() < EthernetFrame::kHeaderSize) return false;
  destination.write(out.data());
  source.write(out.data() + 6);
  store_be16(out.data() + 12, uint16_t(ethertype));
  return true;
}

}  // namespace mayfly::net
