#pragma once
// A Device decorator that injects faults in both directions: loss, duplication,
// corruption (one flipped bit), delay with jitter, and reordering. For testing the stack
// against real peers on a link that misbehaves, where the kernel has no netem. Decisions
// come from the caller's Random, so a seeded run is repeatable. Freestanding: held
// frames live in the caller's storage (see StaticFaultDevice).
//
// Spec text (the CLI's --faults): comma-separated key=value, e.g.
//   loss=5,reorder=25,dup=5,delay=20ms~10ms,corrupt=1
// Percentages may have up to two decimals ("0.5"). delay=D or D~J: each frame is held
// D ± J (uniform) milliseconds; units ms or s. reorder=P: with a delay, P % of frames skip
// it (and so overtake the ones held); without one, P % are held until the next frame in
// their direction has passed (at most 10 ms).
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "net/iface/device.h"
#include "net/iface/time.h"

namespace mayfly::net {

struct FaultSpec {
  // Probabilities in hundredths of a percent (0..10000).
  uint32_t loss = 0;
  uint32_t reorder = 0;
  uint32_t dup = 0;
  uint32_t corrupt = 0;
  Duration delay;
  Duration jitter;
  bool any() const { return loss || reorder || dup || corrupt || delay.millis || jitter.millis; }
  bool operator==(const FaultSpec&) const = default;
};

struct FaultSpecError {
  size_t column = 0;         // 1-based column in the spec where the problem is
  const char* message = "";  // static text
};

// Parses `text` into `out`. On error returns the column and a message such as
// "unknown key (expected loss, reorder, dup, delay or corrupt)".
std::optional<FaultSpecError> parse_fault_spec(std::string_view text, FaultSpec& out);

struct FaultStats {
  uint64_t dropped = 0;
  uint64_t duplicated = 0;
  uint64_t corrupted = 0;
  uint64_t delayed = 0;
  uint64_t reordered = 0;
  uint64_t overflow = 0;  // held-frame storage full: dropped
};

class FaultDevice : public Device {
 public:
  static constexpr size_t kFrameCapacity = 1536;  // Ethernet frame (1514) rounded up
  static constexpr Duration kReorderHold = Duration::from_millis(10);

  // A held frame. Opaque storage for the caller to provide.
  struct Held {
    bool used = false;
    bool to_stack = false;  // receive direction
    Instant release;
    uint64_t order = 0;
    uint16_t len = 0;
    std::array<uint8_t, kFrameCapacity> data{};
  };

  FaultDevice(Device& inner, Random& random, const FaultSpec& spec, std::span<Held> storage);

  // The clock: call before each Interface::poll. Releases due transmit frames.
  void poll(Instant now);
  // When a held frame falls due (nullopt if none): fold into the loop's wait.
  std::optional<Instant> next_deadline() const;

  // Defined inline (no key function) so hosted code built with RTTI can use this class
  // while the library itself is built without it.
  size_t receive(std::span<uint8_t> buffer) override { return receive_one(buffer); }
  bool transmit(std::span<const uint8_t> frame) override { return transmit_one(frame); }
  size_t mtu() const override { return inner_.mtu(); }
  MacAddress mac_address() const override { return inner_.mac_address(); }

  const FaultStats& stats() const { return stats_; }
  const FaultSpec& spec() const { return spec_; }

 private:
  size_t receive_one(std::span<uint8_t> buffer);
  bool transmit_one(std::span<const uint8_t> frame);
  bool chance(uint32_t hundredths_percent);
  // Applies loss/corruption/duplication/delay to one frame travelling in a direction;
  // frames due at once go to `deliver` (transmit) or stay held for receive().
  void admit(std::span<const uint8_t> frame, bool to_stack);
  void hold(std::span<const uint8_t> frame, bool to_stack, Instant release, bool corrupt);
  void release_reorder_held(bool to_stack);
  Held* next_due(bool to_stack);
  void flush_transmit();

  Device& inner_;
  Random& random_;
  FaultSpec spec_;
  std::span<Held> held_;
  Instant now_;
  uint64_t order_ = 0;
  size_t used_ = 0;  // held frames
  FaultStats stats_;
};

template <size_t Frames>
struct FaultStorage {
  std::array<FaultDevice::Held, Frames> held_storage{};
};

// A FaultDevice holding up to `Frames` frames (both directions together).
template <size_t Frames = 512>
class StaticFaultDevice : private FaultStorage<Frames>, public FaultDevice {
 public:
  StaticFaultDevice(Device& inner, Random& random, const FaultSpec& spec)
      : FaultStorage<Frames>(), FaultDevice(inner, random, spec, this->held_storage) {}
};

}  // namespace mayfly::net
