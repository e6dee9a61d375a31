#pragma once
// One IPv4 interface over one Ethernet Device: addressing, ARP, IPv4 input with fragment
// reassembly, ICMP echo and errors, UDP sockets, routing to the gateway, and the hook
// TCP plugs into. Driven by poll(now) / next_deadline(); no heap, no clock, no threads.
// Freestanding.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "net/iface/arp_cache.h"
#include "net/iface/device.h"
#include "net/iface/net_error.h"
#include "net/iface/reassembly.h"
#include "net/iface/tcp_handler.h"
#include "net/iface/time.h"
#include "net/iface/udp_socket.h"
#include "net/wire/address.h"
#include "net/wire/arp.h"
#include "net/wire/checksum.h"
#include "net/wire/ethernet.h"
#include "net/wire/icmpv4.h"
#include "net/wire/ipv4.h"

namespace mayfly::net {

struct InterfaceStats {
  uint64_t rx_frames = 0;
  uint64_t rx_dropped = 0;  // malformed, not for us, or unsupported
  uint64_t tx_frames = 0;
  uint64_t tx_dropped = 0;  // refused by the device, or ARP gave up
  uint64_t arp_requests = 0;
  uint64_t arp_replies = 0;
  uint64_t arp_conflicts = 0;  // someone else claims our address
  uint64_t icmp_echo_replies = 0;
  uint64_t icmp_errors = 0;
  uint64_t udp_no_socket = 0;
};

struct Ipv4Config {
  Ipv4Cidr cidr;
  std::optional<Ipv4Address> gateway;
  bool operator==(const Ipv4Config&) const = default;
};

class Interface {
 public:
  // The largest IP datagram we send or receive in one frame; a bigger device MTU is
  // clamped (the buffers below are sized for Ethernet, RFC 894).
  static constexpr size_t kMaxMtu = 1500;
  static constexpr size_t kFrameSize = EthernetFrame::kHeaderSize + kMaxMtu;
  static constexpr size_t kUdpSockets = 8;
  // Datagrams waiting for ARP resolution. RFC 1122 §2.3.2.2: SHOULD keep at least the
  // latest packet per destination; when full we replace the oldest.
  static constexpr size_t kPendingPackets = 4;
  // RFC 1122 §2.3.2.1: no more than one request per second per destination.
  static constexpr Duration kArpRetryInterval = Duration::from_secs(1);
  static constexpr int kArpMaxRequests = 3;  // then the queued packets are dropped
  // RFC 5227 §2.3: two announcements ANNOUNCE_INTERVAL (2 s) apart.
  static constexpr int kAnnouncements = 2;
  static constexpr Duration kAnnounceInterval = Duration::from_secs(2);
  // RFC 1122 §3.2.2 / RFC 1812 §4.3.2.8: ICMP errors SHOULD be rate-limited.
  static constexpr int kIcmpErrorsPerSecond = 10;
  // Frames taken from the device per poll, so one poll is bounded work.
  static constexpr size_t kRxBudget = 64;

  Interface(Device& device, Random& random);
  Interface(const Interface&) = delete;
  Interface& operator=(const Interface&) = delete;
  ~Interface();

  // Static configuration, also what DHCP applies. Announces the address with
  // gratuitous ARP (RFC 5227 §2.3) on the next polls.
  void set_ipv4(const Ipv4Config& config);
  void clear_ipv4();
  const std::optional<Ipv4Config>& ipv4() const { return config_; }
  MacAddress mac() const { return mac_; }
  size_t mtu() const;
  Instant now() const { return now_; }

  // Receives and processes frames, runs timers, then polls the TCP handler. Returns true
  // if any frame was processed.
  bool poll(Instant now);
  // The next time poll() must run even if no frame arrives.
  std::optional<Instant> next_deadline() const;
  // Processes one frame as if the device had received it (poll() uses it; tests and
  // fuzzers may call it directly).
  void receive_frame(std::span<const uint8_t> frame, Instant now);

  // TCP plugs in here; nullptr removes it. Without a handler, TCP gets ICMP protocol
  // unreachable (we do not speak it).
  void set_tcp_handler(TcpHandler* handler) { tcp_ = handler; }

  NetError udp_bind(UdpSocket& socket, Port port);
  void udp_unbind(UdpSocket& socket);
  NetError send_udp(Port source_port, Ipv4Endpoint remote, std::span<const uint8_t> payload);
  // Sends one IPv4 datagram whose transport payload is head followed by body (a TCP
  // header and its data). The transport computes its own checksum; source_for() tells
  // it our source address.
  NetError send_ipv4(Ipv4Address destination, IpProtocol protocol, std::span<const uint8_t> head,
                     std::span<const uint8_t> body = {}, bool dont_fragment = false);

