#pragma once
// IPv4 fragment reassembly (RFC 791 §3.2, RFC 815) in a few fixed slots. Freestanding.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "net/iface/time.h"
#include "net/wire/address.h"
#include "net/wire/ipv4.h"

namespace mayfly::net {

struct ReassembledDatagram {
  Ipv4Address source;
  Ipv4Address destination;
  uint8_t protocol = 0;
  uint8_t ttl = 0;
  std::span<const uint8_t> header;   // the first fragment's header (offset 0), flags cleared
  std::span<const uint8_t> payload;  // the whole transport payload
};

class FragmentReassembler {
 public:
  static constexpr size_t kSlots = 4;
  // The largest payload we reassemble. RFC 1122 §3.3.2 requires at least EMTU_R = 576
  // octets; 8 KiB covers DNS/EDNS answers and large pings. Bigger datagrams are dropped.
  static constexpr size_t kMaxPayload = 8192;
  // RFC 1122 §3.3.2: the timeout MUST be a fixed value; 60-120 s is recommended.
  static constexpr Duration kTimeout = Duration::from_secs(60);

  // Takes one fragment (caller checked is_fragment()). Returns the whole datagram when
  // this fragment completes it; the spans stay valid until the next call.
  std::optional<ReassembledDatagram> add(const Ipv4Packet& fragment, Instant now);
  // Frees slots whose timer ran out (RFC 791: the datagram is discarded).
  void expire(Instant now);
  std::optional<Instant> next_deadline() const;
  size_t in_use() const;
  uint64_t dropped() const { return dropped_; }

 private:
  static constexpr size_t kBlocks = kMaxPayload / 8;
  struct Slot {
    bool used = false;
    Ipv4Address source;
    Ipv4Address destination;
    uint8_t protocol = 0;
    uint16_t id = 0;
    Instant deadline;
    size_t total = 0;  // payload length, known once the last fragment (MF=0) arrived
    bool have_total = false;
    uint8_t ttl = 0;
    size_t header_len = 0;
    std::array<uint8_t, 60> header{};
    std::array<uint8_t, kBlocks / 8> received{};  // one bit per 8-octet block (RFC 815)
    std::array<uint8_t, kMaxPayload> data{};
  };
  Slot* find_or_claim(const Ipv4Packet& p, Instant now);
  static bool complete(const Slot& s);
  std::array<Slot, kSlots> slots_{};
  uint64_t dropped_ = 0;
};

}  // namespace mayfly::net
