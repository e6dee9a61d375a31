#pragma once
// The seam where TCP plugs into the interface. IPv4 input hands every checksum-verified
// TCP segment addressed to our unicast address to the handler; the handler sends through
// Interface::send_ipv4 and is polled with the interface. Freestanding.
#include <optional>

#include "net/iface/time.h"
#include "net/wire/address.h"
#include "net/wire/tcp.h"

namespace mayfly::net {

// The IP-level facts a transport needs about a received datagram.
struct Ipv4Meta {
  Ipv4Address source;
  Ipv4Address destination;
  uint8_t ttl = 0;
};

class TcpHandler {
 public:
  virtual ~TcpHandler() = default;
  // One segment for us. `segment` and its payload are valid only during the call.
  // Segments to broadcast or multicast destinations never arrive here (RFC 1122
  // §4.2.3.10: a SYN to a broadcast address MUST be ignored; the same for all segments).
  virtual void on_segment(Instant now, const Ipv4Meta& ip, const TcpSegment& segment) = 0;
  // Called at the end of every Interface::poll: send what is due.
  virtual void poll(Instant now) = 0;
  // The next instant poll() has work to do (retransmission, delayed ACK, TIME-WAIT...).
  virtual std::optional<Instant> next_deadline() const = 0;
};

}  // namespace mayfly::net