  // TCP segmentation offload, when the device has it and the caller lends a frame buffer
  // for the large frames (no buffer: no offload, as in the kernel without the feature).
  void enable_tso(std::span<uint8_t> frame_buffer) { tso_buffer_ = frame_buffer; }
  // The largest TCP header + payload send_tcp_tso() takes; 0 without offload.
  size_t tso_max_segment() const;
  // One TCP header (checksum field: folded pseudo-header sum, see Device::transmit_tso)
  // and a payload of several MSS, cut by the device. Only to a destination whose link
  // address is known; otherwise kNoRoute and the caller sends MSS-sized segments.
  NetError send_tcp_tso(Ipv4Address destination, std::span<const uint8_t> head,
                        std::span<const uint8_t> body, uint16_t mss);
  // Our address as the source of datagrams (unspecified while unconfigured).
  Ipv4Address source_address() const {
    return config_ ? config_->cidr.address : Ipv4Address::unspecified();
  }

  // The caller's randomness, for layers above (TCP ISNs, ephemeral ports).
  Random& random() { return random_; }

  const InterfaceStats& stats() const { return stats_; }
  const ArpCache& arp_cache() const { return arp_cache_; }
  const FragmentReassembler& reassembler() const { return reassembler_; }

 private:
  struct NextHop {
    MacAddress mac;  // known now (broadcast)
    Ipv4Address ip;  // to resolve with ARP
    bool resolved = false;
  };
  struct Pending {
    bool used = false;
    Ipv4Address hop;
    uint64_t order = 0;
    size_t len = 0;
    std::array<uint8_t, kMaxMtu> data{};
  };
  struct Resolution {
    bool used = false;
    Ipv4Address hop;
    Instant next;
    int sent = 0;
  };
  struct Received {
    Ipv4Address source;
    Ipv4Address destination;
    uint8_t protocol = 0;
    uint8_t ttl = 0;
    bool to_us = false;           // our unicast address
    bool link_broadcast = false;  // arrived in a broadcast frame
    std::span<const uint8_t> header;
    std::span<const uint8_t> payload;
  };

  void process_arp(std::span<const uint8_t> packet);
  void process_ipv4(std::span<const uint8_t> packet, bool link_broadcast);
  void dispatch(const Received& rx);
  void process_icmp(const Received& rx);
  void report_icmp_error(const Received& rx, const IcmpPacket& icmp);
  void process_udp(const Received& rx);
  void process_tcp(const Received& rx);
  void send_unreachable(const Received& rx, IcmpUnreachable code);

  std::optional<NextHop> route(Ipv4Address destination, NetError& error) const;
  // Builds the IPv4 header in front of the transport bytes already at tx_ + 34.
  NetError send_built(Ipv4Address destination, IpProtocol protocol, size_t l4_len, bool df);
  NetError transmit_ip(const NextHop& hop, size_t ip_len);
  NetError transmit_frame(MacAddress destination, EtherType type, size_t payload_len);
  void send_arp(ArpOperation op, MacAddress eth_dst, MacAddress target_mac, Ipv4Address target_ip);
  void enqueue_pending(Ipv4Address hop, size_t ip_len);
  void flush_pending(Ipv4Address hop, MacAddress mac);
  void drop_pending(Ipv4Address hop);
  void service_timers();
  std::span<uint8_t> tx_l4() { return std::span<uint8_t>(tx_).subspan(34); }

  Device& device_;
  Random& random_;
  MacAddress mac_;
  std::optional<Ipv4Config> config_;
  Instant now_;
  uint16_t next_id_;
  ArpCache arp_cache_;
  FragmentReassembler reassembler_;
  std::array<UdpSocket*, kUdpSockets> udp_{};
  TcpHandler* tcp_ = nullptr;
  std::array<Pending, kPendingPackets> pending_{};
  std::array<Resolution, kPendingPackets> resolutions_{};
  uint64_t pending_order_ = 0;
  int announcements_left_ = 0;
  Instant announce_at_;
  Instant icmp_window_;
  int icmp_in_window_ = 0;
  InterfaceStats stats_;
  std::array<uint8_t, kFrameSize> rx_{};
  std::array<uint8_t, kFrameSize> tx_{};
  std::span<uint8_t> tso_buffer_;
};

}  // namespace mayfly::net
