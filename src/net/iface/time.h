#pragma once
// Monotonic time supplied by the caller: the stack has no clock of its own. Millisecond
// resolution is plenty for ARP, reassembly, DHCP and TCP timers. Freestanding.
#include <compare>
#include <cstdint>
#include <optional>

namespace mayfly::net {

struct Duration {
  int64_t millis = 0;
  static constexpr Duration from_millis(int64_t ms) { return Duration{ms}; }
  static constexpr Duration from_secs(int64_t s) { return Duration{s * 1000}; }
  constexpr Duration operator+(Duration o) const { return {millis + o.millis}; }
  constexpr Duration operator-(Duration o) const { return {millis - o.millis}; }
  constexpr Duration operator*(int64_t k) const { return {millis * k}; }
  constexpr Duration operator/(int64_t k) const { return {millis / k}; }
  constexpr auto operator<=>(const Duration&) const = default;
};

struct Instant {
  int64_t millis = 0;
  static constexpr Instant from_millis(int64_t ms) { return Instant{ms}; }
  static constexpr Instant from_secs(int64_t s) { return Instant{s * 1000}; }
  constexpr Instant operator+(Duration d) const { return {millis + d.millis}; }
  constexpr Instant operator-(Duration d) const { return {millis - d.millis}; }
  constexpr Duration operator-(Instant o) const { return {millis - o.millis}; }
  constexpr auto operator<=>(const Instant&) const = default;
};

// The earlier of two optional deadlines.
constexpr std::optional<Instant> earliest(std::optional<Instant> a, std::optional<Instant> b) {
  if (!a) return b;
  if (!b) return a;
  return *a < *b ? a : b;
}

}  // namespace mayfly::net
