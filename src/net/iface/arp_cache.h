#pragma once
// The ARP cache (RFC 826): IPv4 → MAC translations with expiry in a fixed table.
// Freestanding.
#include <array>
#include <cstddef>
#include <optional>

#include "net/iface/time.h"
#include "net/wire/address.h"

namespace mayfly::net {

class ArpCache {
 public:
  static constexpr size_t kEntries = 16;
  // RFC 1122 §2.3.2.1: entries MUST time out so a changed translation is relearned; we
  // use a fixed one minute (Linux' base reachable time is 30 s, BSD's 20 min).
  static constexpr Duration kLifetime = Duration::from_secs(60);

  std::optional<MacAddress> lookup(Ipv4Address ip, Instant now) const;
  // RFC 826 "merge": if `ip` is already in the table, refresh its MAC and timer and
  // return true; otherwise change nothing and return false.
  bool update(Ipv4Address ip, MacAddress mac, Instant now);
  // Adds or refreshes `ip`. When full, replaces the entry closest to expiry.
  void insert(Ipv4Address ip, MacAddress mac, Instant now);
  void clear();
  size_t size(Instant now) const;

 private:
  struct Entry {
    Ipv4Address ip;
    MacAddress mac;
    Instant expires;
    bool used = false;
  };
  Entry* find(Ipv4Address ip, Instant now);
  std::array<Entry, kEntries> entries_{};
};

}  // namespace mayfly::net
