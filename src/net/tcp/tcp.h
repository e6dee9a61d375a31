#pragma once
// TCP (RFC 9293) on the Interface's TcpHandler seam: listeners with a bounded SYN backlog,
// passive and active open, data both ways, FIN and RST, TIME-WAIT, the RFC 5961
// protections, RFC 6528 ISNs, MSS / window scaling / timestamps (RFC 7323), RTO per
// RFC 6298, fast retransmit and NewReno (RFC 5681, RFC 6582), delayed ACK and persist.
//
// Send side is zero-copy: the application queues (pointer, length) references to bytes
// that stay immutable and alive until the connection has released them (bundle bytes
// live forever); retransmission re-reads them. Small heads may instead be copied into a
// per-connection buffer with send_copy(). Receive side is a per-connection ring with
// out-of-order ranges kept in place.
//
// No heap: the connection pool and the receive rings are the caller's storage (see
// StaticTcp). No exceptions, no clock: driven by the Interface's poll(now). Freestanding.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "net/iface/interface.h"
#include "net/iface/tcp_handler.h"
#include "net/iface/time.h"
#include "net/tcp/conn_table.h"
#include "net/wire/address.h"
#include "net/wire/tcp.h"

namespace mayfly::net {

// RFC 9293 §3.3.2 states.
enum class TcpState : uint8_t {
  kClosed,
  kListen,
  kSynSent,
  kSynReceived,
  kEstablished,
  kFinWait1,
  kFinWait2,
  kCloseWait,
  kClosing,
  kLastAck,
  kTimeWait,
};
const char* tcp_state_name(TcpState s);

// Sequence-number comparisons modulo 2^32 (RFC 9293 §3.4).
constexpr bool seq_lt(uint32_t a, uint32_t b) {
  return int32_t(a - b) < 0;
}
constexpr bool seq_le(uint32_t a, uint32_t b) {
  return int32_t(a - b) <= 0;
}
constexpr bool seq_gt(uint32_t a, uint32_t b) {
  return int32_t(a - b) > 0;
}
constexpr bool seq_ge(uint32_t a, uint32_t b) {
  return int32_t(a - b) >= 0;
}

// Events the application polls for with Tcp::events().
namespace tcp_events {
inline constexpr uint32_t kConnected = 1u << 0;   // ESTABLISHED reached (active open)
inline constexpr uint32_t kReadable = 1u << 1;    // recv() has bytes
inline constexpr uint32_t kWritable = 1u << 2;    // a send slot is free
inline constexpr uint32_t kPeerClosed = 1u << 3;  // FIN received: recv() returns 0 when drained
inline constexpr uint32_t kReset = 1u << 4;       // the peer reset the connection
inline constexpr uint32_t kTimedOut = 1u << 5;    // retransmissions exhausted
inline constexpr uint32_t kClosed = 1u << 6;      // no more traffic: close() to free the slot
}  // namespace tcp_events

struct TcpStats {
  uint64_t segments_in = 0;
  uint64_t segments_out = 0;
  uint64_t retransmits = 0;       // segments resent (RTO, fast retransmit, partial ACK)
  uint64_t timeouts = 0;          // RTO expiries
  uint64_t fast_retransmits = 0;  // entries into fast recovery
  uint64_t resets_sent = 0;
  uint64_t challenge_acks = 0;  // RFC 5961
  uint64_t syn_dropped = 0;     // backlog or pool full (and cookies off)
  uint64_t syn_cookies_sent = 0;
  uint64_t syn_cookies_accepted = 0;
  uint64_t time_wait_recycled = 0;
  uint64_t icmp_errors =
      0;  // accepted ICMP errors about our segments  // TIME-WAIT slots taken for new connections
  uint64_t dropped = 0;           // unacceptable segments
  uint64_t tso_segments = 0;      // large segments the device cut (segmentation offload)
  uint64_t loss_probes = 0;       // RFC 8985 tail loss probes sent
  uint64_t lost_retransmits = 0;  // retransmission rounds restarted (a resent hole lost)
};

struct TcpConfig {
  // RFC 6298 §2.4 says a minimum of 1 s; we use 200 ms as Linux does (TCP_RTO_MIN), since
  // 1 s is far above today's RTTs and RFC 6298 §2.4 allows a lower bound by choice.
  Duration min_rto = Duration::from_millis(200);
  Duration max_rto = Duration::from_secs(60);     // RFC 6298 §2.5: a maximum of at least 60 s
  Duration initial_rto = Duration::from_secs(1);  // RFC 6298 §2.1
  // RFC 9293 §3.4.2 suggests MSL = 2 min; like Linux we hold TIME-WAIT 60 s (MSL 30 s).
  Duration msl = Duration::from_secs(30);
  // RFC 9293 §3.8.6.3: a delayed ACK MUST be sent within 0.5 s; RFC 5681 §4.2 SHOULD < 500
  // ms. We use 40 ms (Linux's minimum delayed-ACK time), well under the 200 ms bound.
  Duration delayed_ack = Duration::from_millis(40);
  // RFC 9293 §3.8.3: R2 for data at least 100 s; we count retransmissions instead.
  int max_retransmits = 15;
  int max_syn_retransmits = 6;  // RFC 9293 §3.8.3: R2 for SYN at least 3 min (1+2+...+32 s)
  bool nagle = false;           // RFC 9293 §3.7.4 MAY disable Nagle; off for a server
  // RFC 4987 §3.6: answer SYNs with a stateless cookie SYN-ACK when the backlog or the
  // pool is full. Such connections carry no window scaling, timestamps or SACK.
  bool syn_cookies = true;
};

class Tcp;

// One connection slot. Opaque to the application: use Tcp's calls with its TcpId.
class TcpConnection {
 public:
  static constexpr size_t kSendChunks = 16;   // queued send references per connection
  static constexpr size_t kCopyBytes = 1024;  // send_copy() buffer (heads)
  static constexpr size_t kOooRanges = 4;     // out-of-order ranges held in the ring
  static constexpr size_t kScoreboard = 16;   // SACKed ranges remembered (sender side)

