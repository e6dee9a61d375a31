#pragma once
// A DHCP client (RFC 2131 §4.4) on an Interface's UDP layer: INIT → SELECTING →
// REQUESTING → BOUND → RENEWING → REBINDING, lease expiry back to INIT. It configures
// the interface when bound and clears it when the lease is lost. Driven by poll(now) /
// next_deadline(). Freestanding.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "net/iface/device.h"
#include "net/iface/interface.h"
#include "net/iface/time.h"
#include "net/iface/udp_socket.h"
#include "net/wire/address.h"
#include "net/wire/dhcp.h"

namespace mayfly::net {

struct DhcpLease {
  Ipv4Cidr cidr;
  std::optional<Ipv4Address> router;
  std::array<Ipv4Address, DhcpRepr::kMaxDnsServers> dns_servers{};
  uint8_t dns_count = 0;
  Ipv4Address server;
  Instant acquired;                  // when the REQUEST that earned it was first sent
  std::optional<Instant> renew_at;   // T1; nullopt for an infinite lease
  std::optional<Instant> rebind_at;  // T2
  std::optional<Instant> expires_at;
};

struct DhcpClientConfig {
  // RFC 2131 §4.4.1: SHOULD wait a random 1 to 10 s before the first DISCOVER, to
  // desynchronize clients booting together. A unikernel that boots alone may set 0.
  Duration init_delay_min = Duration::from_secs(1);
  Duration init_delay_max = Duration::from_secs(10);
};

class DhcpClient {
 public:
  enum class State : uint8_t { kInit, kSelecting, kRequesting, kBound, kRenewing, kRebinding };

  // RFC 2131 §4.1: retransmit after 4 s, doubling up to 64 s, each randomized by ±1 s.
  static constexpr Duration kFirstRetransmit = Duration::from_secs(4);
  static constexpr Duration kMaxRetransmit = Duration::from_secs(64);
  // RFC 2131 §4.4.5: in RENEWING/REBINDING wait half the remaining time, but at least 60 s.
  static constexpr Duration kMinRenewRetransmit = Duration::from_secs(60);
  // RFC 2131 §3.1 step 5 / §4.4.1: after this many unanswered REQUESTs, start over.
  static constexpr int kMaxRequestAttempts = 4;
  // After a NAK, an unanswered REQUEST or a lost lease, wait this long (plus the initial
  // delay) before a new DISCOVER, so a server that NAKs everything cannot make us spin.
  static constexpr Duration kRestartDelay = Duration::from_secs(1);
  // RFC 2131 §2: a client must accept messages of 576 octets (IP); UDP payload 548.
  static constexpr size_t kMaxMessage = 576;

  DhcpClient(Interface& iface, Random& random, DhcpClientConfig config = {});
  DhcpClient(const DhcpClient&) = delete;
  DhcpClient& operator=(const DhcpClient&) = delete;

  // Binds UDP port 68 and schedules the first DISCOVER. Fails if the port is taken.
  NetError start(Instant now);
  // Processes replies and timers. Call after Interface::poll.
  void poll(Instant now);
  std::optional<Instant> next_deadline() const { return deadline_; }

  State state() const { return state_; }
  const std::optional<DhcpLease>& lease() const { return lease_; }
  uint32_t xid() const { return xid_; }

 private:
  void handle(const DhcpRepr& msg, Instant now);
  void on_timer(Instant now);
  void restart(Instant now, Duration extra = {});
  void send_discover(Instant now);
  void send_request(Instant now);
  void bind(const DhcpRepr& ack, Instant now);
  void lose_lease();
  void schedule_backoff(Instant now);
  Duration jitter();
  void begin_exchange(Instant now);

  Interface& iface_;
  Random& random_;
  DhcpClientConfig config_;
  StaticUdpSocket<4, kMaxMessage> socket_;
  State state_ = State::kInit;
  std::optional<Instant> deadline_;
  uint32_t xid_ = 0;
  int attempt_ = 0;
  Instant exchange_start_;  // for the secs field
  Instant request_sent_;    // first transmission of the current REQUEST
  Ipv4Address offered_ip_;
  Ipv4Address offer_server_;
  std::optional<DhcpLease> lease_;
  std::array<uint8_t, kMaxMessage> buffer_{};
};

}  // namespace mayfly::net
