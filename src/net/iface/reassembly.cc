#include "net/iface/reassembly.h"

#include <cstring>

namespace mayfly::net {

FragmentReassembler::Slot* FragmentReassembler::find_or_claim(const Ipv4Packet& p, Instant now) {
  // RFC 791 §3.2: fragments belong together when source, destination, protocol and
  // identification all match.
  Slot* free_slot = nullptr;
  for (auto& s : slots_) {
    if (s.used && s.source == p.source() && s.destination == p.destination() &&
        s.protocol == p.protocol() && s.id == p.identification())
      return &s;
    if (!s.used && !free_slot) free_slot = &s;
  }
  // All slots busy: drop the new datagram rather than evict one in progress, so a flood
  // of junk fragments cannot keep flushing a legitimate reassembly (RFC 1122 §3.3.2 lets
  // a host discard when out of buffers). Slots free up at their timeout.
  if (!free_slot) return nullptr;
  Slot& s = *free_slot;
  s.used = true;
  s.source = p.source();
  s.destination = p.destination();
  s.protocol = p.protocol();
  s.id = p.identification();
  s.deadline = now + kTimeout;  // RFC 1122 §3.3.2: the timer starts with the first fragment
  s.total = 0;
  s.have_total = false;
  s.header_len = 0;
  s.ttl = p.ttl();
  s.received.fill(0);
  return &s;
}

bool FragmentReassembler::complete(const Slot& s) {
  if (!s.have_total || s.header_len == 0) return false;
  size_t blocks = (s.total + 7) / 8;
  for (size_t b = 0; b < blocks; ++b)
    if (!(s.received[b / 8] & (1u << (b % 8)))) return false;
  return true;
}

std::optional<ReassembledDatagram> FragmentReassembler::add(const Ipv4Packet& p, Instant now) {
  expire(now);
  Slot* s = find_or_claim(p, now);
  if (!s) {
    ++dropped_;
    return std::nullopt;
  }
  auto data = p.payload();
  size_t offset = p.fragment_offset();
  size_t end = offset + data.size();
  // RFC 791: every fragment but the last carries a multiple of 8 octets. Anything past
  // our limit, or a last fragment that disagrees with an earlier one, kills the datagram.
  bool bad = end > kMaxPayload || (p.more_fragments() && (data.size() % 8 != 0 || data.empty())) ||
             (s->have_total && (end > s->total || (!p.more_fragments() && end != s->total)));
  if (bad) {
    s->used = false;
    ++dropped_;
    return std::nullopt;
  }
  if (!p.more_fragments()) {
    s->total = end;
    s->have_total = true;
  }
  if (offset == 0) {
    s->header_len = p.header_len();
    std::memcpy(s->header.data(), p.header().data(), s->header_len);
    s->ttl = p.ttl();
  }
  // Overlaps: the newest copy of a block wins (RFC 791's reassembly just overwrites).
  if (!data.empty()) std::memcpy(s->data.data() + offset, data.data(), data.size());
  for (size_t b = offset / 8; b < (end + 7) / 8; ++b) s->received[b / 8] |= uint8_t(1u << (b % 8));
  if (!complete(*s)) return std::nullopt;

  s->used = false;  // the data stays in place until the next add()
  // Present the header as the unfragmented datagram's (flags/offset cleared, length
  // rewritten, checksum recomputed) so an ICMP error can quote it.
  store_be16(s->header.data() + 2, uint16_t(s->header_len + s->total));
  store_be16(s->header.data() + 6, 0);
  store_be16(s->header.data() + 10, 0);
  store_be16(s->header.data() + 10, internet_checksum({s->header.data(), s->header_len}));
  return ReassembledDatagram{s->source,
                             s->destination,
                             s->protocol,
                             s->ttl,
                             std::span<const uint8_t>(s->header.data(), s->header_len),
                             std::span<const uint8_t>(s->data.data(), s->total)};
}

void FragmentReassembler::expire(Instant now) {
  for (auto& s : slots_) {
    if (s.used && s.deadline <= now) {
      // RFC 1122 §3.3.2 / RFC 792: a host MAY send ICMP Time Exceeded (code 1) when
      // fragment 0 arrived; we silently discard.
      s.used = false;
      ++dropped_;
    }
  }
}

std::optional<Instant> FragmentReassembler::next_deadline() const {
  std::optional<Instant> d;
  for (const auto& s : slots_)
    if (s.used) d = earliest(d, s.deadline);
  return d;
}

size_t FragmentReassembler::in_use() const {
  size_t n = 0;
  for (const auto& s : slots_) n += s.used ? 1 : 0;
  return n;
}

}  // namespace mayfly::net