 private:
  friend class Tcp;
  friend class TcpConnTable;
  static constexpr int32_t kNoSlot = -1;
  struct Chunk {
    const uint8_t* data = nullptr;
    uint32_t len = 0;
  };
  struct Range {
    uint32_t begin = 0;  // offsets from rcv_nxt's position in the ring
    uint32_t end = 0;
  };

  // Clears the connection's fields; keeps its ring and the bucket head it holds for the
  // lookup table (a bucket belongs to the slot's index, not to the connection in it).
  void reset_fields();

  // TcpConnTable: the head of the bucket with this slot's index, and this connection's
  // link in its own bucket's chain (pool indices, kNoSlot for none).
  int32_t bucket_head = kNoSlot;
  int32_t hash_next = kNoSlot;
  bool hashed = false;

  bool in_use = false;
  bool app_owned = false;  // the application holds the id (accepted, or connect())
  bool accepted = false;
  int8_t listener = -1;  // passive opens: the listener whose backlog this counts against
  TcpState state = TcpState::kClosed;
  uint32_t events = 0;  // sticky: kConnected, kReset, kTimedOut
  Port local_port;
  Ipv4Endpoint remote;

  // Send sequence space (RFC 9293 §3.3.1).
  uint32_t iss = 0;
  uint32_t snd_una = 0;
  uint32_t snd_nxt = 0;
  uint32_t snd_max = 0;  // highest sequence sent + 1 (snd_nxt moves back on RTO)
  uint32_t snd_wnd = 0;  // scaled, bytes
  uint32_t max_snd_wnd = 0;
  uint32_t snd_wl1 = 0;
  uint32_t snd_wl2 = 0;
  uint16_t peer_mss = 536;     // RFC 9293 §3.7.1: default when no MSS option
  uint16_t path_mss = 0xffff;  // RFC 1191: lowered by ICMP "fragmentation needed"
  uint8_t snd_wscale = 0;      // theirs, applied to windows they send
  uint8_t rcv_wscale = 0;      // ours, applied to windows we send
  bool wscale_ok = false;
  bool ts_ok = false;
  bool sack_ok = false;
  uint32_t ts_recent = 0;

  std::array<Chunk, kSendChunks> chunks{};
  uint8_t chunk_head = 0;
  uint8_t chunk_count = 0;
  uint32_t una_off = 0;  // bytes of chunks[chunk_head] already acknowledged
  uint32_t queued = 0;   // unacknowledged + unsent data bytes
  bool fin_queued = false;
  std::array<uint8_t, kCopyBytes> copy{};
  uint32_t copy_used = 0;

  // Receive side.
  uint32_t irs = 0;
  uint32_t rcv_nxt = 0;
  uint32_t rcv_adv = 0;  // right edge last advertised
  std::span<uint8_t> ring;
  uint32_t rx_start = 0;  // ring index of the first unread byte
  uint32_t rx_len = 0;    // in-order unread bytes
  std::array<Range, kOooRanges> ooo{};
  uint8_t ooo_count = 0;
  bool fin_received = false;

  // Timers.
  std::optional<Instant> rto_at;
  std::optional<Instant> ack_at;
  std::optional<Instant> persist_at;
  std::optional<Instant> timewait_at;
  Duration rto;
  Duration persist_interval;
  int64_t srtt_ms = 0;
  int64_t rttvar_ms = 0;
  bool have_rtt = false;
  bool rtt_active = false;
  uint32_t rtt_seq = 0;
  Instant rtt_sent;
  int retransmits = 0;
  bool ack_now = false;
  int unacked_segments = 0;

