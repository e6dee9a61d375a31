#include "net/dhcp/dhcp_client.h"

namespace mayfly::net {
namespace {

// RFC 2132 §9.8: ask for mask, router, DNS, lease, T1, T2.
constexpr std::array<uint8_t, 6> kParameterRequests = {
    dhcp_option::kSubnetMask, dhcp_option::kRouter,      dhcp_option::kDnsServer,
    dhcp_option::kLeaseTime,  dhcp_option::kRenewalTime, dhcp_option::kRebindingTime};

constexpr uint32_t kInfiniteLease = 0xffffffffu;  // RFC 2131 §3.3

// Without a subnet mask option, fall back to the address's class (RFC 791 §3.2 classes;
// RFC 1122 §3.3.1.1 lets a host have a configured default).
uint8_t classful_prefix(Ipv4Address a) {
  uint32_t top = a.value() >> 24;
  if (top < 128) return 8;
  if (top < 192) return 16;
  return 24;
}

}  // namespace

DhcpClient::DhcpClient(Interface& iface, Random& random, DhcpClientConfig config)
    : iface_(iface), random_(random), config_(config) {}

NetError DhcpClient::start(Instant now) {
  NetError e = iface_.udp_bind(socket_, DhcpRepr::kClientPort);
  if (e != NetError::kOk) return e;
  restart(now);
  return NetError::kOk;
}

void DhcpClient::restart(Instant now, Duration extra) {
  state_ = State::kInit;
  attempt_ = 0;
  Duration span = config_.init_delay_max - config_.init_delay_min;
  Duration wait = config_.init_delay_min + extra;
  if (span.millis > 0) wait = wait + Duration::from_millis(random_.next_u32() % (span.millis + 1));
  deadline_ = now + wait;
}

Duration DhcpClient::jitter() {
  // RFC 2131 §4.1: randomized by a uniform number in -1..+1 s.
  return Duration::from_millis(int64_t(random_.next_u32() % 2001) - 1000);
}

void DhcpClient::schedule_backoff(Instant now) {
  Duration base = kFirstRetransmit;
  for (int i = 0; i < attempt_ && base < kMaxRetransmit; ++i) base = base * 2;
  if (base > kMaxRetransmit) base = kMaxRetransmit;
  deadline_ = now + base + jitter();
}

void DhcpClient::begin_exchange(Instant now) {
  // RFC 2131 §4.4.1: a new, random xid for each exchange.
  xid_ = random_.next_u32();
  attempt_ = 0;
  exchange_start_ = now;
}

void DhcpClient::poll(Instant now) {
  while (auto meta = socket_.recv_from(buffer_)) {
    if (meta->truncated || meta->remote.port != DhcpRepr::kServerPort) continue;
    auto msg = DhcpRepr::parse(std::span<const uint8_t>(buffer_.data(), meta->size));
    if (msg) handle(*msg, now);
  }
  if (deadline_ && now >= *deadline_) on_timer(now);
}

void DhcpClient::handle(const DhcpRepr& m, Instant now) {
  // RFC 2131 §4.4.1: a reply is ours when xid and chaddr match.
  if (m.op != DhcpRepr::Op::kReply || m.xid != xid_ || m.chaddr != iface_.mac() || !m.message_type)
    return;
  auto type = *m.message_type;
  switch (state_) {
    case State::kSelecting:
      // RFC 2131 §4.4.1: the client may take the first acceptable offer.
      if (type != DhcpMessageType::kOffer || !m.yiaddr.is_unicast() || !m.server_id) return;
      offered_ip_ = m.yiaddr;
      offer_server_ = *m.server_id;
      state_ = State::kRequesting;
      attempt_ = 0;
      request_sent_ = now;
      send_request(now);
      return;
    case State::kRequesting:
    case State::kRenewing:
    case State::kRebinding:
      // RFC 2131 §4.3.2: in REQUESTING only the selected server's answer counts.
      if (state_ == State::kRequesting && m.server_id && *m.server_id != offer_server_) return;
      if (type == DhcpMessageType::kAck) {
        // RFC 2131 §4.3.1: an ACK to a REQUEST MUST carry the lease time.
        if (!m.yiaddr.is_unicast() || !m.lease_time) return;
        bind(m, now);
      } else if (type == DhcpMessageType::kNak) {
        // RFC 2131 §4.4.1 / §4.4.5: on DHCPNAK, stop using the address and restart.
        lose_lease();
        restart(now, kRestartDelay);
      }
      return;
    case State::kInit:
    case State::kBound:
      return;  // nothing outstanding: stale or duplicate replies
  }
}

void DhcpClient::bind(const DhcpRepr& ack, Instant now) {
  DhcpLease l;
  uint8_t prefix = classful_prefix(ack.yiaddr);
  if (ack.subnet_mask)
    if (auto p = Ipv4Cidr::prefix_from_mask(*ack.subnet_mask); p && *p > 0 && *p <= 32) prefix = *p;
  l.cidr = Ipv4Cidr{ack.yiaddr, prefix};
  // A router we cannot reach on-link is useless to us (RFC 1122 §3.3.1.1: the
  // gateway must be on a connected network).
  if (ack.router && ack.router->is_unicast() && l.cidr.contains(*ack.router) &&
      *ack.router != ack.yiaddr)
    l.router = ack.router;
  l.dns_servers = ack.dns_servers;
  l.dns_count = ack.dns_count;
  l.server = ack.server_id ? *ack.server_id : offer_server_;
  // RFC 2131 §4.4.1: times count from when the REQUEST was sent.
  l.acquired = request_sent_;
  uint32_t lease = *ack.lease_time;
  if (lease != kInfiniteLease) {
    Duration total = Duration::from_secs(lease);
    // RFC 2131 §4.4.5: T1 defaults to 0.5 and T2 to 0.875 of the lease.
    Duration t1 = total / 2;
    Duration t2 = total * 7 / 8;
    if (ack.renewal_time) t1 = Duration::from_secs(*ack.renewal_time);
    if (ack.rebinding_time) t2 = Duration::from_secs(*ack.rebinding_time);
    // Inconsistent values from the server fall back to the defaults (T1 <= T2 <= lease).
    if (t2 > total) t2 = total * 7 / 8;
    if (t1 > t2) t1 = t2 * 4 / 7;
    l.renew_at = l.acquired + t1;
    l.rebind_at = l.acquired + t2;
    l.expires_at = l.acquired + total;
  }
  // RFC 2131 §4.4.1: the client SHOULD probe the address with ARP and DECLINE it if in
  // use (RFC 5227). Not done yet: the interface counts conflicts (stats().arp_conflicts).
  lease_ = l;
  iface_.set_ipv4(Ipv4Config{l.cidr, l.router});
  state_ = State::kBound;
  attempt_ = 0;
  deadline_ = l.renew_at;
  // A short lease answered late may already be past T1: renew at once, never "in the past".
  if (deadline_ && *deadline_ < now) deadline_ = now;
}

void DhcpClient::lose_lease() {
  if (lease_) iface_.clear_ipv4();
  lease_.reset();
}

void DhcpClient::on_timer(Instant now) {
  switch (state_) {
    case State::kInit:
      begin_exchange(now);
      state_ = State::kSelecting;
      send_discover(now);
      schedule_backoff(now);
      return;
    case State::kSelecting:
      // RFC 2131 §4.4.1: keep retransmitting DISCOVER with backoff.
      ++attempt_;
      send_discover(now);
      schedule_backoff(now);
      return;
    case State::kRequesting:
      if (++attempt_ >= kMaxRequestAttempts) {
        restart(now, kRestartDelay);
        return;
      }
      send_request(now);
      return;
    case State::kBound:
      // RFC 2131 §4.4.5: at T1 move to RENEWING and unicast a REQUEST to the server.
      begin_exchange(now);
      request_sent_ = now;
      state_ = State::kRenewing;
      send_request(now);
      return;
    case State::kRenewing:
      if (lease_ && lease_->rebind_at && now >= *lease_->rebind_at) {
        // RFC 2131 §4.4.5: at T2 broadcast the REQUEST to any server.
        begin_exchange(now);
        request_sent_ = now;
        state_ = State::kRebinding;
      }
      send_request(now);
      return;
    case State::kRebinding:
      if (lease_ && lease_->expires_at && now >= *lease_->expires_at) {
        // RFC 2131 §4.4.5: the lease expired: stop using the address, back to INIT.
        lose_lease();
        restart(now, kRestartDelay);
        return;
      }
      send_request(now);
      return;
  }
}

void DhcpClient::send_discover(Instant now) {
  DhcpRepr m;
  m.op = DhcpRepr::Op::kRequest;
  m.xid = xid_;
  int64_t secs = (now - exchange_start_).millis / 1000;
  m.secs = uint16_t(secs > 0xffff ? 0xffff : secs);
  // RFC 2131 §4.1: we cannot receive unicast before configuration: ask for broadcast.
  m.broadcast = true;
  m.chaddr = iface_.mac();
  m.message_type = DhcpMessageType::kDiscover;
  m.parameter_request_list = kParameterRequests;
  std::array<uint8_t, 7> client_id{1};  // RFC 2132 §9.14: type 1 (Ethernet) + MAC
  iface_.mac().write(client_id.data() + 1);
  m.client_id = client_id;
  std::array<uint8_t, DhcpRepr::kMinSize + 32> out{};
  if (auto n = m.emit(out))
    // RFC 2131 §4.1: from 0.0.0.0:68 to 255.255.255.255:67.
    iface_.send_udp(DhcpRepr::kClientPort, {Ipv4Address::broadcast(), DhcpRepr::kServerPort},
                    std::span<const uint8_t>(out.data(), *n));
}

void DhcpClient::send_request(Instant now) {
  DhcpRepr m;
  m.op = DhcpRepr::Op::kRequest;
  m.xid = xid_;
  int64_t secs = (now - exchange_start_).millis / 1000;
  m.secs = uint16_t(secs > 0xffff ? 0xffff : secs);
  m.chaddr = iface_.mac();
  m.message_type = DhcpMessageType::kRequest;
  m.parameter_request_list = kParameterRequests;
  std::array<uint8_t, 7> client_id{1};
  iface_.mac().write(client_id.data() + 1);
  m.client_id = client_id;
  Ipv4Address destination = Ipv4Address::broadcast();
  if (state_ == State::kRequesting) {
    // RFC 2131 §4.3.2 table: SELECTING-state REQUEST carries server id and requested IP,
    // ciaddr zero.
    m.broadcast = true;
    m.requested_ip = offered_ip_;
    m.server_id = offer_server_;
    schedule_backoff(now);
  } else if (lease_) {
    // RENEWING: unicast to the server; REBINDING: broadcast. Both carry ciaddr and no
    // server id or requested IP.
    m.ciaddr = lease_->cidr.address;
    if (state_ == State::kRenewing) destination = lease_->server;
    // RFC 2131 §4.4.5: retransmit after half the time left until T2 (RENEWING) or
    // expiry (REBINDING), at least 60 s, never past that boundary.
    std::optional<Instant> limit =
        state_ == State::kRenewing ? lease_->rebind_at : lease_->expires_at;
    Instant next = now + kMinRenewRetransmit;
    if (limit) {
      Duration half = (*limit - now) / 2;
      if (half > kMinRenewRetransmit) next = now + half;
      if (next > *limit) next = *limit;
    }
    if (next < now) next = now;
    deadline_ = next;
  }
  std::array<uint8_t, DhcpRepr::kMinSize + 32> out{};
  if (auto n = m.emit(out))
    iface_.send_udp(DhcpRepr::kClientPort, {destination, DhcpRepr::kServerPort},
                    std::span<const uint8_t>(out.data(), *n));
}

}  // namespace mayfly::net
