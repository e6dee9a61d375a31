#include "net/wire/tcp.h"

#include <cstring>

namespace mayfly::net {
namespace {

enum : uint8_t {
  kEol = 0,
  kNop = 1,
  kMss = 2,
  kWindowScale = 3,
  kSackPermitted = 4,
  kSack = 5,
  kTimestamps = 8,
};

}  // namespace

std::optional<TcpOptions> TcpOptions::parse(std::span<const uint8_t> a) {
  TcpOptions o;
  size_t i = 0;
  while (i < a.size()) {
    uint8_t kind = a[i];
    if (kind == kEol) break;  // RFC 9293: end of option list
    if (kind == kNop) {
      ++i;
      continue;
    }
    if (i + 1 >= a.size()) return std::nullopt;
    size_t len = a[i + 1];
    if (len < 2 || i + len > a.size()) return std::nullopt;
    const uint8_t* v = a.data() + i + 2;
    switch (kind) {
      case kMss:
        if (len != 4) return std::nullopt;
        o.mss = load_be16(v);
        break;
      case kWindowScale:
        if (len != 3) return std::nullopt;
        // RFC 7323 §2.3: a shift above 14 is used as 14 (and SHOULD be logged).
        o.window_scale = v[0] > 14 ? uint8_t(14) : v[0];
        break;
      case kSackPermitted:
        if (len != 2) return std::nullopt;
        o.sack_permitted = true;
        break;
      case kSack: {
        size_t n = (len - 2) / 8;
        if ((len - 2) % 8 != 0 || n == 0 || n > kMaxSackBlocks) return std::nullopt;
        // A repeated option replaces the earlier blocks entirely (no stale entries).
        o.sack = {};
        o.sack_count = uint8_t(n);
        for (size_t b = 0; b < n; ++b) o.sack[b] = {load_be32(v + 8 * b), load_be32(v + 8 * b + 4)};
        break;
      }
      case kTimestamps:
        if (len != 10) return std::nullopt;
        o.timestamps = TcpTimestamps{load_be32(v), load_be32(v + 4)};
        break;
      default:
        break;  // RFC 9293 §3.1: ignore options we do not implement
    }
    i += len;
  }
  return o;
}

size_t TcpOptions::size() const {
  // Layouts follow the alignment suggested in RFC 7323 Appendix A and RFC 2018 §3.
  size_t n = 0;
  if (mss) n += 4;
  if (window_scale) n += 4;                 // NOP + 3
  if (sack_permitted) n += 4;               // NOP NOP + 2
  if (timestamps) n += 12;                  // NOP NOP + 10
  if (sack_count) n += 4 + 8 * sack_count;  // NOP NOP + 2 + 8n
  return n;
}

std::optional<size_t> TcpOptions::emit(std::span<uint8_t> out) const {
  size_t n = size();
  if (n > kMaxSize || n > out.size() || sack_count > kMaxSackBlocks) return std::nullopt;
  uint8_t* p = out.data();
  if (mss) {
    p[0] = kMss;
    p[1] = 4;
    store_be16(p + 2, *mss);
    p += 4;
  }
  if (window_scale) {
    p[0] = kNop;
    p[1] = kWindowScale;
    p[2] = 3;
    p[3] = *window_scale;
    p += 4;
  }
  if (sack_permitted) {
    p[0] = kNop;
    p[1] = kNop;
    p[2] = kSackPermitted;
    p[3] = 2;
    p += 4;
  }
  if (timestamps) {
    p[0] = kNop;
    p[1] = kNop;
    p[2] = kTimestamps;
    p[3] = 10;
    store_be32(p + 4, timestamps->value);
    store_be32(p + 8, timestamps->echo_reply);
    p += 12;
  }
  if (sack_count) {
    p[0] = kNop;
    p[1] = kNop;
    p[2] = kSack;
    p[3] = uint8_t(2 + 8 * sack_count);
    p += 4;
    for (size_t b = 0; b < sack_count; ++b) {
      store_be32(p, sack[b].left);
      store_be32(p + 4, sack[b].right);
      p += 8;
    }
  }
  return n;
}

std::optional<TcpSegment> TcpSegment::parse(std::span<const uint8_t> s, Ipv4Address src,
                                            Ipv4Address dst) {
  if (s.size() < kMinHeaderSize || s.size() > 0xffff) return std::nullopt;
  size_t off = size_t(s[12] >> 4) * 4;
  if (off < kMinHeaderSize || off > s.size()) return std::nullopt;
  Checksum c;
  c.add_pseudo_header(src, dst, IpProtocol::kTcp, uint16_t(s.size()));
  c.add(s);
  if (c.folded() != 0xffff) return std::nullopt;
  return TcpSegment(s);
}

bool TcpRepr::emit(std::span<uint8_t> out, Ipv4Address src, Ipv4Address dst) const {
  size_t total = size();
  if (total > 0xffff || out.size() < total) return false;
  uint8_t* p = out.data();
  store_be16(p, source_port.value());
  store_be16(p + 2, destination_port.value());
  store_be32(p + 4, sequence);
  store_be32(p + 8, acknowledgment);
  auto opt_len = options.emit(out.subspan(TcpSegment::kMinHeaderSize));
  if (!opt_len) return false;
  p[12] = uint8_t(((TcpSegment::kMinHeaderSize + *opt_len) / 4) << 4);
  p[13] = flags;
  store_be16(p + 14, window);
  store_be16(p + 16, 0);
  store_be16(p + 18, urgent_pointer);
  if (!payload.empty()) std::memmove(p + header_size(), payload.data(), payload.size());
  Checksum c;
  c.add_pseudo_header(src, dst, IpProtocol::kTcp, uint16_t(total));
  c.add(out.first(total));
  store_be16(p + 16, c.finish());
  return true;
}

}  // namespace mayfly::net
