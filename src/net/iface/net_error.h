#pragma once
// Outcomes of sending through the interface. Freestanding.
#include <cstdint>

namespace mayfly::net {

enum class NetError : uint8_t {
  kOk,
  kUnaddressed,   // no IPv4 address configured (and not a broadcast)
  kNoRoute,       // off-link destination and no gateway
  kTooLarge,      // datagram exceeds the MTU; we never fragment on output
  kDeviceBusy,    // the device refused the frame
  kNotBound,      // socket not bound to a port
  kAddressInUse,  // port already bound
  kNoSocketSlot,  // the interface's socket table is full
};

}  // namespace mayfly::net
