#include "net/tcp/tcp.h"

#include <cstring>

#include "core/xxhash64.h"

namespace mayfly::net {

namespace {

using namespace tcp_flags;

constexpr uint32_t kMaxWindow = 0xffff;
constexpr uint8_t kMaxWscale = 14;  // RFC 7323 §2.3

template <typename T>
constexpr T min_of(T a, T b) {
  return a < b ? a : b;
}
template <typename T>
constexpr T max_of(T a, T b) {
  return a > b ? a : b;
}

bool synchronized(TcpState s) {
  return s != TcpState::kClosed && s != TcpState::kListen && s != TcpState::kSynSent;
}

bool can_send_data(TcpState s) {
  return s == TcpState::kEstablished || s == TcpState::kCloseWait || s == TcpState::kSynSent ||
         s == TcpState::kSynReceived;
}

}  // namespace

const char* tcp_state_name(TcpState s) {
  switch (s) {
    case TcpState::kClosed:
      return "CLOSED";
    case TcpState::kListen:
      return "LISTEN";
    case TcpState::kSynSent:
      return "SYN-SENT";
    case TcpState::kSynReceived:
      return "SYN-RECEIVED";
    case TcpState::kEstablished:
      return "ESTABLISHED";
    case TcpState::kFinWait1:
      return "FIN-WAIT-1";
    case TcpState::kFinWait2:
      return "FIN-WAIT-2";
    case TcpState::kCloseWait:
      return "CLOSE-WAIT";
    case TcpState::kClosing:
      return "CLOSING";
    case TcpState::kLastAck:
      return "LAST-ACK";
    case TcpState::kTimeWait:
      return "TIME-WAIT";
  }
  return "?";
}

void TcpConnection::reset_fields() {
  std::span<uint8_t> keep = ring;
  int32_t head = bucket_head;
  *this = TcpConnection();
  ring = keep;
  bucket_head = head;
}

Tcp::Tcp(Interface& iface, std::span<TcpConnection> pool, std::span<uint8_t> rx_storage,
         const TcpConfig& config)
    : iface_(iface), pool_(pool), config_(config) {
  size_t per = pool.empty() ? 0 : rx_storage.size() / pool.size();
  if (per > (size_t(1) << 30)) per = size_t(1) << 30;
  for (size_t i = 0; i < pool.size(); ++i) {
    pool[i].reset_fields();
    pool[i].ring = rx_storage.subspan(i * per, per);
  }
  // RFC 6528 §3: the secret key for the ISN hash comes from the caller's randomness.
  Random& r = iface.random();
  secret_ = uint64_t(r.next_u32()) << 32 | r.next_u32();
  table_.reset(pool, secret_ ^ 0x9e3779b97f4a7c15u);  // a key of its own, not the ISN one
  // RFC 6056 §3.3.1: a random starting point for ephemeral ports (49152-65535).
  next_port_ = uint16_t(49152 + r.next_u32() % 16384);
}

// --- bookkeeping -----------------------------------------------------------------------

bool Tcp::valid(TcpId id) const {
  return id >= 0 && size_t(id) < pool_.size() && pool_[size_t(id)].in_use;
}

// The table holds every connection from set_tuple() until it closes (to_closed) or is
// freed, so a lookup costs one hash and a chain walk instead of a scan of the pool.
Tcp::Conn* Tcp::find(Port local, Ipv4Endpoint remote) {
  Conn* c = table_.find(local, remote);
  return c && c->in_use && c->state != TcpState::kClosed ? c : nullptr;
}

void Tcp::set_tuple(Conn& c, Port local, Ipv4Endpoint remote) {
  table_.remove(c);
  c.local_port = local;
  c.remote = remote;
  table_.insert(c);
}

Tcp::Conn* Tcp::allocate() {
  // With no free slot, take the TIME-WAIT connection closest to expiry: like Linux when
  // its time-wait bucket table overflows, we then forgo TIME-WAIT's protection (RFC 9293
  // §3.6.1) for that old connection rather than refuse a new one.
  Conn* oldest = nullptr;
  bool any_free = false;
  for (Conn& c : pool_) {
    if (!c.in_use) {
      any_free = true;
      break;
    }
    if (c.state == TcpState::kTimeWait && !c.app_owned && c.timewait_at &&
        (!oldest || *c.timewait_at < *oldest->timewait_at))
      oldest = &c;
  }
  if (!any_free && oldest) {
    ++stats_.time_wait_recycled;
    free_conn(*oldest);
  }
  for (Conn& c : pool_) {
    if (!c.in_use) {
      c.reset_fields();
      c.in_use = true;
      c.rto = config_.initial_rto;
      c.persist_interval = config_.initial_rto;
      return &c;
    }
  }
  return nullptr;
}

void Tcp::free_conn(Conn& c) {
  table_.remove(c);
  c.reset_fields();
}

// The connection is over: free it unless the application still holds the id.
void Tcp::to_closed(Conn& c, uint32_t event) {
  c.state = TcpState::kClosed;
  table_.remove(c);  // a closed connection is no longer found by its segments
  c.events |= event;
  c.rto_at.reset();
  c.ack_at.reset();
  c.persist_at.reset();
  c.timewait_at.reset();
  if (!c.app_owned) free_conn(c);
}

size_t Tcp::connections_in_use() const {
  size_t n = 0;
  for (const Conn& c : pool_) n += c.in_use ? 1 : 0;
  return n;
}

int Tcp::backlog_used(int listener) const {
  int n = 0;
  for (const Conn& c : pool_) {
    if (c.in_use && c.listener == listener && !c.accepted) ++n;
  }
  return n;
}

uint32_t Tcp::make_isn(Port local, Ipv4Endpoint remote, Instant now) const {
  // RFC 6528 §3: ISN = M + F(localip, localport, remoteip, remoteport, secretkey), M a
  // timer ticking every 4 µs (we have milliseconds: 250 ticks each), F a keyed hash
  // (XXH64 with the secret as its seed).
  uint8_t tuple[12];
  store_be32(tuple, iface_.source_address().value());
  store_be16(tuple + 4, local.value());
  store_be32(tuple + 6, remote.address.value());
  store_be16(tuple + 10, remote.port.value());
  uint32_t f = uint32_t(xxhash64(tuple, sizeof tuple, secret_));
  return uint32_t(uint64_t(now.millis) * 250) + f;
}

// SYN cookies (RFC 4987 §3.6, the layout Linux uses): the ISS is 24 bits of keyed hash
// over the 4-tuple, the peer's ISN and a 64-second counter, 5 bits of that counter, and 3
// bits indexing the peer's MSS in kCookieMss.
namespace {
constexpr uint16_t kCookieMss[8] = {216, 536, 1024, 1200, 1300, 1400, 1440, 1460};
constexpr int64_t kCookiePeriodMs = 64000;
}  // namespace

uint32_t Tcp::cookie_hash(Port local, Ipv4Endpoint remote, uint32_t irs, uint32_t low) const {
  // `low` holds the counter and the MSS index (the low 8 bits of the ISS), so neither can be
  // altered without breaking the hash.
  uint8_t in[20];
  store_be32(in, iface_.source_address().value());
  store_be16(in + 4, local.value());
  store_be32(in + 6, remote.address.value());
  store_be16(in + 10, remote.port.value());
  store_be32(in + 12, irs);
  store_be32(in + 16, low);
  return uint32_t(xxhash64(in, sizeof in, secret_ ^ 0x5bd1e9955bd1e995ull) >> 8) << 8;
}

void Tcp::send_cookie(Instant now, const Ipv4Meta& ip, const TcpSegment& seg,
                      const TcpOptions& opts) {
  uint16_t peer_mss = opts.mss ? *opts.mss : 536;
  uint32_t m = 0;
  while (m + 1 < 8 && kCookieMss[m + 1] <= peer_mss) ++m;
  uint32_t t = uint32_t(now.millis / kCookiePeriodMs) & 0x1f;
  Ipv4Endpoint remote{ip.source, seg.source_port()};
  uint32_t iss =
      cookie_hash(seg.destination_port(), remote, seg.sequence(), t << 3 | m) | t << 3 | m;
  TcpRepr r;
  r.source_port = seg.destination_port();
  r.destination_port = seg.source_port();
  r.sequence = iss;
  r.acknowledgment = seg.sequence() + 1;
  r.flags = kSyn | kAck;
  size_t ring = pool_.empty() ? 0 : pool_[0].ring.size();
  r.window = uint16_t(min_of<size_t>(ring, kMaxWindow));  // no scaling with cookies
  r.options.mss = our_mss();
  ++stats_.syn_cookies_sent;
  transmit(ip.source, r, {});
}

Tcp::Conn* Tcp::accept_cookie(Instant now, int listener, const Ipv4Meta& ip, const TcpSegment& seg,
                              bool& valid_cookie) {
  valid_cookie = false;
  uint32_t iss = seg.acknowledgment() - 1;
  uint32_t irs = seg.sequence() - 1;
  uint32_t t = (iss >> 3) & 0x1f;
  uint32_t now_t = uint32_t(now.millis / kCookiePeriodMs) & 0x1f;
  // Cookies are valid for the period they were made in and the one after.
  if (((now_t - t) & 0x1f) > 1) return nullptr;
  Ipv4Endpoint remote{ip.source, seg.source_port()};
  if ((iss & 0xffffff00u) != cookie_hash(seg.destination_port(), remote, irs, iss & 0xff))
    return nullptr;
  valid_cookie = true;
  Conn* c = allocate();
  if (!c) return nullptr;
  ++stats_.syn_cookies_accepted;
  c->listener = int8_t(listener);
  set_tuple(*c, seg.destination_port(), remote);
  c->state = TcpState::kSynReceived;  // the ACK below completes the handshake
  c->irs = irs;
  c->rcv_nxt = irs + 1;
  c->rcv_adv = c->rcv_nxt;
  c->peer_mss = kCookieMss[iss & 7];
  c->iss = iss;
  c->snd_una = iss;
  c->snd_nxt = iss + 1;
  c->snd_max = iss + 1;
  c->snd_wl1 = irs;
  return c;
}

uint16_t Tcp::our_mss() const {
  // RFC 9293 §3.7.1: MSS = MTU - 20 (IP) - 20 (TCP).
  size_t mtu = iface_.mtu();
  return uint16_t(mtu > 40 ? mtu - 40 : 536);
}

uint32_t Tcp::effective_mss(const Conn& c) const {
  // RFC 9293 §3.7.1: Eff.snd.MSS = min(SendMSS + 20, MMS_S) - TCPhdrsize - IPoptionsize;
  // the timestamp option takes 12 bytes of every segment (RFC 7323 §3.2).
  uint32_t mss = min_of<uint32_t>(min_of<uint32_t>(c.peer_mss, our_mss()), c.path_mss);
  if (c.ts_ok) mss -= 12;
  return max_of<uint32_t>(mss, 64);
}

uint32_t Tcp::rcv_window(const Conn& c) const {
  return uint32_t(c.ring.size()) - c.rx_len;
}

TcpOptions Tcp::options_for(const Conn& c, Instant now, bool syn) const {
  TcpOptions o;
  if (syn) {
    o.mss = our_mss();
    bool active = c.state == TcpState::kSynSent;
    // RFC 7323 §2.2: send Window Scale in a SYN; in a SYN-ACK only if the SYN had it.
    if (active || c.wscale_ok) o.window_scale = c.rcv_wscale;
    // RFC 2018 §2: SACK-permitted only in SYNs (we do not yet act on SACK blocks).
    if (active || c.sack_ok) o.sack_permitted = true;
    // RFC 7323 §3.2: timestamps in a SYN; in a SYN-ACK only if the SYN had them.
    if (active || c.ts_ok) o.timestamps = TcpTimestamps{uint32_t(now.millis), c.ts_recent};
  } else if (c.ts_ok) {
    // RFC 7323 §3.2: once negotiated, every segment carries timestamps (RST MAY not).
    o.timestamps = TcpTimestamps{uint32_t(now.millis), c.ts_recent};
  }
  return o;
}

// --- application API -----------------------------------------------------------------

int Tcp::listen(Port port, int backlog) {
  for (size_t i = 0; i < listeners_.size(); ++i) {
    if (listeners_[i].used && listeners_[i].port == port) return -1;
  }
  for (size_t i = 0; i < listeners_.size(); ++i) {
    if (!listeners_[i].used) {
      listeners_[i] = Listener{true, port, backlog < 1 ? 1 : backlog};
      return int(i);
    }
  }
  return -1;
}

void Tcp::unlisten(int listener) {
  if (listener < 0 || size_t(listener) >= listeners_.size()) return;
  listeners_[size_t(listener)].used = false;
  for (Conn& c : pool_) {
    if (c.in_use && c.listener == listener && !c.accepted) abort(TcpId(&c - pool_.data()));
  }
}

TcpId Tcp::accept(int listener) {
  for (size_t i = 0; i < pool_.size(); ++i) {
    Conn& c = pool_[i];
    if (c.in_use && c.listener == listener && !c.accepted && c.state != TcpState::kSynReceived) {
      c.accepted = true;
      c.app_owned = true;
      return TcpId(i);
    }
  }
  return -1;
}

TcpId Tcp::connect(Ipv4Endpoint remote, Instant now) {
  Conn* c = allocate();
  if (!c) return -1;
  Port local;
  for (int tries = 0; tries < 16384; ++tries) {
    local = Port(next_port_);
    next_port_ = next_port_ == 65535 ? 49152 : uint16_t(next_port_ + 1);
    if (!find(local, remote)) break;
  }
  c->app_owned = true;
  c->accepted = true;
  set_tuple(*c, local, remote);
  c->state = TcpState::kSynSent;
  // RFC 7323 §2.3: the smallest shift that lets the ring be advertised whole.
  while (c->rcv_wscale < kMaxWscale && (c->ring.size() >> c->rcv_wscale) > kMaxWindow)
    ++c->rcv_wscale;
  c->iss = make_isn(local, remote, now);
  c->snd_una = c->iss;
  c->snd_nxt = c->iss;
  c->snd_max = c->iss;
  c->cwnd = 0;  // set when established
  send_segment(now, *c, c->iss, 0, kSyn);
  c->snd_nxt = c->iss + 1;
  c->snd_max = c->snd_nxt;
  arm_rto(now, *c);
  return TcpId(c - pool_.data());
}

size_t Tcp::recv(TcpId id, std::span<uint8_t> out) {
  if (!valid(id)) return 0;
  Conn& c = pool_[size_t(id)];
  size_t cap = c.ring.size();
  size_t n = min_of<size_t>(out.size(), c.rx_len);
  for (size_t i = 0; i < n;) {
    size_t run = min_of<size_t>(n - i, cap - c.rx_start);
    std::memcpy(out.data() + i, c.ring.data() + c.rx_start, run);
    c.rx_start = uint32_t((c.rx_start + run) % cap);
    i += run;
  }
  c.rx_len -= uint32_t(n);
  // RFC 9293 §3.8.6.2.2: receiver SWS avoidance: announce the window again only when it
  // has opened by min(RCV.BUFF/2, Eff.snd.MSS) beyond the last advertised edge.
  if (n > 0 && synchronized(c.state)) {
    uint32_t edge = c.rcv_nxt + rcv_window(c);
    uint32_t opened = edge - c.rcv_adv;
    if (seq_gt(edge, c.rcv_adv) && opened >= min_of<uint32_t>(uint32_t(cap / 2), effective_mss(c)))
      c.ack_now = true;
  }
  return n;
}

bool Tcp::send(TcpId id, std::span<const uint8_t> bytes) {
  if (!valid(id)) return false;
  Conn& c = pool_[size_t(id)];
  if (!can_send_data(c.state) || c.fin_queued) return false;
  if (bytes.empty()) return true;
  if (c.chunk_count == Conn::kSendChunks) return false;
  if (bytes.size() > 0x7fffffffu - c.queued) return false;
  size_t slot = (c.chunk_head + c.chunk_count) % Conn::kSendChunks;
  c.chunks[slot] = Conn::Chunk{bytes.data(), uint32_t(bytes.size())};
  ++c.chunk_count;
  c.queued += uint32_t(bytes.size());
  return true;
}

bool Tcp::send_copy(TcpId id, std::span<const uint8_t> bytes) {
  if (!valid(id)) return false;
  Conn& c = pool_[size_t(id)];
  if (bytes.size() > Conn::kCopyBytes - c.copy_used) return false;
  uint8_t* dst = c.copy.data() + c.copy_used;
  if (!bytes.empty()) std::memcpy(dst, bytes.data(), bytes.size());
  if (!send(id, std::span<const uint8_t>(dst, bytes.size()))) return false;
  c.copy_used += uint32_t(bytes.size());
  return true;
}

size_t Tcp::send_pending(TcpId id) const {
  return valid(id) ? pool_[size_t(id)].queued : 0;
}

size_t Tcp::send_slots_free(TcpId id) const {
  return valid(id) ? Conn::kSendChunks - pool_[size_t(id)].chunk_count : 0;
}

void Tcp::close(TcpId id) {
  if (!valid(id)) return;
  Conn& c = pool_[size_t(id)];
  c.app_owned = false;
  switch (c.state) {
    case TcpState::kClosed:
    case TcpState::kListen:
    case TcpState::kSynSent:
      // RFC 9293 §3.10.4: CLOSE in SYN-SENT deletes the TCB.
      free_conn(c);
      return;
    case TcpState::kSynReceived:
    case TcpState::kEstablished:
      // RFC 9293 §3.10.4: queue the FIN after the data; enter FIN-WAIT-1.
      c.fin_queued = true;
      c.state = TcpState::kFinWait1;
      break;
    case TcpState::kCloseWait:
      c.fin_queued = true;
      c.state = TcpState::kLastAck;
      break;
    default:
      break;  // already closing
  }
  output(iface_.now(), c);
}

void Tcp::abort(TcpId id) {
  if (!valid(id)) return;
  Conn& c = pool_[size_t(id)];
  // RFC 9293 §3.10.5: in synchronized states send a reset.
  if (synchronized(c.state) && c.state != TcpState::kTimeWait) {
    TcpRepr r;
    r.source_port = c.local_port;
    r.destination_port = c.remote.port;
    r.sequence = c.snd_nxt;
    r.flags = kRst;
    transmit(c.remote.address, r, {});
    ++stats_.resets_sent;
  }
  free_conn(c);
}

TcpState Tcp::state(TcpId id) const {
  return valid(id) ? pool_[size_t(id)].state : TcpState::kClosed;
}

Ipv4Endpoint Tcp::remote(TcpId id) const {
  return valid(id) ? pool_[size_t(id)].remote : Ipv4Endpoint{};
}

uint32_t Tcp::events(TcpId id) const {
  if (!valid(id)) return tcp_events::kClosed;
  const Conn& c = pool_[size_t(id)];
  uint32_t e = c.events;
  if (c.rx_len > 0) e |= tcp_events::kReadable;
  if (c.fin_received) e |= tcp_events::kPeerClosed;
  if (can_send_data(c.state) && !c.fin_queued && c.chunk_count < Conn::kSendChunks)
    e |= tcp_events::kWritable;
  if (c.state == TcpState::kClosed) e |= tcp_events::kClosed;
  return e;
}

// --- output ----------------------------------------------------------------------------

NetError Tcp::transmit(Ipv4Address dst, const TcpRepr& repr, std::span<const uint8_t> payload,
                       uint16_t tso_mss) {
  uint8_t hdr[TcpSegment::kMinHeaderSize + TcpOptions::kMaxSize];
  size_t hlen = repr.header_size();
  if (hlen > sizeof hdr) return NetError::kTooLarge;
  Ipv4Address src = iface_.source_address();
  TcpRepr h = repr;
  h.payload = {};
  if (!h.emit(std::span<uint8_t>(hdr, hlen), src, dst)) return NetError::kTooLarge;
  // The payload is not contiguous with the header (it is bundle bytes): checksum the
  // pseudo-header, the header and the payload piecewise (RFC 9293 §3.1).
  store_be16(hdr + 16, 0);
  Checksum sum;
  sum.add_pseudo_header(src, dst, IpProtocol::kTcp, uint16_t(hlen + payload.size()));
  if (tso_mss > 0) {
    // Segmentation offload: the device completes the checksum of every segment it cuts
    // from the folded pseudo-header sum left in the field (virtio-net NEEDS_CSUM).
    store_be16(hdr + 16, sum.folded());
    NetError e = iface_.send_tcp_tso(dst, std::span<const uint8_t>(hdr, hlen), payload, tso_mss);
    if (e == NetError::kOk) {
      ++stats_.segments_out;
      ++stats_.tso_segments;
    }
    return e;
  }
  sum.add(std::span<const uint8_t>(hdr, hlen));
  sum.add(payload);
  store_be16(hdr + 16, sum.finish());
  ++stats_.segments_out;
  return iface_.send_ipv4(dst, IpProtocol::kTcp, std::span<const uint8_t>(hdr, hlen), payload,
                          /*dont_fragment=*/true);
}

Tcp::ChunkPosition Tcp::locate(const Conn& c, uint32_t offset) {
  ChunkPosition at{c.chunk_head, c.una_off + offset, c.chunk_count};
  while (at.remaining > 0 && at.offset >= c.chunks[at.index].len) {
    at.offset -= c.chunks[at.index].len;
    at.index = (at.index + 1) % Conn::kSendChunks;
    --at.remaining;
  }
  return at;
}

std::span<const uint8_t> Tcp::payload_at(Conn& c, uint32_t offset, uint32_t len) {
  auto [idx, off, left] = locate(c, offset);
  if (left == 0 || len == 0) return {};
  const Conn::Chunk& first = c.chunks[idx];
  if (first.len - off >= len) return std::span<const uint8_t>(first.data + off, len);  // zero-copy
  // Spans chunks (e.g. a copied head then bundle bytes): gather into scratch.
  size_t n = 0;
  while (n < len && left > 0) {
    uint32_t run = min_of<uint32_t>(c.chunks[idx].len - off, uint32_t(len - n));
    std::memcpy(scratch_.data() + n, c.chunks[idx].data + off, run);
    n += run;
    off = 0;
    idx = (idx + 1) % Conn::kSendChunks;
    --left;
  }
  return std::span<const uint8_t>(scratch_.data(), n);
}

uint32_t Tcp::contiguous_run(const Conn& c, uint32_t offset, uint32_t len) const {
  // How many of `len` bytes from `offset` past SND.UNA lie in one send reference.
  ChunkPosition at = locate(c, offset);
  if (at.remaining == 0) return 0;
  return min_of(len, c.chunks[at.index].len - at.offset);
}

NetError Tcp::send_segment(Instant now, Conn& c, uint32_t seq, uint32_t len, uint8_t flags,
                           uint16_t tso_mss) {
  TcpRepr r;
  r.source_port = c.local_port;
  r.destination_port = c.remote.port;
  r.sequence = seq;
  r.flags = flags;
  bool syn = (flags & kSyn) != 0;
  if (c.state != TcpState::kSynSent) {
    r.flags |= kAck;
    r.acknowledgment = c.rcv_nxt;
  }
  uint32_t wnd = rcv_window(c);
  // RFC 7323 §2.2: the window in a SYN or SYN-ACK is never scaled.
  uint32_t shift = syn ? 0 : c.rcv_wscale;
  uint32_t field = min_of<uint32_t>(wnd >> shift, kMaxWindow);
  r.window = uint16_t(field);
  if (c.state != TcpState::kSynSent) {
    uint32_t edge = c.rcv_nxt + (field << shift);
    if (seq_gt(edge, c.rcv_adv)) c.rcv_adv = edge;
  }
  r.options = options_for(c, now, syn);
  // RFC 2018 §4: report held out-of-order data in SACK blocks. Only on segments without
  // data, so the options never eat into a full-sized payload.
  if (c.sack_ok && !syn && len == 0 && c.ooo_count > 0) {
    size_t max_blocks = c.ts_ok ? 3 : 4;  // RFC 2018 §3: 3 blocks fit beside timestamps
    for (uint8_t i = 0; i < c.ooo_count && r.options.sack_count < max_blocks; ++i) {
      r.options.sack[r.options.sack_count++] =
          SackBlock{c.rcv_nxt + c.ooo[i].begin, c.rcv_nxt + c.ooo[i].end};
    }
  }
  std::span<const uint8_t> payload;
  if (len > 0) payload = payload_at(c, seq - c.snd_una, len);
  if (len > 0 && seq_ge(seq + len, c.snd_una + c.queued)) r.flags |= kPsh;
  NetError e = transmit(c.remote.address, r, payload, tso_mss);
  if (tso_mss > 0 && e != NetError::kOk) return e;  // the caller sends MSS segments instead
  // An ACK is going out: the delayed one is no longer owed.
  c.ack_now = false;
  c.ack_at.reset();
  c.unacked_segments = 0;
  return e;
}

void Tcp::send_ack(Instant now, Conn& c) {
  send_segment(now, c, c.snd_nxt, 0, 0);
}

void Tcp::arm_rto(Instant now, Conn& c) {
  c.rto_at = now + c.rto;
}

void Tcp::output(Instant now, Conn& c) {
  if (!c.in_use) return;
  if (c.state == TcpState::kSynSent || c.state == TcpState::kClosed ||
      c.state == TcpState::kTimeWait) {
    if (c.state == TcpState::kTimeWait && c.ack_now) send_ack(now, c);
    return;
  }
  if (c.state == TcpState::kSynReceived) {
    if (c.ack_now) send_segment(now, c, c.iss, 0, kSyn);
    return;
  }
  if (c.state == TcpState::kFinWait2) {  // our FIN is acknowledged: only ACKs remain
    if (c.ack_now) send_ack(now, c);
    return;
  }
  uint32_t data_end = c.snd_una + c.queued;
  uint32_t mss = effective_mss(c);
  bool sent_any = false;
  // Room for one offloaded segment's payload (its header may carry 40 bytes of options).
  size_t tso_max = iface_.tso_max_segment();
  uint32_t tso_room = tso_max > 80 ? uint32_t(tso_max - 80) : 0;
  for (;;) {
    // RFC 3042 limited transmit: the first two duplicate ACKs each let one new segment
    // out beyond cwnd, so a small window still draws the three duplicates it needs.
    uint32_t cw = c.cwnd;
    if (!c.in_recovery && c.dupacks > 0 && c.dupacks < 3) cw += uint32_t(c.dupacks) * mss;
    uint32_t wnd = min_of(c.snd_wnd, cw);
    uint32_t right = c.snd_una + wnd;
    uint32_t usable = seq_gt(right, c.snd_nxt) ? right - c.snd_nxt : 0;
    uint32_t avail = seq_gt(data_end, c.snd_nxt) ? data_end - c.snd_nxt : 0;
    uint32_t len = min_of(min_of(avail, usable), mss);
    // The FIN follows the last data byte (sent again after an RTO rewinds SND.NXT).
    bool fin_due = c.fin_queued && c.snd_nxt + len == data_end;
    if (len == 0 && !fin_due) break;
    // RFC 9293 §3.8.6.2.1 sender SWS avoidance: with more data waiting, send less than a
    // full segment only when nothing is in flight (found against Linux: a congestion
    // window that is not a multiple of the MSS cut the stream into 200-byte runts).
    if (len < mss && len < avail && c.snd_nxt != c.snd_una) break;
    // RFC 9293 §3.7.4 / RFC 896: with Nagle on, hold a small segment while data is
    // unacknowledged.
    if (config_.nagle && len < mss && !fin_due && c.snd_una != c.snd_max) break;
    uint8_t flags = fin_due ? kFin : 0;
    bool retransmit = seq_lt(c.snd_nxt, c.snd_max);
    if (retransmit) ++stats_.retransmits;
    // RFC 6298 §3 (Karn): time only segments not retransmitted.
    if (!c.rtt_active && !retransmit && !c.ts_ok && len > 0) {
      c.rtt_active = true;
      c.rtt_seq = c.snd_nxt + len;
      c.rtt_sent = now;
    }
    // Segmentation offload: new data worth several segments, in one send reference, goes
    // as one large segment the device cuts at the MSS (never with the FIN).
    bool sent_large = false;
    if (tso_room > mss && !retransmit && !c.fin_queued && len == mss) {
      uint32_t big = min_of(min_of(avail, usable), tso_room);
      big = contiguous_run(c, c.snd_nxt - c.snd_una, big);
      if (big < avail) big -= big % mss;
      if (big > mss && send_segment(now, c, c.snd_nxt, big, 0, uint16_t(mss)) == NetError::kOk) {
        len = big;
        sent_large = true;
      }
    }
    if (!sent_large) send_segment(now, c, c.snd_nxt, len, flags);
    c.snd_nxt += len + (fin_due ? 1 : 0);
    if (seq_gt(c.snd_nxt, c.snd_max)) c.snd_max = c.snd_nxt;
    sent_any = true;
    // RFC 6298 §5.1: start the timer when sending data if it is not running.
    if (!c.rto_at) arm_rto(now, c);
    if (fin_due) break;
  }
  if (sent_any && !c.tlp_at) arm_tlp(now, c);
  // RFC 9293 §3.8.6.1: with data waiting, a zero window and nothing in flight, probe.
  if (c.snd_wnd == 0 && seq_gt(data_end, c.snd_nxt) && c.snd_nxt == c.snd_una) {
    if (!c.persist_at) c.persist_at = now + c.persist_interval;
  } else {
    c.persist_at.reset();
  }
  if (!sent_any && c.ack_now) send_ack(now, c);
}

// --- input -----------------------------------------------------------------------------

void Tcp::send_reset(const Ipv4Meta& ip, const TcpSegment& seg) {
  // RFC 9293 §3.10.7.1: never answer a RST with a RST.
  if (seg.has(kRst)) return;
  TcpRepr r;
  r.source_port = seg.destination_port();
  r.destination_port = seg.source_port();
  if (seg.has(kAck)) {
    // RFC 9293 §3.10.7.1: <SEQ=SEG.ACK><CTL=RST>
    r.sequence = seg.acknowledgment();
    r.flags = kRst;
  } else {
    // RFC 9293 §3.10.7.1: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>
    r.sequence = 0;
    r.acknowledgment = seg.sequence() + seg.segment_length();
    r.flags = kRst | kAck;
  }
  ++stats_.resets_sent;
  transmit(ip.source, r, {});
}

void Tcp::input(Instant now, const Ipv4Meta& ip, const TcpSegment& seg) {
  ++stats_.segments_in;
  std::optional<TcpOptions> parsed = seg.options();
  TcpOptions opts = parsed ? *parsed : TcpOptions{};
  Ipv4Endpoint remote{ip.source, seg.source_port()};
  Conn* c = find(seg.destination_port(), remote);
  if (c) {
    if (c->state == TcpState::kSynSent)
      syn_sent_input(now, *c, seg, opts);
    else
      sync_input(now, *c, seg, opts);
    if (c->in_use) output(now, *c);
    return;
  }
  for (size_t i = 0; i < listeners_.size(); ++i) {
    if (listeners_[i].used && listeners_[i].port == seg.destination_port()) {
      listen_input(now, int(i), ip, seg, opts);
      return;
    }
  }
  // RFC 9293 §3.10.7.1: CLOSED: anything but a RST draws a RST.
  send_reset(ip, seg);
}

void Tcp::listen_input(Instant now, int listener, const Ipv4Meta& ip, const TcpSegment& seg,
                       const TcpOptions& opts) {
  // RFC 9293 §3.10.7.2: LISTEN. First check for RST (ignore), then ACK (reset), then SYN.
  if (seg.has(kRst)) return;
  if (seg.has(kAck)) {
    // RFC 4987 §3.6: an ACK may complete a handshake we answered with a cookie.
    if (config_.syn_cookies && !seg.has(kSyn)) {
      bool valid_cookie = false;
      if (Conn* c = accept_cookie(now, listener, ip, seg, valid_cookie)) {
        sync_input(now, *c, seg, opts);
        if (c->in_use) output(now, *c);
        return;
      }
      // A good cookie but the pool is full: drop the ACK, as Linux does when its accept
      // queue overflows. The client retransmits its data (its first segment with data
      // carries the same cookie in its ACK field) and is admitted once a slot frees up,
      // rather than being reset (found against the HTTP service at its connection limit).
      if (valid_cookie) {
        ++stats_.syn_dropped;
        return;
      }
    }
    send_reset(ip, seg);
    return;
  }
  if (!seg.has(kSyn)) return;
  // A bounded backlog: SYN-RECEIVED and unaccepted connections. When it (or the pool) is
  // full, answer with a SYN cookie, or drop the SYN (the peer retransmits).
  Conn* c = nullptr;
  if (backlog_used(listener) < listeners_[size_t(listener)].backlog) c = allocate();
  if (!c) {
    if (config_.syn_cookies)
      send_cookie(now, ip, seg, opts);
    else
      ++stats_.syn_dropped;
    return;
  }
  c->listener = int8_t(listener);
  set_tuple(*c, seg.destination_port(), Ipv4Endpoint{ip.source, seg.source_port()});
  c->state = TcpState::kSynReceived;
  c->irs = seg.sequence();
  c->rcv_nxt = seg.sequence() + 1;
  c->rcv_adv = c->rcv_nxt;
  if (opts.mss) c->peer_mss = *opts.mss;  // RFC 9293 §3.7.1: honour theirs
  if (opts.window_scale) {
    // RFC 7323 §2.2/§2.3: both sides sent the option; shifts above 14 are taken as 14.
    c->wscale_ok = true;
    c->snd_wscale = min_of<uint8_t>(*opts.window_scale, kMaxWscale);
    while (c->rcv_wscale < kMaxWscale && (c->ring.size() >> c->rcv_wscale) > kMaxWindow)
      ++c->rcv_wscale;
  }
  if (opts.timestamps) {
    c->ts_ok = true;
    c->ts_recent = opts.timestamps->value;
  }
  c->sack_ok = opts.sack_permitted;
  // RFC 7323 §2.2: the window field of a SYN is never scaled.
  c->snd_wnd = seg.window();
  c->max_snd_wnd = c->snd_wnd;
  c->snd_wl1 = seg.sequence();
  c->iss = make_isn(c->local_port, c->remote, now);
  c->snd_una = c->iss;
  c->snd_nxt = c->iss + 1;
  c->snd_max = c->snd_nxt;
  send_segment(now, *c, c->iss, 0, kSyn);
  arm_rto(now, *c);
}

void Tcp::syn_sent_input(Instant now, Conn& c, const TcpSegment& seg, const TcpOptions& opts) {
  // RFC 9293 §3.10.7.3: SYN-SENT.
  if (seg.has(kAck)) {
    uint32_t ack = seg.acknowledgment();
    // If SEG.ACK =< ISS or SEG.ACK > SND.NXT, send a reset (unless RST) and drop.
    if (seq_le(ack, c.iss) || seq_gt(ack, c.snd_nxt)) {
      if (!seg.has(kRst)) {
        TcpRepr r;
        r.source_port = c.local_port;
        r.destination_port = c.remote.port;
        r.sequence = ack;
        r.flags = kRst;
        ++stats_.resets_sent;
        transmit(c.remote.address, r, {});
      }
      return;
    }
  }
  if (seg.has(kRst)) {
    // RFC 9293 §3.10.7.3 with RFC 5961 §3.2: a RST is acceptable in SYN-SENT only if it
    // acknowledges our SYN.
    if (seg.has(kAck)) to_closed(c, tcp_events::kReset);
    return;
  }
  if (!seg.has(kSyn)) return;
  if (!seg.has(kAck)) {
    // Simultaneous open (RFC 9293 §3.5 figure 7) is not supported: drop.
    return;
  }
  c.irs = seg.sequence();
  c.rcv_nxt = seg.sequence() + 1;
  c.rcv_adv = c.rcv_nxt;
  c.snd_una = seg.acknowledgment();
  if (opts.mss) c.peer_mss = *opts.mss;
  if (opts.window_scale) {
    c.wscale_ok = true;
    c.snd_wscale = min_of<uint8_t>(*opts.window_scale, kMaxWscale);
  } else {
    c.rcv_wscale = 0;  // RFC 7323 §2.2: no scaling unless both sent the option
  }
  if (opts.timestamps) {
    c.ts_ok = true;
    c.ts_recent = opts.timestamps->value;
    // RFC 7323 §4.1: a sample from the echoed timestamp of our SYN.
    rtt_sample(c, int64_t(uint32_t(now.millis) - opts.timestamps->echo_reply));
  }
  c.sack_ok = opts.sack_permitted;
  c.snd_wnd = seg.window();  // unscaled in a SYN-ACK
  c.max_snd_wnd = c.snd_wnd;
  c.snd_wl1 = seg.sequence();
  c.snd_wl2 = seg.acknowledgment();
  c.state = TcpState::kEstablished;
  c.events |= tcp_events::kConnected;
  c.rto_at.reset();
  c.retransmits = 0;
  // RFC 5681 §3.1: IW = min(4*SMSS, max(2*SMSS, 4380)) (RFC 3390); initial ssthresh large.
  uint32_t mss = effective_mss(c);
  c.cwnd = min_of(4 * mss, max_of(2 * mss, 4380u));
  c.ssthresh = 0x7fffffff;
  c.recover = c.iss;
  c.ack_now = true;
}

void Tcp::rtt_sample(Conn& c, int64_t ms) {
  if (ms < 0 || ms > 600000) return;
  // RFC 6298 §2.2 / §2.3 with alpha = 1/8, beta = 1/4, and G = 1 ms.
  if (!c.have_rtt) {
    c.srtt_ms = ms;
    c.rttvar_ms = ms / 2;
    c.have_rtt = true;
  } else {
    int64_t diff = c.srtt_ms > ms ? c.srtt_ms - ms : ms - c.srtt_ms;
    c.rttvar_ms = (3 * c.rttvar_ms + diff) / 4;
    c.srtt_ms = (7 * c.srtt_ms + ms) / 8;
  }
  int64_t rto = c.srtt_ms + max_of<int64_t>(1, 4 * c.rttvar_ms);
  Duration d = Duration::from_millis(rto);
  // RFC 6298 §2.4 (minimum, see TcpConfig::min_rto) and §2.5 (maximum).
  if (d < config_.min_rto) d = config_.min_rto;
  if (d > config_.max_rto) d = config_.max_rto;
  c.rto = d;
}

void Tcp::release_acked(Conn& c, uint32_t bytes) {
  c.queued -= bytes;
  while (bytes > 0 && c.chunk_count > 0) {
    Conn::Chunk& ch = c.chunks[c.chunk_head];
    uint32_t left = ch.len - c.una_off;
    if (bytes >= left) {
      bytes -= left;
      c.una_off = 0;
      ch = Conn::Chunk{};
      c.chunk_head = uint8_t((c.chunk_head + 1) % Conn::kSendChunks);
      --c.chunk_count;
    } else {
      c.una_off += bytes;
      bytes = 0;
    }
  }
  if (c.chunk_count == 0) c.copy_used = 0;  // everything acknowledged: reuse the buffer
}

void Tcp::update_scoreboard(Conn& c, const TcpOptions& opts) {
  // Forget what SND.UNA has passed.
  for (uint8_t i = 0; i < c.sacked_count;) {
    if (seq_le(c.sacked[i].right, c.snd_una)) {
      c.sacked[i] = c.sacked[--c.sacked_count];
    } else {
      if (seq_lt(c.sacked[i].left, c.snd_una)) c.sacked[i].left = c.snd_una;
      ++i;
    }
  }
  if (!c.sack_ok) return;
  for (uint8_t k = 0; k < opts.sack_count && k < TcpOptions::kMaxSackBlocks; ++k) {
    SackBlock b = opts.sack[k];
    // RFC 2018 §5 / RFC 6675: ignore blocks outside (SND.UNA, SND.MAX].
    if (!seq_lt(b.left, b.right) || seq_le(b.right, c.snd_una) || seq_gt(b.right, c.snd_max))
      continue;
    if (seq_lt(b.left, c.snd_una)) b.left = c.snd_una;
    bool merged = false;
    for (uint8_t i = 0; i < c.sacked_count; ++i) {
      SackBlock& m = c.sacked[i];
      if (seq_le(b.left, m.right) && seq_le(m.left, b.right)) {
        if (seq_lt(b.left, m.left)) m.left = b.left;
        if (seq_gt(b.right, m.right)) m.right = b.right;
        merged = true;
        break;
      }
    }
    if (merged) continue;
    if (c.sacked_count < c.sacked.size()) {
      c.sacked[c.sacked_count++] = b;
    } else {
      // Full: replace the lowest block (the oldest information is the least useful).
      uint8_t low = 0;
      for (uint8_t i = 1; i < c.sacked_count; ++i)
        if (seq_lt(c.sacked[i].left, c.sacked[low].left)) low = i;
      c.sacked[low] = b;
    }
  }
}

void Tcp::retransmit_hole(Instant now, Conn& c) {
  // RFC 6675 §5 (simplified): during recovery, resend the next byte range below the
  // highest SACKed sequence that the peer does not hold, one segment per call.
  if (c.sacked_count == 0) return;
  uint32_t high = highest_sacked(c);
  // The hole at SND.UNA was resent, yet the peer has since SACKed data we sent after that
  // retransmission: it was lost as well. Start a new round from SND.UNA instead of waiting
  // for the RTO (found against Linux with 5 % loss: most timeouts were lost retransmits).
  if (seq_gt(c.rexmit_nxt, c.snd_una) && seq_gt(high, c.rexmit_high)) {
    ++stats_.lost_retransmits;
    c.rexmit_nxt = c.snd_una;
  }
  uint32_t seq = seq_lt(c.rexmit_nxt, c.snd_una) ? c.snd_una : c.rexmit_nxt;
  for (bool moved = true; moved;) {
    moved = false;
    for (uint8_t i = 0; i < c.sacked_count; ++i) {
      if (seq_le(c.sacked[i].left, seq) && seq_lt(seq, c.sacked[i].right)) {
        seq = c.sacked[i].right;
        moved = true;
      }
    }
  }
  if (!seq_lt(seq, high)) return;
  uint32_t end = high;
  for (uint8_t i = 0; i < c.sacked_count; ++i)
    if (seq_gt(c.sacked[i].left, seq) && seq_lt(c.sacked[i].left, end)) end = c.sacked[i].left;
  uint32_t data_end = c.snd_una + c.queued;
  if (seq_gt(end, data_end)) end = data_end;
  if (!seq_lt(seq, end)) return;
  uint32_t len = min_of(end - seq, effective_mss(c));
  ++stats_.retransmits;
  send_segment(now, c, seq, len, 0);
  if (seq == c.snd_una) c.rexmit_high = c.snd_max;
  c.rexmit_nxt = seq + len;
}

uint32_t Tcp::sacked_bytes(const Conn& c) const {
  uint32_t n = 0;
  for (uint8_t i = 0; i < c.sacked_count; ++i) n += c.sacked[i].right - c.sacked[i].left;
  return n;
}

uint32_t Tcp::highest_sacked(const Conn& c) const {
  uint32_t high = c.snd_una;
  for (uint8_t i = 0; i < c.sacked_count; ++i)
    if (seq_gt(c.sacked[i].right, high)) high = c.sacked[i].right;
  return high;
}

void Tcp::enter_recovery(Instant now, Conn& c) {
  // RFC 5681 §3.2 / RFC 6582 §3.2 / RFC 6675 §5: fast retransmit and enter recovery.
  uint32_t mss = effective_mss(c);
  uint32_t flight = c.snd_max - c.snd_una;
  ++stats_.fast_retransmits;
  c.ssthresh = max_of(flight / 2, 2 * mss);  // RFC 5681 eq. 4
  c.recover = c.snd_max;
  c.in_recovery = true;
  c.tlp_out = false;
  c.rexmit_nxt = c.snd_una;
  uint32_t len = min_of(mss, c.queued);
  if (c.sacked_count > 0) {
    retransmit_hole(now, c);
  } else if (len > 0) {
    ++stats_.retransmits;
    send_segment(now, c, c.snd_una, len, 0);
    c.rexmit_nxt = c.snd_una + len;
  }
  c.rexmit_high = c.snd_max;
  c.cwnd = c.ssthresh + 3 * mss;
  c.rtt_active = false;  // RFC 6298 §3 (Karn)
  arm_rto(now, c);
  arm_tlp(now, c);
}

void Tcp::arm_tlp(Instant now, Conn& c) {
  // RFC 8985 §7.2: PTO = 2 SRTT, plus room for a delayed ACK when only one segment is out;
  // never later than the RTO. Only outside recovery, with an RTT measured.
  c.tlp_at.reset();
  if (!c.have_rtt || c.snd_una == c.snd_max || c.tlp_out) return;
  if (c.state != TcpState::kEstablished && c.state != TcpState::kCloseWait &&
      c.state != TcpState::kFinWait1 && c.state != TcpState::kLastAck &&
      c.state != TcpState::kClosing)
    return;
  int64_t pto = 2 * c.srtt_ms;
  // In recovery the peer answers every segment at once (RFC 5681 §4.2), so no delayed-ACK
  // allowance is needed there.
  // RFC 8985 uses a worst-case delayed ACK of 200 ms; we allow for Linux's 40 ms
  // (TCP_DELACK_MIN), the peer we serve, plus margin: a probe sent early costs one
  // duplicate segment, one sent late is an RTO.
  if (!c.in_recovery && c.snd_max - c.snd_una <= effective_mss(c))
    pto = max_of<int64_t>(pto, c.srtt_ms / 4 + 50);
  pto = max_of<int64_t>(pto, 4);  // a few clock ticks: the clock has 1 ms resolution
  Instant at = now + Duration::from_millis(pto);
  if (c.rto_at && *c.rto_at <= at) return;
  c.tlp_at = at;
}

void Tcp::on_tlp(Instant now, Conn& c) {
  if (c.snd_una == c.snd_max) return;
  if (c.in_recovery) {
    // Recovery has gone quiet for 2 SRTT: no ACK for anything, so the last hole we resent
    // (and whatever followed it) is gone. Resend SND.UNA's segment now instead of waiting
    // for the RTO (RACK, RFC 8985 §6.2, would time it out the same way).
    uint32_t len = min_of(effective_mss(c), c.queued);
    if (len == 0) return;
    ++stats_.loss_probes;
    ++stats_.lost_retransmits;
    ++stats_.retransmits;
    c.tlp_out = true;
    send_segment(now, c, c.snd_una, len, 0);
    c.rexmit_nxt = c.snd_una + len;
    c.rexmit_high = c.snd_max;
    return;
  }
  // RFC 8985 §7.3: send one new segment if the window allows, else resend the last one,
  // so that a loss at the tail draws a SACK and is repaired without the RTO.
  uint32_t mss = effective_mss(c);
  uint32_t data_end = c.snd_una + c.queued;
  uint32_t right = c.snd_una + c.snd_wnd;
  ++stats_.loss_probes;
  c.tlp_out = true;
  if (seq_lt(c.snd_nxt, data_end) && seq_lt(c.snd_nxt, right) && c.snd_nxt == c.snd_max) {
    uint32_t len = min_of(min_of(data_end - c.snd_nxt, right - c.snd_nxt), mss);
    send_segment(now, c, c.snd_nxt, len, 0);
    c.snd_nxt += len;
    c.snd_max = c.snd_nxt;
  } else {
    bool fin_sent = c.fin_queued && c.snd_max == data_end + 1;
    uint32_t start = seq_gt(data_end, c.snd_una + mss) ? data_end - mss : c.snd_una;
    uint32_t len = data_end - start;
    if (len == 0 && !fin_sent) return;
    ++stats_.retransmits;
    send_segment(now, c, start, len, fin_sent ? kFin : 0);
  }
  arm_rto(now, c);
}

void Tcp::sync_input(Instant now, Conn& c, const TcpSegment& seg, const TcpOptions& opts) {
  uint32_t seq = seg.sequence();
  std::span<const uint8_t> data = seg.payload();
  uint32_t seg_len = seg.segment_length();
  uint32_t wnd = rcv_window(c);

  // RFC 9293 §3.10.7.4 first: is the segment acceptable (the four cases)?
  bool acceptable;
  if (seg_len == 0) {
    acceptable =
        wnd == 0 ? seq == c.rcv_nxt : seq_le(c.rcv_nxt, seq) && seq_lt(seq, c.rcv_nxt + wnd);
  } else if (wnd == 0) {
    acceptable = false;
  } else {
    acceptable =
        (seq_le(c.rcv_nxt, seq) && seq_lt(seq, c.rcv_nxt + wnd)) ||
        (seq_le(c.rcv_nxt, seq + seg_len - 1) && seq_lt(seq + seg_len - 1, c.rcv_nxt + wnd));
  }
  // RFC 9293 §3.8.6.1: with a zero window we must still process ACKs (and RSTs/URG) of
  // segments at RCV.NXT: treat the segment's data as unacceptable but keep its control.
  bool zero_window_probe = !acceptable && wnd == 0 && seq == c.rcv_nxt;
  if (!acceptable && !zero_window_probe) {
    ++stats_.dropped;
    // If not acceptable, send an ACK (unless RST) and drop.
    if (!seg.has(kRst)) {
      if (c.state == TcpState::kTimeWait && seg.has(kFin)) c.timewait_at = now + config_.msl * 2;
      c.ack_now = true;
    }
    return;
  }

  // Second: RST. RFC 5961 §3.2: reset only if SEG.SEQ == RCV.NXT exactly; otherwise (in
  // window) send a challenge ACK.
  if (seg.has(kRst)) {
    if (seq != c.rcv_nxt) {
      ++stats_.challenge_acks;
      c.ack_now = true;
      return;
    }
    if (c.state == TcpState::kSynReceived && c.listener >= 0 && !c.accepted) {
      // RFC 9293 §3.10.7.4: a passive open goes back to LISTEN: drop the embryo.
      free_conn(c);
      return;
    }
    if (c.state == TcpState::kTimeWait || c.state == TcpState::kClosing ||
        c.state == TcpState::kLastAck) {
      to_closed(c, 0);
    } else {
      to_closed(c, tcp_events::kReset);
    }
    return;
  }

  // Fourth: SYN in a synchronized state. RFC 5961 §4.2: challenge ACK, drop.
  if (seg.has(kSyn)) {
    ++stats_.challenge_acks;
    c.ack_now = true;
    return;
  }

  // Fifth: ACK field off → drop.
  if (!seg.has(kAck)) return;
  if (!process_ack(now, c, seg, opts)) return;
  if (!c.in_use || c.state == TcpState::kClosed) return;

  // RFC 7323 §4.3: update TS.Recent when the segment covers Last.ACK.sent (we use
  // RCV.NXT, which it equals whenever we have no ACK pending).
  if (c.ts_ok && opts.timestamps && seq_le(seq, c.rcv_nxt)) c.ts_recent = opts.timestamps->value;

  if (zero_window_probe) {
    if (!data.empty()) c.ack_now = true;  // answer the probe with the current window
    return;
  }
  // Seventh/eighth: text and FIN.
  process_text(now, c, seq, data, seg.has(kFin));
}

bool Tcp::process_ack(Instant now, Conn& c, const TcpSegment& seg, const TcpOptions& opts) {
  uint32_t ack = seg.acknowledgment();
  if (c.state == TcpState::kSynReceived) {
    // RFC 9293 §3.10.7.4: if SND.UNA < SEG.ACK =< SND.NXT enter ESTABLISHED, else RST.
    if (!(seq_lt(c.snd_una, ack) && seq_le(ack, c.snd_max))) {
      TcpRepr r;
      r.source_port = c.local_port;
      r.destination_port = c.remote.port;
      r.sequence = ack;
      r.flags = kRst;
      ++stats_.resets_sent;
      transmit(c.remote.address, r, {});
      return false;
    }
    c.state = TcpState::kEstablished;
    c.snd_una = c.iss + 1;
    c.rto_at.reset();
    c.retransmits = 0;
    if (c.ts_ok && opts.timestamps)
      rtt_sample(c, int64_t(uint32_t(now.millis) - opts.timestamps->echo_reply));
    uint32_t mss = effective_mss(c);
    c.cwnd = min_of(4 * mss, max_of(2 * mss, 4380u));  // RFC 5681 §3.1 / RFC 3390
    c.ssthresh = 0x7fffffff;
    c.recover = c.iss;
    // The window this ACK carries is scaled (RFC 7323 §2.2); take it below.
    c.snd_wl1 = seg.sequence() - 1;
  }

  // RFC 5961 §5.2: acceptable if SND.UNA - MAX.SND.WND =< SEG.ACK =< SND.NXT; else a
  // (challenge) ACK and drop.
  if (seq_gt(ack, c.snd_max) || seq_lt(ack, c.snd_una - c.max_snd_wnd)) {
    ++stats_.challenge_acks;
    c.ack_now = true;
    return false;
  }

  uint32_t window = uint32_t(seg.window()) << c.snd_wscale;
  uint32_t sacked_before = sacked_bytes(c);
  update_scoreboard(c, opts);
  bool sack_grew = sacked_bytes(c) > sacked_before;
  bool window_changed = window != c.snd_wnd;
  uint32_t mss = effective_mss(c);
  uint32_t flight = c.snd_max - c.snd_una;

  if (seq_gt(ack, c.snd_una)) {
    uint32_t acked = ack - c.snd_una;
    // RTT: from the timestamp echo (RFC 7323 §4.1) or the one timed segment (RFC 6298).
    if (c.ts_ok && opts.timestamps && opts.timestamps->echo_reply != 0) {
      rtt_sample(c, int64_t(uint32_t(now.millis) - opts.timestamps->echo_reply));
    } else if (c.rtt_active && seq_ge(ack, c.rtt_seq)) {
      rtt_sample(c, (now - c.rtt_sent).millis);
      c.rtt_active = false;
    }
    uint32_t data_acked = min_of(acked, c.queued);
    bool fin_acked = c.fin_queued && acked > c.queued;
    release_acked(c, data_acked);
    c.snd_una = ack;
    if (seq_lt(c.snd_nxt, c.snd_una)) c.snd_nxt = c.snd_una;
    update_scoreboard(c, TcpOptions{});  // trim to the new SND.UNA
    c.retransmits = 0;
    c.persist_interval = config_.initial_rto;
    c.tlp_out = false;

    if (c.in_recovery) {
      if (seq_ge(ack, c.recover)) {
        // RFC 6582 §3.2 step 3: full ACK: set cwnd to ssthresh (the option RFC 6582 gives
        // besides min(ssthresh, FlightSize + SMSS), and what Linux's PRR ends with). The
        // other option left cwnd at one or two segments whenever the ACK covered all in
        // flight, and a single lost segment then cost an RTO (found against Linux).
        c.cwnd = c.ssthresh;
        c.in_recovery = false;
      } else {
        // RFC 6582 §3.2 step 3: partial ACK: retransmit the first unacknowledged
        // segment, deflate by the amount acked, add back one SMSS.
        // With SACK information, resend the next hole not yet resent instead.
        uint32_t len = min_of(mss, c.queued);
        if (c.sacked_count > 0) {
          retransmit_hole(now, c);
        } else if (len > 0) {
          ++stats_.retransmits;
          send_segment(now, c, c.snd_una, len, 0);
          c.rexmit_nxt = c.snd_una + len;
        }
        c.cwnd = (c.cwnd > acked ? c.cwnd - acked : 0) + mss;
        arm_rto(now, c);
      }
    } else if (c.cwnd < c.ssthresh) {
      // RFC 5681 §3.1: slow start, cwnd += min(N, SMSS) (RFC 3465 L=1).
      c.cwnd += min_of(acked, mss);
    } else {
      // RFC 5681 §3.1 eq. 3: congestion avoidance, cwnd += SMSS*SMSS/cwnd.
      c.cwnd += max_of(1u, mss * mss / max_of(c.cwnd, 1u));
    }
    c.dupacks = 0;
    // RFC 6298 §5.2/§5.3: stop the timer when all is acknowledged, else restart it.
    if (c.snd_una == c.snd_max)
      c.rto_at.reset();
    else if (!c.in_recovery)
      arm_rto(now, c);
    arm_tlp(now, c);
    // RFC 6675 §5: with SACK, losses above the new SND.UNA may already be known.
    if (!c.in_recovery && c.sack_ok && sacked_bytes(c) >= 3 * mss) enter_recovery(now, c);

    if (fin_acked) {
      switch (c.state) {
        case TcpState::kFinWait1:
          c.state = TcpState::kFinWait2;
          // RFC 9293 leaves FIN-WAIT-2 unbounded; the application has let go of the
          // connection, so like Linux (tcp_fin_timeout) we give the peer 2 MSL to close.
          c.timewait_at = now + config_.msl * 2;
          break;
        case TcpState::kClosing:
          c.state = TcpState::kTimeWait;
          c.timewait_at = now + config_.msl * 2;
          break;
        case TcpState::kLastAck:
          to_closed(c, 0);
          return false;
        default:
          break;
      }
    }
  } else if (ack == c.snd_una && seg.payload().empty() && !seg.has(kFin) &&
             (!window_changed || sack_grew) && flight > 0) {
    // RFC 5681 §2: a duplicate ACK. A SACK that reports new data counts even when the
    // window moved: Linux's receiver often changes its window in the same ACK, and
    // RFC 6675 counts SACKed data rather than identical ACKs (found against Linux).
    ++c.dupacks;
    // RFC 5681 §3.2 / RFC 6582 §3.2: on the third, fast retransmit and enter recovery
    // (unless this loss predates the last recovery). RFC 6675 §5: or once three segments'
    // worth is SACKed above SND.UNA; RFC 8985 §7.4: or when a tail loss probe drew a SACK.
    bool sack_lost = c.sack_ok && (sacked_bytes(c) >= 3 * mss || (c.tlp_out && sack_grew));
    // RFC 6582's guard (no new recovery for losses at or below `recover`) protects
    // against duplicate ACKs that resent data provoked. SACK says which data arrived, so a
    // SACK-detected loss may start recovery even inside an RTO's go-back-N window (found
    // against Linux: without this, every loss after a timeout waited for another one).
    if (!c.in_recovery && (sack_lost || (c.dupacks >= 3 && seq_gt(ack - 1, c.recover - 1)))) {
      enter_recovery(now, c);
    } else if (c.in_recovery) {
      if (c.dupacks > 3 || sack_grew) c.cwnd += mss;  // RFC 5681 §3.2 step 4: inflate
      retransmit_hole(now, c);                        // RFC 6675-style: fill the next hole
    }
    if (sack_grew) {
      c.tlp_out = false;  // the peer is receiving: the probe timer starts over
      arm_tlp(now, c);
    }
  }

  // RFC 9293 §3.10.7.4: update the send window if SND.WL1 < SEG.SEQ or (SND.WL1 =
  // SEG.SEQ and SND.WL2 =< SEG.ACK).
  if (seq_lt(c.snd_wl1, seg.sequence()) ||
      (c.snd_wl1 == seg.sequence() && seq_le(c.snd_wl2, ack))) {
    c.snd_wnd = window;
    c.snd_wl1 = seg.sequence();
    c.snd_wl2 = ack;
    if (window > c.max_snd_wnd) c.max_snd_wnd = window;
  }

  if (c.state == TcpState::kTimeWait && seg.has(kFin)) {
    // RFC 9293 §3.10.7.4: a retransmitted FIN in TIME-WAIT: ACK it, restart 2 MSL.
    c.ack_now = true;
    c.timewait_at = now + config_.msl * 2;
  }
  return true;
}

void Tcp::process_text(Instant now, Conn& c, uint32_t seq, std::span<const uint8_t> data,
                       bool fin) {
  if (c.state != TcpState::kEstablished && c.state != TcpState::kFinWait1 &&
      c.state != TcpState::kFinWait2) {
    // RFC 9293 §3.10.7.4: in CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT ignore the text.
    return;
  }
  uint32_t cap = uint32_t(c.ring.size());
  uint32_t wnd = rcv_window(c);
  // Trim what we already have (left) and what is beyond the window (right).
  uint32_t skip = 0;
  if (seq_lt(seq, c.rcv_nxt)) skip = c.rcv_nxt - seq;
  if (skip > data.size()) skip = uint32_t(data.size());
  data = data.subspan(skip);
  seq += skip;
  uint32_t offset = seq - c.rcv_nxt;  // bytes past RCV.NXT
  if (offset >= wnd && !data.empty()) {
    c.ack_now = true;
    return;
  }
  bool trimmed_right = false;
  if (!data.empty() && data.size() > wnd - offset) {
    data = data.first(wnd - offset);
    trimmed_right = true;
  }
  // Copy into the ring at its place.
  uint32_t base = (c.rx_start + c.rx_len) % (cap == 0 ? 1 : cap);
  for (size_t i = 0; i < data.size();) {
    uint32_t pos = uint32_t((base + offset + i) % cap);
    size_t run = min_of<size_t>(data.size() - i, cap - pos);
    std::memcpy(c.ring.data() + pos, data.data() + i, run);
    i += run;
  }
  if (offset == 0) {
    if (!data.empty()) {
      uint32_t advance = uint32_t(data.size());
      // Merge held out-of-order ranges that now touch the in-order edge.
      bool filled = false;
      for (bool merged = true; merged;) {
        merged = false;
        for (uint8_t i = 0; i < c.ooo_count; ++i) {
          if (c.ooo[i].begin <= advance) {
            if (c.ooo[i].end > advance) advance = c.ooo[i].end;
            c.ooo[i] = c.ooo[--c.ooo_count];
            merged = filled = true;
            break;
          }
        }
      }
      c.rcv_nxt += advance;
      c.rx_len += advance;
      for (uint8_t i = 0; i < c.ooo_count; ++i) {
        c.ooo[i].begin -= advance;
        c.ooo[i].end -= advance;
      }
      // RFC 5681 §4.2: ACK at least every second full-sized segment; RFC 9293 §3.8.6.3:
      // delay others, bounded. An ACK that fills a hole goes at once (RFC 5681 §4.2).
      ++c.unacked_segments;
      if (filled || c.unacked_segments >= 2 || advance >= 2 * effective_mss(c)) {
        c.ack_now = true;
      } else if (!c.ack_at) {
        c.ack_at = now + config_.delayed_ack;
      }
      if (c.ooo_count > 0) c.ack_now = true;
    }
    if (fin && !trimmed_right && c.ooo_count == 0) {
      // RFC 9293 §3.10.7.4 eighth: FIN: advance RCV.NXT over it and ACK it.
      c.rcv_nxt += 1;
      c.fin_received = true;
      c.ack_now = true;
      switch (c.state) {
        case TcpState::kEstablished:
          c.state = TcpState::kCloseWait;
          break;
        case TcpState::kFinWait1:
          // Our FIN is not yet acknowledged (else we would be in FIN-WAIT-2).
          c.state = TcpState::kClosing;
          break;
        case TcpState::kFinWait2:
          c.state = TcpState::kTimeWait;
          c.timewait_at = now + config_.msl * 2;  // RFC 9293 §3.10.7.4: 2 MSL
          c.rto_at.reset();
          break;
        default:
          break;
      }
    }
  } else if (!data.empty()) {
    // Out of order: remember the range (RFC 9293 §3.10.7.4 MAY keep them), and send a
    // duplicate ACK at once (RFC 5681 §4.2). When all range slots are used, it merges
    // only with an adjacent one or is dropped.
    Conn::Range r{offset, offset + uint32_t(data.size())};
    bool merged = false;
    for (uint8_t i = 0; i < c.ooo_count; ++i) {
      if (r.begin <= c.ooo[i].end && c.ooo[i].begin <= r.end) {
        c.ooo[i].begin = min_of(c.ooo[i].begin, r.begin);
        c.ooo[i].end = max_of(c.ooo[i].end, r.end);
        merged = true;
        break;
      }
    }
    if (!merged && c.ooo_count < Conn::kOooRanges) c.ooo[c.ooo_count++] = r;
    // Coalesce ranges that now overlap.
    for (uint8_t i = 0; i < c.ooo_count; ++i) {
      for (uint8_t j = uint8_t(i + 1); j < c.ooo_count;) {
        if (c.ooo[j].begin <= c.ooo[i].end && c.ooo[i].begin <= c.ooo[j].end) {
          c.ooo[i].begin = min_of(c.ooo[i].begin, c.ooo[j].begin);
          c.ooo[i].end = max_of(c.ooo[i].end, c.ooo[j].end);
          c.ooo[j] = c.ooo[--c.ooo_count];
        } else {
          ++j;
        }
      }
    }
    c.ack_now = true;
  } else if (fin) {
    c.ack_now = true;  // an out-of-order FIN: the peer will resend it
  }
}

void Tcp::icmp_error(Instant now, const IcmpErrorInfo& error) {
  if (error.transport_head.size() < 8) return;
  Port local(load_be16(error.transport_head.data()));
  Ipv4Endpoint remote{error.original_destination, Port(load_be16(error.transport_head.data() + 2))};
  uint32_t seq = load_be32(error.transport_head.data() + 4);
  Conn* c = find(local, remote);
  if (!c) return;
  // RFC 5927 §4.1: act only if the quoted sequence number is in flight
  // (SND.UNA =< SEG.SEQ < SND.MAX); anything else may be forged.
  if (!(seq_le(c->snd_una, seq) && seq_lt(seq, c->snd_max))) return;
  ++stats_.icmp_errors;
  constexpr uint8_t kUnreachable = 3;
  if (error.type != kUnreachable) return;  // time exceeded, parameter problem: soft
  if (error.code == 4 && error.next_hop_mtu != 0) {
    // RFC 1191 §6.2 / RFC 1122 §4.2.3.9: fragmentation needed: lower the MSS for this
    // connection and resend from SND.UNA. We never go below a 576-byte path (MSS 536),
    // against forged tiny MTUs (RFC 5927 §7.2 allows such a floor).
    uint32_t mtu = max_of<uint32_t>(error.next_hop_mtu, 576);
    uint16_t mss = uint16_t(mtu - 40);
    if (mss < c->path_mss && mss < min_of<uint32_t>(c->peer_mss, our_mss())) {
      c->path_mss = mss;
      if (synchronized(c->state) && c->state != TcpState::kSynReceived) {
        c->snd_nxt = c->snd_una;
        output(now, *c);
      }
    }
    return;
  }
  // RFC 1122 §4.2.3.9 and RFC 5461: protocol and port unreachable are hard errors; abort
  // only a connection still in SYN-SENT, treat them as soft once synchronized.
  if (c->state == TcpState::kSynSent && (error.code == 2 || error.code == 3))
    to_closed(*c, tcp_events::kReset);
}

// --- timers ----------------------------------------------------------------------------

void Tcp::on_rto(Instant now, Conn& c) {
  ++stats_.timeouts;
  ++c.retransmits;
  int limit = (c.state == TcpState::kSynSent || c.state == TcpState::kSynReceived)
                  ? config_.max_syn_retransmits
                  : config_.max_retransmits;
  if (c.retransmits > limit) {
    // RFC 9293 §3.8.3: R2 exceeded: close the connection.
    if (synchronized(c.state)) {
      TcpRepr r;
      r.source_port = c.local_port;
      r.destination_port = c.remote.port;
      r.sequence = c.snd_nxt;
      r.flags = kRst;
      ++stats_.resets_sent;
      transmit(c.remote.address, r, {});
    }
    if (c.state == TcpState::kSynReceived && !c.accepted) {
      free_conn(c);
      return;
    }
    to_closed(c, tcp_events::kTimedOut);
    return;
  }
  // RFC 6298 §5.5: back off the timer (doubling, capped at the maximum).
  c.rto = c.rto * 2;
  if (c.rto > config_.max_rto) c.rto = config_.max_rto;
  c.rtt_active = false;  // RFC 6298 §3 (Karn): no sample from a retransmission
  if (c.state == TcpState::kSynSent || c.state == TcpState::kSynReceived) {
    ++stats_.retransmits;
    send_segment(now, c, c.iss, 0, kSyn);
    arm_rto(now, c);
    return;
  }
  // RFC 5681 §3.1 eq. 4 and the loss window: ssthresh = max(FlightSize/2, 2*SMSS),
  // cwnd = 1 SMSS; go back to SND.UNA (RFC 6298 §5.4).
  uint32_t mss = effective_mss(c);
  uint32_t flight = c.snd_max - c.snd_una;
  c.ssthresh = max_of(flight / 2, 2 * mss);
  c.cwnd = mss;
  c.in_recovery = false;
  c.dupacks = 0;
  // RFC 6582 §3.2 step 4 after a timeout: recover = highest sent.
  c.recover = c.snd_max;
  c.snd_nxt = c.snd_una;
  c.sacked_count = 0;  // go-back-N resends everything; RFC 2018 §8: SACK info is advisory
  c.rexmit_nxt = c.snd_una;
  c.tlp_at.reset();
  c.tlp_out = false;
  c.rto_at.reset();
  output(now, c);
  if (!c.rto_at && c.snd_una != c.snd_max) arm_rto(now, c);
}

void Tcp::run_timers(Instant now) {
  for (Conn& c : pool_) {
    if (!c.in_use) continue;
    if (c.timewait_at && *c.timewait_at <= now) {
      // RFC 9293 §3.10.8: TIME-WAIT timeout deletes the TCB.
      to_closed(c, 0);
      continue;
    }
    if (c.rto_at && *c.rto_at <= now) {
      c.rto_at.reset();
      on_rto(now, c);
      if (!c.in_use) continue;
    }
    if (c.tlp_at && *c.tlp_at <= now) {
      c.tlp_at.reset();
      on_tlp(now, c);
    }
    if (c.persist_at && *c.persist_at <= now) {
      c.persist_at.reset();
      // RFC 9293 §3.8.6.1: probe a zero window with one byte of new data; RFC 1122
      // §4.2.2.17: back off exponentially, and never give up while the peer answers.
      if (c.queued > 0 && c.snd_wnd == 0 && c.snd_nxt == c.snd_una) {
        send_segment(now, c, c.snd_una, 1, 0);
        if (seq_lt(c.snd_max, c.snd_una + 1)) c.snd_max = c.snd_una + 1;  // acceptable ACK
        c.persist_interval = c.persist_interval * 2;
        if (c.persist_interval > config_.max_rto) c.persist_interval = config_.max_rto;
        c.persist_at = now + c.persist_interval;
      }
    }
    if (c.ack_at && *c.ack_at <= now) {
      c.ack_at.reset();
      c.ack_now = true;
    }
    output(now, c);
  }
}

std::optional<Instant> Tcp::deadline() const {
  std::optional<Instant> d;
  for (const Conn& c : pool_) {
    if (!c.in_use) continue;
    d = earliest(d, c.rto_at);
    d = earliest(d, c.ack_at);
    d = earliest(d, c.persist_at);
    d = earliest(d, c.tlp_at);
    d = earliest(d, c.timewait_at);
  }
  return d;
}

}  // namespace mayfly::net
