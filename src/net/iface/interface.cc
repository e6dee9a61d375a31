#include "net/iface/interface.h"

#include <cstring>

#include "net/wire/tcp.h"
#include "net/wire/udp.h"

namespace mayfly::net {
namespace {

constexpr size_t kEth = EthernetFrame::kHeaderSize;
constexpr size_t kIp = Ipv4Repr::kHeaderSize;

bool is_icmp_error_type(uint8_t type) {
  // RFC 792 error messages: unreachable, source quench, redirect, time exceeded,
  // parameter problem.
  return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

}  // namespace

Interface::Interface(Device& device, Random& random)
    : device_(device),
      random_(random),
      mac_(device.mac_address()),
      // RFC 6864 §4.2: the identification only has to be unique per source, destination
      // and protocol within the datagram's lifetime; a counter from a random start does.
      next_id_(uint16_t(random.next_u32())) {}

Interface::~Interface() {
  for (auto* s : udp_)
    if (s) s->iface_ = nullptr;
}

size_t Interface::mtu() const {
  size_t m = device_.mtu();
  return m < kMaxMtu ? m : kMaxMtu;
}

void Interface::set_ipv4(const Ipv4Config& config) {
  bool changed = !config_ || config_->cidr.address != config.cidr.address;
  config_ = config;
  if (changed) {
    // Translations learned under another address may be stale; queued packets had the
    // old source address.
    arp_cache_.clear();
    for (auto& p : pending_) p.used = false;
    for (auto& r : resolutions_) r.used = false;
    announcements_left_ = kAnnouncements;
    announce_at_ = now_;  // at the next poll
  }
}

void Interface::clear_ipv4() {
  config_.reset();
  arp_cache_.clear();
  for (auto& p : pending_) p.used = false;
  for (auto& r : resolutions_) r.used = false;
  announcements_left_ = 0;
}

bool Interface::poll(Instant now) {
  now_ = now;
  bool any = false;
  for (size_t i = 0; i < kRxBudget; ++i) {
    size_t n = device_.receive(rx_);
    if (n == 0) break;
    if (n > rx_.size()) n = rx_.size();  // a misbehaving device must not make us overread
    receive_frame(std::span<const uint8_t>(rx_.data(), n), now);
    any = true;
  }
  service_timers();
  if (tcp_) tcp_->poll(now_);
  return any;
}

std::optional<Instant> Interface::next_deadline() const {
  std::optional<Instant> d = reassembler_.next_deadline();
  for (const auto& r : resolutions_)
    if (r.used) d = earliest(d, r.next);
  if (config_ && announcements_left_ > 0) d = earliest(d, announce_at_);
  if (tcp_) d = earliest(d, tcp_->next_deadline());
  return d;
}

void Interface::service_timers() {
  reassembler_.expire(now_);
  for (auto& r : resolutions_) {
    if (!r.used || now_ < r.next) continue;
    if (r.sent >= kArpMaxRequests) {
      // RFC 1122 §2.3.2.1: give up; the packets are lost (their transports retransmit).
      drop_pending(r.hop);
      r.used = false;
      continue;
    }
    send_arp(ArpOperation::kRequest, MacAddress::broadcast(), MacAddress(), r.hop);
    ++r.sent;
    r.next = now_ + kArpRetryInterval;
  }
  if (config_ && announcements_left_ > 0 && announce_at_ <= now_) {
    // RFC 5227 §3: an ARP announcement is a request with sender and target IP both set
    // to our address and a zero target MAC; it also refreshes neighbours' caches
    // ("gratuitous ARP", RFC 2002 §4.6).
    send_arp(ArpOperation::kRequest, MacAddress::broadcast(), MacAddress(), config_->cidr.address);
    --announcements_left_;
    announce_at_ = now_ + kAnnounceInterval;
  }
}

void Interface::receive_frame(std::span<const uint8_t> frame, Instant now) {
  now_ = now;
  ++stats_.rx_frames;
  auto eth = EthernetFrame::parse(frame);
  if (!eth) {
    ++stats_.rx_dropped;
    return;
  }
  MacAddress dst = eth->destination();
  // We join no multicast groups: accept our own address and broadcast only.
  bool link_broadcast = dst.is_broadcast();
  if (dst != mac_ && !link_broadcast) {
    ++stats_.rx_dropped;
    return;
  }
  switch (EtherType(eth->ethertype())) {
    case EtherType::kArp:
      process_arp(eth->payload());
      break;
    case EtherType::kIpv4:
      process_ipv4(eth->payload(), link_broadcast);
      break;
    default:
      ++stats_.rx_dropped;  // IPv6 comes later
      break;
  }
}

void Interface::process_arp(std::span<const uint8_t> packet) {
  auto arp = ArpRepr::parse(packet);
  if (!arp || !config_) {
    ++stats_.rx_dropped;
    return;
  }
  Ipv4Address us = config_->cidr.address;
  if (arp->sender_ip == us) {
    // RFC 5227 §2.4: someone else uses our address. We record it; defending or giving
    // up the address is the configuring layer's decision.
    if (arp->sender_mac != mac_) ++stats_.arp_conflicts;
    return;
  }
  // Never learn a group MAC for a host (RFC 1812 §3.3.2), nor neighbours off our subnet
  // (we only ever resolve on-link next hops).
  bool learnable = arp->sender_mac.is_unicast() && arp->sender_ip.is_unicast() &&
                   config_->cidr.contains(arp->sender_ip);
  // RFC 826 reception: update the sender's entry if present ("merge_flag")...
  bool known = learnable && arp_cache_.update(arp->sender_ip, arp->sender_mac, now_);
  if (arp->target_ip == us) {
    // ...and, if we are the target, add it if it was not there.
    if (learnable && !known) arp_cache_.insert(arp->sender_ip, arp->sender_mac, now_);
    known = learnable;
    if (arp->operation == ArpOperation::kRequest && arp->sender_mac.is_unicast()) {
      // RFC 826: swap sender and target, fill in our address, set op to reply, and send
      // it to the requester directly.
      send_arp(ArpOperation::kReply, arp->sender_mac, arp->sender_mac, arp->sender_ip);
      ++stats_.arp_replies;
    }
  }
  if (known) flush_pending(arp->sender_ip, arp->sender_mac);
}

void Interface::process_ipv4(std::span<const uint8_t> packet, bool link_broadcast) {
  auto ip = Ipv4Packet::parse(packet);
  if (!ip) {
    ++stats_.rx_dropped;
    return;
  }
  Ipv4Address src = ip->source();
  Ipv4Address dst = ip->destination();
  // RFC 1122 §3.2.1.3: silently discard datagrams whose source is a broadcast,
  // multicast, class E or loopback address.
  if (src.is_broadcast() || src.is_multicast() || src.is_reserved() || src.is_loopback()) {
    ++stats_.rx_dropped;
    return;
  }
  bool to_us = config_ && dst == config_->cidr.address;
  bool to_broadcast = dst.is_broadcast();
  if (config_) {
    auto b = config_->cidr.broadcast();
    if (b && dst == *b) to_broadcast = true;
  }
  // While unconfigured we take broadcasts and, for DHCP, unicast to port 68 in a frame
  // to our MAC: RFC 2131 §4.1 lets a server unicast OFFER/ACK to yiaddr and chaddr
  // when the client did not set the broadcast bit (dnsmasq does).
  bool dhcp_bootstrap = !config_ && !link_broadcast &&
                        ip->protocol() == uint8_t(IpProtocol::kUdp) && !ip->is_fragment() &&
                        ip->payload().size() >= 4 && load_be16(ip->payload().data() + 2) == 68;
  // A host does not forward (RFC 1122 §3.3.1). RFC 1122 §3.3.6: SHOULD discard a
  // link-layer broadcast that is not an IP broadcast.
  if ((!to_us && !to_broadcast && !dhcp_bootstrap) || (link_broadcast && !to_broadcast)) {
    ++stats_.rx_dropped;
    return;
  }
  // RFC 1122 §3.2.1.7: a host MUST NOT discard a datagram just because its TTL is below
  // 2; TTL only matters to forwarders, so it is not checked here.
  Received rx;
  rx.source = src;
  rx.destination = dst;
  rx.protocol = ip->protocol();
  rx.ttl = ip->ttl();
  rx.to_us = to_us;
  rx.link_broadcast = link_broadcast;
  if (ip->is_fragment()) {
    auto whole = reassembler_.add(*ip, now_);
    if (!whole) return;
    rx.header = whole->header;
    rx.payload = whole->payload;
  } else {
    rx.header = ip->header();
    rx.payload = ip->payload();
  }
  dispatch(rx);
}

void Interface::dispatch(const Received& rx) {
  switch (rx.protocol) {
    case uint8_t(IpProtocol::kIcmp):
      process_icmp(rx);
      break;
    case uint8_t(IpProtocol::kUdp):
      process_udp(rx);
      break;
    case uint8_t(IpProtocol::kTcp):
      process_tcp(rx);
      break;
    default:
      // RFC 1122 §3.2.2.1: protocol unreachable for a transport we do not have.
      ++stats_.rx_dropped;
      send_unreachable(rx, IcmpUnreachable::kProtocol);
      break;
  }
}

void Interface::process_icmp(const Received& rx) {
  auto icmp = IcmpPacket::parse(rx.payload);
  if (!icmp) {
    ++stats_.rx_dropped;
    return;
  }
  if (is_icmp_error_type(icmp->type()) && icmp->type() != 4 && icmp->type() != 5) {
    // Source quench (4) is deprecated (RFC 6633) and redirects (5) are for routers to
    // act on only when trusted; both are ignored.
    report_icmp_error(rx, *icmp);
    return;
  }
  if (icmp->type() != uint8_t(IcmpType::kEchoRequest)) return;
  // RFC 1122 §3.2.2.6: an echo request to a broadcast address MAY be silently discarded
  // (we do, against smurf amplification); a reply's source is the request's destination.
  if (!rx.to_us || !rx.source.is_unicast()) return;
  IcmpRepr reply{IcmpType::kEchoReply, 0, icmp->echo_identifier(), icmp->echo_sequence(),
                 icmp->data()};
  // RFC 1122 §3.2.2.6: the reply carries the request's data unchanged. We never
  // fragment, so a request larger than one frame gets no reply.
  if (kIp + reply.size() > mtu() || !reply.emit(tx_l4())) return;
  if (send_built(rx.source, IpProtocol::kIcmp, reply.size(), false) == NetError::kOk)
    ++stats_.icmp_echo_replies;
}

void Interface::report_icmp_error(const Received& rx, const IcmpPacket& icmp) {
  // RFC 1122 §3.2.2: errors about our datagrams come to our unicast address.
  if (!tcp_ || !rx.to_us || !config_) return;
  // RFC 792: the data is the original IP header plus at least 8 octets of its payload.
  // The quote is usually truncated, so this reads the header fields by hand rather than
  // with Ipv4Packet::parse (whose total-length check would fail).
  auto q = icmp.data();
  if (q.size() < Ipv4Packet::kMinHeaderSize || (q[0] >> 4) != 4) return;
  size_t ihl = size_t(q[0] & 0x0f) * 4;
  if (ihl < Ipv4Packet::kMinHeaderSize || q.size() < ihl + 8) return;
  if (q[9] != uint8_t(IpProtocol::kTcp)) return;
  // RFC 5927 §4.1: only errors that quote a datagram we sent.
  if (Ipv4Address::from_bytes(q.data() + 12) != config_->cidr.address) return;
  IcmpErrorInfo info;
  info.type = icmp.type();
  info.code = icmp.code();
  if (icmp.type() == uint8_t(IcmpType::kDestUnreachable) &&
      icmp.code() == uint8_t(IcmpUnreachable::kFragmentationNeeded))
    info.next_hop_mtu = icmp.next_hop_mtu();
  info.reporter = rx.source;
  info.original_destination = Ipv4Address::from_bytes(q.data() + 16);
  info.transport_head = q.subspan(ihl);
  tcp_->on_icmp_error(now_, info);
}

void Interface::process_udp(const Received& rx) {
  auto udp = UdpPacket::parse(rx.payload, rx.source, rx.destination);
  if (!udp) {
    ++stats_.rx_dropped;
    return;
  }
  for (auto* s : udp_) {
    if (s && s->port_ == udp->destination_port()) {
      UdpMetadata meta{
          {rx.source, udp->source_port()}, rx.destination, udp->payload().size(), false};
      s->deliver(meta, udp->payload());
      return;
    }
  }
  ++stats_.udp_no_socket;
  // RFC 1122 §4.1.3.1: SHOULD send port unreachable for a port with no listener
  // (send_unreachable skips broadcasts, RFC 1122 §3.2.2).
  send_unreachable(rx, IcmpUnreachable::kPort);
}

void Interface::process_tcp(const Received& rx) {
  // RFC 1122 §4.2.3.10: TCP ignores segments to broadcast or multicast addresses.
  if (!rx.to_us || rx.link_broadcast) {
    ++stats_.rx_dropped;
    return;
  }
  if (!tcp_) {
    send_unreachable(rx, IcmpUnreachable::kProtocol);
    return;
  }
  auto seg = TcpSegment::parse(rx.payload, rx.source, rx.destination);
  if (!seg) {
    ++stats_.rx_dropped;  // RFC 9293 §3.1: a bad checksum is silently discarded
    return;
  }
  tcp_->on_segment(now_, Ipv4Meta{rx.source, rx.destination, rx.ttl}, *seg);
}

void Interface::send_unreachable(const Received& rx, IcmpUnreachable code) {
  // RFC 1122 §3.2.2: never send an ICMP error about an ICMP error, a datagram to an IP
  // or link broadcast/multicast, a non-initial fragment (we only see whole datagrams
  // here), or one whose source is not a single host.
  if (!rx.to_us || rx.link_broadcast || !rx.source.is_unicast()) return;
  if (rx.protocol == uint8_t(IpProtocol::kIcmp) &&
      (rx.payload.empty() || is_icmp_error_type(rx.payload[0])))
    return;
  // RFC 1812 §4.3.2.8 / RFC 1122 §3.2.2: rate-limit errors.
  if (now_ - icmp_window_ >= Duration::from_secs(1) || now_ < icmp_window_) {
    icmp_window_ = now_;
    icmp_in_window_ = 0;
  }
  if (icmp_in_window_ >= kIcmpErrorsPerSecond) return;
  ++icmp_in_window_;
  // RFC 792: quote the internet header and the first 64 bits of the original data.
  // The quote is assembled in the transport area after the 8-byte ICMP header.
  size_t quote_payload = rx.payload.size() < 8 ? rx.payload.size() : 8;
  std::array<uint8_t, 60 + 8> quote{};
  std::memcpy(quote.data(), rx.header.data(), rx.header.size());
  if (quote_payload) std::memcpy(quote.data() + rx.header.size(), rx.payload.data(), quote_payload);
  IcmpRepr err{IcmpType::kDestUnreachable, uint8_t(code), 0, 0,
               std::span<const uint8_t>(quote.data(), rx.header.size() + quote_payload)};
  if (!err.emit(tx_l4())) return;
  if (send_built(rx.source, IpProtocol::kIcmp, err.size(), false) == NetError::kOk)
    ++stats_.icmp_errors;
}

NetError Interface::udp_bind(UdpSocket& socket, Port port) {
  if (socket.iface_) return NetError::kAddressInUse;
  UdpSocket** free_slot = nullptr;
  for (auto& s : udp_) {
    if (s && s->port_ == port) return NetError::kAddressInUse;
    if (!s && !free_slot) free_slot = &s;
  }
  if (!free_slot) return NetError::kNoSocketSlot;
  *free_slot = &socket;
  socket.iface_ = this;
  socket.port_ = port;
  return NetError::kOk;
}

void Interface::udp_unbind(UdpSocket& socket) {
  for (auto& s : udp_)
    if (s == &socket) s = nullptr;
  socket.iface_ = nullptr;
}

NetError Interface::send_udp(Port source_port, Ipv4Endpoint remote,
                             std::span<const uint8_t> payload) {
  UdpRepr udp{source_port, remote.port, payload};
  if (kIp + udp.size() > mtu()) return NetError::kTooLarge;
  // The checksum covers our source address as it will appear (0.0.0.0 while unconfigured,
  // RFC 2131 §4.1).
  if (!udp.emit(tx_l4(), source_address(), remote.address)) return NetError::kTooLarge;
  return send_built(remote.address, IpProtocol::kUdp, udp.size(), false);
}

NetError Interface::send_ipv4(Ipv4Address destination, IpProtocol protocol,
                              std::span<const uint8_t> head, std::span<const uint8_t> body,
                              bool dont_fragment) {
  size_t len = head.size() + body.size();
  if (kIp + len > mtu()) return NetError::kTooLarge;
  auto l4 = tx_l4();
  if (!head.empty()) std::memcpy(l4.data(), head.data(), head.size());
  if (!body.empty()) std::memcpy(l4.data() + head.size(), body.data(), body.size());
  return send_built(destination, protocol, len, dont_fragment);
}

size_t Interface::tso_max_segment() const {
  size_t dev = device_.tso_max_datagram();
  if (dev == 0 || tso_buffer_.size() <= kEth + kIp) return 0;
  size_t n = dev < tso_buffer_.size() - kEth ? dev : tso_buffer_.size() - kEth;
  if (n > 65535) n = 65535;  // the IPv4 total length field
  return n - kIp;
}

NetError Interface::send_tcp_tso(Ipv4Address destination, std::span<const uint8_t> head,
                                 std::span<const uint8_t> body, uint16_t mss) {
  size_t len = head.size() + body.size();
  if (len > tso_max_segment()) return NetError::kTooLarge;
  NetError error = NetError::kOk;
  auto hop = route(destination, error);
  if (!hop) return error;
  std::optional<MacAddress> mac =
      hop->resolved ? std::optional<MacAddress>(hop->mac) : arp_cache_.lookup(hop->ip, now_);
  if (!mac) return NetError::kNoRoute;
  uint8_t* f = tso_buffer_.data();
  EthernetRepr{*mac, mac_, EtherType::kIpv4}.emit(tso_buffer_);
  Ipv4Repr ip;
  ip.source = source_address();
  ip.destination = destination;
  ip.protocol = IpProtocol::kTcp;
  ip.payload_len = uint16_t(len);
  ip.identification = next_id_++;
  ip.dont_fragment = true;
  ip.emit(tso_buffer_.subspan(kEth));
  std::memcpy(f + kEth + kIp, head.data(), head.size());
  if (!body.empty()) std::memcpy(f + kEth + kIp + head.size(), body.data(), body.size());
  if (!device_.transmit_tso(std::span<const uint8_t>(f, kEth + kIp + len), mss)) {
    ++stats_.tx_dropped;
    return NetError::kDeviceBusy;
  }
  ++stats_.tx_frames;
  return NetError::kOk;
}

std::optional<Interface::NextHop> Interface::route(Ipv4Address dst, NetError& error) const {
  // RFC 919 / RFC 922: limited and subnet-directed broadcasts go to the link broadcast.
  if (dst.is_broadcast()) return NextHop{MacAddress::broadcast(), dst, true};
  if (!config_) {
    error = NetError::kUnaddressed;
    return std::nullopt;
  }
  auto b = config_->cidr.broadcast();
  if (b && dst == *b) return NextHop{MacAddress::broadcast(), dst, true};
  // No multicast (no IGMP) and no loopback through the wire.
  if (!dst.is_unicast() || dst == config_->cidr.address) {
    error = NetError::kNoRoute;
    return std::nullopt;
  }
  // RFC 1122 §3.3.1.1: on-link destinations directly, the rest through the gateway.
  if (config_->cidr.contains(dst)) return NextHop{MacAddress(), dst, false};
  if (config_->gateway) return NextHop{MacAddress(), *config_->gateway, false};
  error = NetError::kNoRoute;
  return std::nullopt;
}

NetError Interface::send_built(Ipv4Address destination, IpProtocol protocol, size_t l4_len,
                               bool df) {
  NetError error = NetError::kOk;
  auto hop = route(destination, error);
  if (!hop) return error;
  Ipv4Repr ip;
  ip.source = source_address();
  ip.destination = destination;
  ip.protocol = protocol;
  ip.payload_len = uint16_t(l4_len);
  ip.identification = next_id_++;
  ip.dont_fragment = df;
  ip.emit(std::span<uint8_t>(tx_).subspan(kEth));
  return transmit_ip(*hop, kIp + l4_len);
}

NetError Interface::transmit_ip(const NextHop& hop, size_t ip_len) {
  if (hop.resolved) return transmit_frame(hop.mac, EtherType::kIpv4, ip_len);
  if (auto mac = arp_cache_.lookup(hop.ip, now_))
    return transmit_frame(*mac, EtherType::kIpv4, ip_len);
  enqueue_pending(hop.ip, ip_len);
  return NetError::kOk;  // queued; the transport does not need to know
}

NetError Interface::transmit_frame(MacAddress destination, EtherType type, size_t payload_len) {
  EthernetRepr{destination, mac_, type}.emit(tx_);
  size_t len = kEth + payload_len;
  // IEEE 802.3: pad short frames to the 60-octet minimum (RFC 894: with zeros).
  if (len < EthernetFrame::kMinFrameSize) {
    std::memset(tx_.data() + len, 0, EthernetFrame::kMinFrameSize - len);
    len = EthernetFrame::kMinFrameSize;
  }
  if (!device_.transmit(std::span<const uint8_t>(tx_.data(), len))) {
    ++stats_.tx_dropped;
    return NetError::kDeviceBusy;
  }
  ++stats_.tx_frames;
  return NetError::kOk;
}

void Interface::send_arp(ArpOperation op, MacAddress eth_dst, MacAddress target_mac,
                         Ipv4Address target_ip) {
  if (!config_) return;
  ArpRepr arp{op, mac_, config_->cidr.address, target_mac, target_ip};
  arp.emit(std::span<uint8_t>(tx_).subspan(kEth));
  if (op == ArpOperation::kRequest) ++stats_.arp_requests;
  transmit_frame(eth_dst, EtherType::kArp, ArpRepr::kSize);
}

void Interface::enqueue_pending(Ipv4Address hop, size_t ip_len) {
  Pending* slot = nullptr;
  for (auto& p : pending_)
    if (!p.used) {
      slot = &p;
      break;
    }
  if (!slot) {
    // Full: replace the oldest packet (RFC 1122 §2.3.2.2 keeps the latest).
    slot = &pending_[0];
    for (auto& p : pending_)
      if (p.order < slot->order) slot = &p;
    ++stats_.tx_dropped;
    Ipv4Address old = slot->hop;
    slot->used = false;
    bool still = false;
    for (auto& p : pending_) still |= p.used && p.hop == old;
    if (!still)
      for (auto& r : resolutions_)
        if (r.used && r.hop == old) r.used = false;
  }
  slot->used = true;
  slot->hop = hop;
  slot->order = pending_order_++;
  slot->len = ip_len;
  std::memcpy(slot->data.data(), tx_.data() + kEth, ip_len);

  for (auto& r : resolutions_)
    if (r.used && r.hop == hop) return;  // a request is already out
  for (auto& r : resolutions_) {
    if (r.used) continue;
    r = Resolution{true, hop, now_ + kArpRetryInterval, 1};
    send_arp(ArpOperation::kRequest, MacAddress::broadcast(), MacAddress(), hop);
    return;
  }
}

void Interface::flush_pending(Ipv4Address hop, MacAddress mac) {
  for (auto& r : resolutions_)
    if (r.used && r.hop == hop) r.used = false;
  // Send in the order the transports queued them.
  for (;;) {
    Pending* next = nullptr;
    for (auto& p : pending_)
      if (p.used && p.hop == hop && (!next || p.order < next->order)) next = &p;
    if (!next) return;
    next->used = false;
    std::memcpy(tx_.data() + kEth, next->data.data(), next->len);
    transmit_frame(mac, EtherType::kIpv4, next->len);
  }
}

void Interface::drop_pending(Ipv4Address hop) {
  for (auto& p : pending_)
    if (p.used && p.hop == hop) {
      p.used = false;
      ++stats_.tx_dropped;
    }
}

}  // namespace mayfly::net
