#include "net/service/http_service.h"

#include <cstring>

#include "http/access_log.h"

namespace mayfly::net {
namespace {

using namespace tcp_events;

// Bodies are queued as references of at most this size, so the stack's 31-bit queue
// accounting holds several of them (a pipelined pair of large files still fits).
constexpr uint64_t kMaxBodyPiece = uint64_t(256) << 20;
// How much of a malformed request's first line goes to the log.
constexpr size_t kMaxErrorLine = 512;

size_t format_ipv4(Ipv4Address a, char* out) {
  uint32_t v = a.value();
  size_t n = 0;
  for (int i = 3; i >= 0; --i) {
    unsigned octet = (v >> (8 * i)) & 0xff;
    if (octet >= 100) out[n++] = char('0' + octet / 100);
    if (octet >= 10) out[n++] = char('0' + octet / 10 % 10);
    out[n++] = char('0' + octet % 10);
    if (i > 0) out[n++] = '.';
  }
  return n;
}

bool can_send(TcpState s) {
  return s == TcpState::kEstablished || s == TcpState::kCloseWait;
}

size_t min_size(size_t a, size_t b) {
  return a < b ? a : b;
}

}  // namespace

size_t format_http_access(const HttpAccess& entry, char* out) {
  char client[16];
  size_t n = format_ipv4(entry.client.address, client);
  return http::format_access_line(out, std::string_view(client, n), entry.unix_seconds,
                                  entry.request_line, entry.status, entry.body_bytes);
}

HttpService::HttpService(Tcp& tcp, const bundle::Bundle& bundle, std::span<HttpSlot> slots,
                         std::span<uint8_t> read_storage, std::span<uint8_t> head_storage,
                         const HttpServiceOptions& options)
    : tcp_(tcp),
      responder_(bundle, options.server_name),
      slots_(slots),
      read_(read_storage),
      head_(head_storage),
      options_(options) {
  if (!slots_.empty()) {
    read_cap_ = read_.size() / slots_.size();
    head_cap_ = head_.size() / slots_.size();
  }
  // The read buffer bounds a head: the parser refuses anything larger with 431, so a full
  // buffer never waits for bytes that cannot fit.
  limits_.max_head = read_cap_;
  limits_.max_request_line = min_size(limits_.max_request_line, read_cap_);
}

bool HttpService::start() {
  if (listener_ >= 0) return true;
  if (slots_.empty() || read_cap_ < 64 || head_cap_ < responder_.head_capacity()) return false;
  listener_ = tcp_.listen(options_.port, options_.backlog);
  return listener_ >= 0;
}

void HttpService::drain() {
  if (draining_) return;
  draining_ = true;
  if (listener_ >= 0) tcp_.unlisten(listener_);
  listener_ = -1;
  for (HttpSlot& s : slots_) {
    if (s.phase != HttpSlot::Phase::kOpen) continue;
    bool writing = s.out_head_len > 0 || s.out_body_len > 0 || tcp_.send_pending(s.id) > 0;
    if (writing)
      s.close_after = true;  // the response in progress finishes, then FIN
    else
      close_slot(s);  // idle, or a request not yet complete
  }
}

void HttpService::close_slot(HttpSlot& s) {
  // FIN after whatever is queued; the stack keeps reading our head buffer until it has
  // freed the connection, and only then can this TcpId (and slot) come back from accept.
  tcp_.close(s.id);
  s.phase = HttpSlot::Phase::kFree;
  s.id = -1;
  --open_;
}

void HttpService::abort_slot(HttpSlot& s) {
  tcp_.abort(s.id);
  s.phase = HttpSlot::Phase::kFree;
  s.id = -1;
  --open_;
}

void HttpService::accept_all(Instant now) {
  if (listener_ < 0) return;
  for (TcpId id; (id = tcp_.accept(listener_)) >= 0;) {
    if (size_t(id) >= slots_.size()) {
      ++stats_.refused;
      tcp_.abort(id);
      continue;
    }
    HttpSlot& s = slots_[size_t(id)];
    if (s.phase == HttpSlot::Phase::kOpen) --open_;  // cannot happen: the id was ours
    s = HttpSlot{};
    s.phase = HttpSlot::Phase::kOpen;
    s.id = id;
    s.request_start = now;  // the header timeout covers a client that never sends
    s.last_progress = now;
    ++open_;
    ++stats_.accepted;
  }
}

bool HttpService::queue_output(HttpSlot& s) {
  if (s.out_head_len > 0) {
    if (!tcp_.send(s.id, std::span<const uint8_t>(s.out_head, s.out_head_len))) return false;
    s.out_head_len = 0;
  }
  while (s.out_body_len > 0) {
    uint64_t n = s.out_body_len < kMaxBodyPiece ? s.out_body_len : kMaxBodyPiece;
    // Zero-copy: a reference into the bundle, re-read by the stack on retransmission.
    if (!tcp_.send(s.id, std::span<const uint8_t>(s.out_body, size_t(n)))) return false;
    s.out_body += n;
    s.out_body_len -= n;
    stats_.body_bytes += n;
  }
  return true;
}

bool HttpService::answer_requests(HttpSlot& s, size_t index, Instant now, int64_t unix_seconds) {
  const size_t head_need = responder_.head_capacity();
  char* rbuf = read_buffer(index);
  while (s.rlen > 0 && !s.close_after) {
    // Room for one more head, and two stack references (head and body).
    if (head_cap_ - s.head_used < head_need || tcp_.send_slots_free(s.id) < 2) return true;
    std::string_view input(rbuf, s.rlen);
    http::ParseResult pr = http::parse_request(input, limits_, request_);
    if (pr.status == http::ParseStatus::Incomplete && s.rlen < read_cap_) return true;
    char* head = head_buffer(index) + s.head_used;
    http::Response r;
    std::string_view line;
    size_t consumed;
    if (pr.status == http::ParseStatus::Complete) {
      r = responder_.respond(request_, unix_seconds, head, head_need);
      line = request_.request_line;
      consumed = pr.consumed;
    } else {
      // A parse error, or (defensively) a full buffer without a complete head.
      uint16_t status = pr.status == http::ParseStatus::Error ? pr.error_status : 431;
      r = responder_.reject(status, unix_seconds, head, head_need);
      size_t eol = input.find_first_of("\r\n");
      line = input.substr(0, min_size(eol, kMaxErrorLine));
      consumed = s.rlen;
      ++stats_.bad_requests;
    }
    ++stats_.requests;
    s.answered = true;
    if (options_.access_log) {
      HttpAccess a{tcp_.remote(s.id), unix_seconds, line, r.status, r.body_size};
      options_.access_log(options_.access_log_context, a);
    }
    s.out_head = reinterpret_cast<const uint8_t*>(r.head.data());
    s.out_head_len = uint32_t(r.head.size());
    s.head_used += uint32_t(r.head.size());
    s.out_body = r.body;
    s.out_body_len = r.body_size;
    s.close_after = r.close || draining_;
    // Keep pipelined bytes that follow; the next request's header timeout starts now.
    std::memmove(rbuf, rbuf + consumed, s.rlen - consumed);
    s.rlen -= uint32_t(consumed);
    s.request_start = now;
    if (!queue_output(s)) return false;
  }
  return true;
}

void HttpService::service(HttpSlot& s, size_t index, Instant now, int64_t unix_seconds) {
  uint32_t ev = tcp_.events(s.id);
  if (ev & (kReset | kTimedOut | kClosed)) {
    ++stats_.resets;
    close_slot(s);  // frees the stack's slot too
    return;
  }
  size_t pending = tcp_.send_pending(s.id);
  if (pending != s.last_pending) {
    s.last_progress = now;  // acknowledged bytes (or a new response): the writer moves
    s.last_pending = pending;
  }
  // Everything acknowledged: the head buffer is free again (heads are queued in order, and
  // a head not yet handed to the stack is only ever the last one).
  if (pending == 0 && s.out_head_len == 0) s.head_used = 0;

  if (!queue_output(s)) {
    if (!can_send(tcp_.state(s.id))) abort_slot(s);  // otherwise: wait for free references
    return;
  }
  if (s.close_after) {
    close_slot(s);
    return;
  }
  // Read what fits; the stack keeps the rest (its window closes: backpressure).
  char* rbuf = read_buffer(index);
  while (s.rlen < read_cap_) {
    size_t n = tcp_.recv(
        s.id, std::span<uint8_t>(reinterpret_cast<uint8_t*>(rbuf) + s.rlen, read_cap_ - s.rlen));
    if (n == 0) break;
    if (s.rlen == 0) s.request_start = now;
    s.rlen += uint32_t(n);
    s.last_progress = now;
  }
  if (!answer_requests(s, index, now, unix_seconds)) {
    if (!can_send(tcp_.state(s.id))) abort_slot(s);
    return;
  }
  s.last_pending = tcp_.send_pending(s.id);
  if (s.close_after && s.out_head_len == 0 && s.out_body_len == 0) {
    close_slot(s);
    return;
  }
  // The client sent FIN: once its bytes are all read and answered, nothing more can come
  // (a partial head never completes). Close after what is queued.
  ev = tcp_.events(s.id);
  if ((ev & kPeerClosed) && !(ev & kReadable) && s.out_head_len == 0 && s.out_body_len == 0) {
    bool waiting_for_room = s.rlen > 0 && (head_cap_ - s.head_used < responder_.head_capacity() ||
                                           tcp_.send_slots_free(s.id) < 2);
    if (!waiting_for_room) close_slot(s);
  }
}

std::optional<Instant> HttpService::slot_deadline(const HttpSlot& s) const {
  if (s.phase != HttpSlot::Phase::kOpen) return std::nullopt;
  bool writing = s.last_pending > 0 || s.out_head_len > 0 || s.out_body_len > 0;
  if (writing) return s.last_progress + options_.write_timeout;
  // A request begun (or none yet on a new connection): the header timeout, not renewed by
  // trickled bytes. Otherwise an idle keep-alive connection.
  if (s.rlen > 0 || !s.answered) return s.request_start + options_.header_timeout;
  return s.last_progress + options_.idle_timeout;
}

void HttpService::poll(Instant now, int64_t unix_seconds) {
  accept_all(now);
  for (size_t i = 0; i < slots_.size(); ++i) {
    HttpSlot& s = slots_[i];
    if (s.phase != HttpSlot::Phase::kOpen) continue;
    service(s, i, now, unix_seconds);
    if (s.phase != HttpSlot::Phase::kOpen) continue;
    auto d = slot_deadline(s);
    if (d && *d <= now) {
      ++stats_.timeouts;
      if (s.last_pending > 0 || s.out_head_len > 0 || s.out_body_len > 0)
        abort_slot(s);  // a stalled reader: RST frees the stack's slot now
      else
        close_slot(s);
    }
  }
}

std::optional<Instant> HttpService::next_deadline() const {
  std::optional<Instant> next;
  for (const HttpSlot& s : slots_) next = earliest(next, slot_deadline(s));
  return next;
}

}  // namespace mayfly::net