  // Congestion control (RFC 5681, RFC 6582).
  uint32_t cwnd = 0;
  uint32_t ssthresh = 0;
  uint32_t recover = 0;
  int dupacks = 0;
  bool in_recovery = false;
  // RFC 2018 SACK scoreboard (sequence ranges the peer holds above SND.UNA) and the next
  // sequence to consider for retransmission during recovery.
  std::array<SackBlock, kScoreboard> sacked{};
  uint8_t sacked_count = 0;
  uint32_t rexmit_nxt = 0;
  // SND.MAX when the current round of hole retransmissions began: once the peer SACKs
  // data sent after it while a hole retransmitted in that round is still missing, that
  // retransmission was lost too, and a new round starts (the idea of RACK, RFC 8985, on
  // sequence numbers instead of per-segment send times).
  uint32_t rexmit_high = 0;
  // RFC 8985 §7 tail loss probe: the probe timer, and whether a probe is unanswered.
  std::optional<Instant> tlp_at;
  bool tlp_out = false;
};

using TcpId = int;  // index into the pool; -1 is "none"

class Tcp : public TcpHandler {
 public:
  static constexpr size_t kListeners = 8;

  // `pool` are the connection slots; `rx_storage` is split evenly among them as receive
  // rings (each at most 1 GiB, RFC 7323 §2.3 window-scale limit).
  Tcp(Interface& iface, std::span<TcpConnection> pool, std::span<uint8_t> rx_storage,
      const TcpConfig& config = {});
  Tcp(const Tcp&) = delete;
  Tcp& operator=(const Tcp&) = delete;

  // --- the application's API -------------------------------------------------------
  // Passive open on `port` with at most `backlog` connections in SYN-RECEIVED or
  // ESTABLISHED-but-not-accepted; further SYNs are dropped. Returns a listener id or -1.
  int listen(Port port, int backlog);
  void unlisten(int listener);
  // An established connection from the listener's queue, or -1.
  TcpId accept(int listener);
  // Active open from an ephemeral port; events() reports kConnected, or kReset/kTimedOut.
  TcpId connect(Ipv4Endpoint remote, Instant now);
  // Copies received in-order bytes out; 0 when none (check events() for kPeerClosed).
  size_t recv(TcpId id, std::span<uint8_t> out);
  // Queues a reference to `bytes`, which must stay unchanged and alive until the
  // connection is freed or all queued bytes are acknowledged (send_pending() == 0).
  // False if all send slots are in use or the connection cannot send.
  bool send(TcpId id, std::span<const uint8_t> bytes);
  // Copies `bytes` into the connection's small buffer and queues them (for heads).
  // False if they do not fit; the buffer is reused once everything queued is acknowledged.
  bool send_copy(TcpId id, std::span<const uint8_t> bytes);
  // Queued bytes not yet acknowledged.
  size_t send_pending(TcpId id) const;
  size_t send_slots_free(TcpId id) const;
  // Sends FIN after the queued data (RFC 9293 §3.10.4) and gives the slot back: the
  // stack finishes the close on its own. The id is invalid afterwards.
  void close(TcpId id);
  // Sends RST (when synchronized) and frees the slot at once (RFC 9293 §3.10.5).
  void abort(TcpId id);
  TcpState state(TcpId id) const;
  uint32_t events(TcpId id) const;
  Ipv4Endpoint remote(TcpId id) const;

  // --- TcpHandler --------------------------------------------------------------------
  // Defined inline (no key function) so hosted code built with RTTI can derive from Tcp
  // while the library itself is built without it.
  void on_segment(Instant now, const Ipv4Meta& ip, const TcpSegment& segment) override {
    input(now, ip, segment);
  }
  void on_icmp_error(Instant now, const IcmpErrorInfo& error) override { icmp_error(now, error); }
  void poll(Instant now) override { run_timers(now); }
  std::optional<Instant> next_deadline() const override { return deadline(); }

  const TcpStats& stats() const { return stats_; }
  const TcpConfig& config() const { return config_; }
  size_t connections_in_use() const;
  // The pool size: the most connections (of any state) at once.
  size_t capacity() const { return pool_.size(); }
  // For tests: the current RTO of a connection and its congestion window.
  Duration rto(TcpId id) const { return pool_[size_t(id)].rto; }
  uint32_t cwnd(TcpId id) const { return pool_[size_t(id)].cwnd; }

 private:
  using Conn = TcpConnection;
  struct Listener {
    bool used = false;
    Port port;
    int backlog = 0;
  };

