#pragma once
// The seam where TCP plugs into the interface. IPv4 input hands every checksum-verified
// TCP segment addressed to our unicast address to the handler; the handler sends through
// Interface::send_ipv4 and is polled with the interface. Freestanding.
#include <optional>
#include <span>

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

// An ICMP error about a TCP segment we sent (RFC 1122 §4.2.3.9; RFC 5927).
struct IcmpErrorInfo {
  uint8_t type = 0;  // IcmpType: destination unreachable, time exceeded, parameter problem
  uint8_t code = 0;
  uint16_t next_hop_mtu = 0;  // RFC 1191: for fragmentation needed, else 0
  Ipv4Address reporter;       // who sent the ICMP message
  Ipv4Address original_destination;
  // The quoted transport header: at least 8 bytes (ports and sequence number, RFC 792),
  // for matching the connection and checking the sequence number (RFC 5927 §4.1).
  std::span<const uint8_t> transport_head;
};

class TcpHandler {
 public:
  virtual ~TcpHandler() = default;
  // One segment for us. `segment` and its payload are valid only during the call.
  // Segments to broadcast or multicast destinations never arrive here (RFC 1122
  // §4.2.3.10: a SYN to a broadcast address MUST be ignored; the same for all segments).
  virtual void on_segment(Instant now, const Ipv4Meta& ip, const TcpSegment& segment) = 0;
  // An ICMP error quoting one of our TCP segments. Checksum, source address and protocol
  // are verified; everything else (connection lookup, sequence check) is TCP's job.
  virtual void on_icmp_error(Instant now, const IcmpErrorInfo& error) {
    (void)now;
    (void)error;
  }
  // Called at the end of every Interface::poll: send what is due.
  virtual void poll(Instant now) = 0;
  // The next instant poll() has work to do (retransmission, delayed ACK, TIME-WAIT...).
  virtual std::optional<Instant> next_deadline() const = 0;
};

}  // namespace mayfly::net
