#include "net/iface/fault_device.h"

#include <cstring>

namespace mayfly::net {
namespace {

constexpr uint32_t kHundredPercent = 10000;
constexpr int64_t kMaxDelayMs = 10000;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// "5", "0.5", "12.25", optionally with a trailing '%', in hundredths of a percent.
std::optional<FaultSpecError> parse_percent(std::string_view v, size_t column, uint32_t& out) {
  if (!v.empty() && v.back() == '%') v.remove_suffix(1);
  if (v.empty()) return FaultSpecError{column, "missing percentage"};
  uint32_t whole = 0;
  size_t i = 0;
  for (; i < v.size() && is_digit(v[i]); ++i) {
    whole = whole * 10 + uint32_t(v[i] - '0');
    if (whole > 100) return FaultSpecError{column, "percentage above 100"};
  }
  if (i == 0) return FaultSpecError{column + i, "expected a percentage such as 5 or 0.5"};
  uint32_t frac = 0;
  if (i < v.size() && v[i] == '.') {
    ++i;
    size_t digits = 0;
    for (; i < v.size() && is_digit(v[i]); ++i, ++digits) {
      if (digits == 2) return FaultSpecError{column + i, "at most two decimals"};
      frac = frac * 10 + uint32_t(v[i] - '0');
    }
    if (digits == 0) return FaultSpecError{column + i, "expected digits after '.'"};
    if (digits == 1) frac *= 10;
  }
  if (i != v.size()) return FaultSpecError{column + i, "expected a percentage such as 5 or 0.5"};
  out = whole * 100 + frac;
  if (out > kHundredPercent) return FaultSpecError{column, "percentage above 100"};
  return std::nullopt;
}

// "20ms", "1s", "0"; at most 10 s.
std::optional<FaultSpecError> parse_duration(std::string_view v, size_t column, Duration& out) {
  int64_t n = 0;
  size_t i = 0;
  for (; i < v.size() && is_digit(v[i]); ++i) {
    n = n * 10 + (v[i] - '0');
    if (n > kMaxDelayMs) return FaultSpecError{column, "delay above 10 s"};
  }
  if (i == 0) return FaultSpecError{column, "expected a duration such as 20ms or 1s"};
  std::string_view unit = v.substr(i);
  if (unit == "s") {
    n *= 1000;
  } else if (unit != "ms" && !(unit.empty() && n == 0)) {
    return FaultSpecError{column + i, "expected the unit ms or s"};
  }
  if (n > kMaxDelayMs) return FaultSpecError{column, "delay above 10 s"};
  out = Duration::from_millis(n);
  return std::nullopt;
}

}  // namespace

std::optional<FaultSpecError> parse_fault_spec(std::string_view text, FaultSpec& out) {
  FaultSpec spec;
  if (text.empty()) return FaultSpecError{1, "empty fault spec"};
  uint32_t seen = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find(',', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view item = text.substr(pos, end - pos);
    size_t column = pos + 1;
    size_t eq = item.find('=');
    if (item.empty()) return FaultSpecError{column, "empty item (two commas, or a trailing one)"};
    if (eq == std::string_view::npos) return FaultSpecError{column, "expected key=value"};
    std::string_view key = item.substr(0, eq);
    std::string_view value = item.substr(eq + 1);
    size_t vcol = column + eq + 1;
    uint32_t bit;
    std::optional<FaultSpecError> err;
    if (key == "loss") {
      bit = 1;
      err = parse_percent(value, vcol, spec.loss);
    } else if (key == "reorder") {
      bit = 2;
      err = parse_percent(value, vcol, spec.reorder);
    } else if (key == "dup") {
      bit = 4;
      err = parse_percent(value, vcol, spec.dup);
    } else if (key == "corrupt") {
      bit = 8;
      err = parse_percent(value, vcol, spec.corrupt);
    } else if (key == "delay") {
      bit = 16;
      size_t tilde = value.find('~');
      err = parse_duration(value.substr(0, tilde), vcol, spec.delay);
      if (!err && tilde != std::string_view::npos)
        err = parse_duration(value.substr(tilde + 1), vcol + tilde + 1, spec.jitter);
    } else {
      return FaultSpecError{column, "unknown key (expected loss, reorder, dup, delay or corrupt)"};
    }
    if (err) return err;
    if (seen & bit) return FaultSpecError{column, "key given twice"};
    seen |= bit;
    pos = end + 1;
  }
  out = spec;
  return std::nullopt;
}

FaultDevice::FaultDevice(Device& inner, Random& random, const FaultSpec& spec,
                         std::span<Held> storage)
    : inner_(inner), random_(random), spec_(spec), held_(storage) {}

bool FaultDevice::chance(uint32_t p) {
  if (p == 0) return false;
  if (p >= kHundredPercent) return true;
  return random_.next_u32() % kHundredPercent < p;
}

void FaultDevice::poll(Instant now) {
  now_ = now;
  flush_transmit();
}

std::optional<Instant> FaultDevice::next_deadline() const {
  std::optional<Instant> next;
  if (used_ == 0) return next;
  for (const Held& h : held_)
    if (h.used) next = earliest(next, h.release);
  return next;
}

void FaultDevice::hold(std::span<const uint8_t> frame, bool to_stack, Instant release,
                       bool corrupt) {
  if (frame.size() > kFrameCapacity) return;  // larger than any Ethernet frame: drop
  for (Held& h : held_) {
    if (h.used) continue;
    h.used = true;
    ++used_;
    h.to_stack = to_stack;
    h.release = release;
    h.order = order_++;
    h.len = uint16_t(frame.size());
    if (!frame.empty()) std::memcpy(h.data.data(), frame.data(), frame.size());
    if (corrupt && !frame.empty()) {
      uint32_t bit = random_.next_u32() % uint32_t(frame.size() * 8);
      h.data[bit / 8] ^= uint8_t(1u << (bit % 8));
      ++stats_.corrupted;
    }
    return;
  }
  ++stats_.overflow;
}

void FaultDevice::release_reorder_held(bool to_stack) {
  // Frames held back for reordering go right after the frame that just passed them.
  for (Held& h : held_) {
    if (h.used && h.to_stack == to_stack && h.release > now_ && spec_.delay.millis == 0 &&
        spec_.jitter.millis == 0) {
      h.release = now_;
      h.order = order_++;
    }
  }
}

void FaultDevice::admit(std::span<const uint8_t> frame, bool to_stack) {
  if (chance(spec_.loss)) {
    ++stats_.dropped;
    return;
  }
  bool corrupt = chance(spec_.corrupt);
  int copies = 1;
  if (chance(spec_.dup)) {
    copies = 2;
    ++stats_.duplicated;
  }
  bool delays = spec_.delay.millis > 0 || spec_.jitter.millis > 0;
  for (int i = 0; i < copies; ++i) {
    Duration d = spec_.delay;
    if (spec_.jitter.millis > 0) {
      int64_t span = 2 * spec_.jitter.millis + 1;
      d = d +
          Duration::from_millis(int64_t(random_.next_u32() % uint64_t(span)) - spec_.jitter.millis);
    }
    if (d.millis < 0) d = Duration{};
    bool reorder = i == 0 && chance(spec_.reorder);
    if (reorder) {
      ++stats_.reordered;
      if (delays) {
        d = Duration{};  // skips the delay: overtakes the frames held before it
      } else {
        hold(frame, to_stack, now_ + kReorderHold, corrupt);  // waits for the next frame
        continue;
      }
    }
    if (d.millis > 0) ++stats_.delayed;
    hold(frame, to_stack, now_ + d, corrupt && i == 0);  // only the first copy is corrupted
    // Without a delay, this frame has now passed any held back for reordering: they
    // follow it.
    if (!reorder && !delays) release_reorder_held(to_stack);
  }
}

FaultDevice::Held* FaultDevice::next_due(bool to_stack) {
  Held* best = nullptr;
  if (used_ == 0) return best;
  for (Held& h : held_) {
    if (!h.used || h.to_stack != to_stack || h.release > now_) continue;
    if (!best || h.release < best->release || (h.release == best->release && h.order < best->order))
      best = &h;
  }
  return best;
}

void FaultDevice::flush_transmit() {
  while (Held* h = next_due(false)) {
    inner_.transmit(std::span<const uint8_t>(h->data.data(), h->len));
    h->used = false;
    --used_;
  }
}

bool FaultDevice::transmit_one(std::span<const uint8_t> frame) {
  // Larger than any Ethernet frame: dropped as a loss on the wire, with faults or without,
  // so the wrapper behaves the same whatever the spec (found by fuzz_net_fault_spec).
  if (frame.size() > kFrameCapacity) return true;
  if (!spec_.any()) return inner_.transmit(frame);
  admit(frame, false);
  flush_transmit();
  return true;  // a frame we dropped on purpose is a loss on the wire, not a full ring
}

size_t FaultDevice::receive_one(std::span<uint8_t> buffer) {
  if (!spec_.any()) {
    // The same limit as with faults: an oversized frame is dropped, the next one taken.
    for (int i = 0; i < 64; ++i) {
      size_t n = inner_.receive(buffer);
      if (n <= kFrameCapacity) return n;
    }
    return 0;
  }
  // Take what the link has (bounded), apply the faults, then hand out what is due.
  std::array<uint8_t, kFrameCapacity> frame;
  // Frames stay in the inner device while there is no room to hold them (two slots: a
  // frame and its duplicate), so a burst is not lost here.
  for (int i = 0; i < 64 && used_ + 2 <= held_.size(); ++i) {
    size_t n = inner_.receive(frame);
    if (n == 0) break;
    admit(std::span<const uint8_t>(frame.data(), n), true);
  }
  Held* h = next_due(true);
  if (!h) return 0;
  size_t n = h->len;
  h->used = false;
  --used_;
  if (n > buffer.size()) return 0;  // never a partial frame (Device contract)
  if (n > 0) std::memcpy(buffer.data(), h->data.data(), n);
  return n;
}

}  // namespace mayfly::net