  void input(Instant now, const Ipv4Meta& ip, const TcpSegment& segment);
  void run_timers(Instant now);
  void icmp_error(Instant now, const IcmpErrorInfo& error);
  std::optional<Instant> deadline() const;
  Conn* find(Port local, Ipv4Endpoint remote);
  // Sets the connection's 4-tuple and enters it in the lookup table.
  void set_tuple(Conn& c, Port local, Ipv4Endpoint remote);
  Conn* allocate();
  void free_conn(Conn& c);
  void to_closed(Conn& c, uint32_t event);
  bool valid(TcpId id) const;
  int backlog_used(int listener) const;
  uint32_t make_isn(Port local, Ipv4Endpoint remote, Instant now) const;
  uint32_t cookie_hash(Port local, Ipv4Endpoint remote, uint32_t irs, uint32_t low) const;
  void send_cookie(Instant now, const Ipv4Meta& ip, const TcpSegment& seg, const TcpOptions& opts);
  Conn* accept_cookie(Instant now, int listener, const Ipv4Meta& ip, const TcpSegment& seg,
                      bool& valid_cookie);
  uint16_t our_mss() const;
  uint32_t effective_mss(const Conn& c) const;
  uint32_t rcv_window(const Conn& c) const;
  TcpOptions options_for(const Conn& c, Instant now, bool syn) const;

  void listen_input(Instant now, int listener, const Ipv4Meta& ip, const TcpSegment& seg,
                    const TcpOptions& opts);
  void syn_sent_input(Instant now, Conn& c, const TcpSegment& seg, const TcpOptions& opts);
  void sync_input(Instant now, Conn& c, const TcpSegment& seg, const TcpOptions& opts);
  bool process_ack(Instant now, Conn& c, const TcpSegment& seg, const TcpOptions& opts);
  void process_text(Instant now, Conn& c, uint32_t seq, std::span<const uint8_t> data, bool fin);
  void rtt_sample(Conn& c, int64_t ms);
  void release_acked(Conn& c, uint32_t bytes);
  void update_scoreboard(Conn& c, const TcpOptions& opts);
  void retransmit_hole(Instant now, Conn& c);
  uint32_t sacked_bytes(const Conn& c) const;
  uint32_t highest_sacked(const Conn& c) const;
  void enter_recovery(Instant now, Conn& c);
  void arm_tlp(Instant now, Conn& c);
  void on_tlp(Instant now, Conn& c);

  void output(Instant now, Conn& c);
  NetError send_segment(Instant now, Conn& c, uint32_t seq, uint32_t len, uint8_t flags,
                        uint16_t tso_mss = 0);
  // Where the byte `offset` past SND.UNA lies: chunk index, offset in it, and how many
  // queued chunks remain from there (0: beyond what is queued).
  struct ChunkPosition {
    size_t index;
    uint32_t offset;
    size_t remaining;
  };
  static ChunkPosition locate(const Conn& c, uint32_t offset);
  uint32_t contiguous_run(const Conn& c, uint32_t offset, uint32_t len) const;
  void send_ack(Instant now, Conn& c);
  void send_reset(const Ipv4Meta& ip, const TcpSegment& seg);
  NetError transmit(Ipv4Address dst, const TcpRepr& repr, std::span<const uint8_t> payload,
                    uint16_t tso_mss = 0);
  std::span<const uint8_t> payload_at(Conn& c, uint32_t offset, uint32_t len);
  void arm_rto(Instant now, Conn& c);
  void on_rto(Instant now, Conn& c);

  Interface& iface_;
  std::span<Conn> pool_;
  TcpConnTable table_;
  TcpConfig config_;
  std::array<Listener, kListeners> listeners_{};
  uint64_t secret_ = 0;
  uint16_t next_port_ = 0;
  TcpStats stats_;
  std::array<uint8_t, Interface::kMaxMtu> scratch_{};  // payloads spanning send chunks
};

template <size_t Conns, size_t RxBytes>
struct TcpStorage {
  std::array<TcpConnection, Conns> pool_storage{};
  std::array<uint8_t, Conns * RxBytes> rx_storage{};
};

// A Tcp with its own storage: `Conns` connections, each with an `RxBytes` receive ring.
// The storage base is constructed first, so Tcp's constructor may use it.
template <size_t Conns, size_t RxBytes>
class StaticTcp : private TcpStorage<Conns, RxBytes>, public Tcp {
 public:
  explicit StaticTcp(Interface& iface, const TcpConfig& config = {})
      : TcpStorage<Conns, RxBytes>(), Tcp(iface, this->pool_storage, this->rx_storage, config) {}
};

}  // namespace mayfly::net
