#include "net/iface/arp_cache.h"

namespace mayfly::net {

ArpCache::Entry* ArpCache::find(Ipv4Address ip, Instant now) {
  for (auto& e : entries_) {
    if (!e.used) continue;
    if (e.expires <= now) {
      e.used = false;
      continue;
    }
    if (e.ip == ip) return &e;
  }
  return nullptr;
}

std::optional<MacAddress> ArpCache::lookup(Ipv4Address ip, Instant now) const {
  for (const auto& e : entries_)
    if (e.used && e.ip == ip && now < e.expires) return e.mac;
  return std::nullopt;
}

bool ArpCache::update(Ipv4Address ip, MacAddress mac, Instant now) {
  Entry* e = find(ip, now);
  if (!e) return false;
  e->mac = mac;
  e->expires = now + kLifetime;
  return true;
}

void ArpCache::insert(Ipv4Address ip, MacAddress mac, Instant now) {
  if (update(ip, mac, now)) return;
  Entry* victim = &entries_[0];
  for (auto& e : entries_) {
    if (!e.used) {
      victim = &e;
      break;
    }
    if (e.expires < victim->expires) victim = &e;
  }
  *victim = Entry{ip, mac, now + kLifetime, true};
}

void ArpCache::clear() {
  for (auto& e : entries_) e.used = false;
}

size_t ArpCache::size(Instant now) const {
  size_t n = 0;
  for (const auto& e : entries_) n += (e.used && now < e.expires) ? 1 : 0;
  return n;
}

}  // namespace mayfly::net
