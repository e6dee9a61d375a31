#include "hosted/worker.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <new>

#include "http/access_log.h"

namespace mayfly::hosted {
namespace {

constexpr uint64_t kListenTag = 1;
constexpr uint64_t kStopTag = 2;
// After an accept failure for want of descriptors, try again this much later.
constexpr uint64_t kAcceptRetryMs = 100;
// Bodies at least this large are sent with sendfile (bench/http: writev of a 100 KiB body
// costs more than sendfile's page references).
constexpr uint64_t kSendfileThreshold = 32 * 1024;
constexpr uint64_t kMaxSendfile = 1 << 30;

uint64_t monotonic_ms() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return uint64_t(ts.tv_sec) * 1000 + uint64_t(ts.tv_nsec) / 1000000;
}

void format_peer(const sockaddr_storage& addr, char* out, size_t cap) {
  if (addr.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(addr).sin_addr, out, socklen_t(cap));
  } else if (addr.ss_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6&>(addr).sin6_addr, out,
              socklen_t(cap));
  } else {
    std::strncpy(out, "-", cap);
  }
}

}  // namespace

Worker::Worker(const bundle::Bundle& bundle, const ServerOptions& options, LogFile& log,
               int listen_fd, int stop_fd, size_t max_connections)
    : options_(options), log_(log), listen_fd_(listen_fd), stop_fd_(stop_fd) {
  responder_.emplace(bundle);
  body_fd_ = options.bundle_fd;
  bundle_base_ = bundle.bytes();
  bundle_size_ = bundle.size();
  limits_.max_head = 16 * 1024;
  read_capacity_ = limits_.max_head + 1024;
  head_capacity_ = responder_->head_capacity() + 256;  // room for a rebuilt bundle's headers
  pool_.resize(max_connections);
  // One mapping for every connection's buffers: reserved now, touched only when used.
  arena_size_ = max_connections * (read_capacity_ + head_capacity_);
  void* p = mmap(nullptr, arena_size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw ServerError("cannot reserve connection buffers");
  arena_ = static_cast<char*>(p);
  free_.reserve(max_connections);
  for (size_t i = max_connections; i-- > 0;) {
    Connection& c = pool_[i];
    c.rbuf = arena_ + i * (read_capacity_ + head_capacity_);
    c.hbuf = c.rbuf + read_capacity_;
    free_.push_back(&c);
  }
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) throw ServerError(std::string("epoll_create1: ") + std::strerror(errno));
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kListenTag;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &ev);
  ev.data.u64 = kStopTag;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, stop_fd_, &ev);
}

Worker::~Worker() {
  for (auto& c : pool_)
    if (c.fd >= 0) ::close(c.fd);
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
  if (arena_) munmap(arena_, arena_size_);
}

DeadlineList* Worker::list_for(Connection::State s) {
  switch (s) {
    case Connection::State::Idle:
      return &idle_;
    case Connection::State::Reading:
      return &reading_;
    case Connection::State::Writing:
      return &writing_;
    default:
      return nullptr;
  }
}

void Worker::set_state(Connection* c, Connection::State s) {
  if (DeadlineList* old = list_for(c->state)) old->remove(c);
  c->state = s;
  unsigned timeout = s == Connection::State::Idle      ? options_.idle_timeout_ms
                     : s == Connection::State::Reading ? options_.header_timeout_ms
                                                       : options_.write_timeout_ms;
  c->deadline_ms = now_ms_ + timeout;
  if (DeadlineList* l = list_for(s)) l->push_back(c);
}

void Worker::notice(const char* text) {
  if (options_.message_fd < 0) return;
  ssize_t ignored = ::write(options_.message_fd, text, std::strlen(text));
  (void)ignored;
}

void Worker::close_connection(Connection* c) {
  if (DeadlineList* l = list_for(c->state)) l->remove(c);
  ::close(c->fd);
  c->fd = -1;
  c->state = Connection::State::Free;
  c->rlen = 0;
  c->close_after = false;
  free_.push_back(c);
  --active_;
  if (accept_paused_ && !draining_) resume_accept();
}

void Worker::pause_accept(uint64_t retry_at_ms) {
  // Stop polling the listening socket; new clients wait in its backlog.
  epoll_event ev{};
  ev.data.u64 = kListenTag;
  epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, listen_fd_, &ev);
  accept_paused_ = true;
  accept_retry_ms_ = retry_at_ms;
}

void Worker::resume_accept() {
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kListenTag;
  epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, listen_fd_, &ev);
  accept_paused_ = false;
}

void Worker::accept_all() {
  while (!draining_) {
    if (free_.empty()) {
      if (!accept_paused_) {
        pause_accept(UINT64_MAX);
        notice("mayfly: connection limit reached; new connections wait until one closes\n");
      }
      return;
    }
    sockaddr_storage addr;
    socklen_t len = sizeof addr;
    int fd =
        accept4(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        // Out of descriptors or memory: the listener stays readable, so polling it would
        // spin. Pause accepting until a connection closes or a short while has passed.
        pause_accept(now_ms_ + kAcceptRetryMs);
        notice(
            "mayfly: out of file descriptors; new connections wait (raise the limit with "
            "ulimit -n, or lower --max-connections)\n");
      }
      return;  // EAGAIN: nothing more to accept
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    Connection* c = free_.back();
    free_.pop_back();
    ++active_;
    c->fd = fd;
    c->rlen = 0;
    c->close_after = false;
    format_peer(addr, c->client, sizeof c->client);
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP;
    ev.data.ptr = c;
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
    // The header timeout runs from the connection's start: a client that never sends a
    // byte is a slowloris too.
    set_state(c, Connection::State::Reading);
  }
}

void Worker::log_request(const Connection* c, std::string_view line, const http::Response& r) {
  if (!log_.enabled()) return;
  char* out = log_.reserve(http::kMaxAccessLine);
  log_.commit(http::format_access_line(out, c->client, now_s_, line, r.status, r.body_size));
}

bool Worker::send_pending(Connection* c) {
  while (c->head_sent < c->head_len || c->body_sent < c->body_len) {
    ssize_t w;
    uint64_t body_left = c->body_len - c->body_sent;
    if (body_fd_ >= 0 && body_left >= kSendfileThreshold && c->body >= bundle_base_ &&
        c->body + c->body_len <= bundle_base_ + bundle_size_) {
      // Large bodies go with sendfile(2) from the bundle's file: the kernel copies pages
      // straight into the socket instead of through a writev of mapped memory. The head
      // goes first with MSG_MORE, so head and body still leave in full segments.
      if (c->head_sent < c->head_len) {
        w = ::send(c->fd, c->hbuf + c->head_sent, c->head_len - c->head_sent,
                   MSG_MORE | MSG_NOSIGNAL);
      } else {
        off_t off = off_t(c->body + c->body_sent - bundle_base_);
        w = ::sendfile(c->fd, body_fd_, &off, size_t(std::min<uint64_t>(body_left, kMaxSendfile)));
      }
    } else {
      iovec iov[2];
      int n = 0;
      if (c->head_sent < c->head_len)
        iov[n++] = {c->hbuf + c->head_sent, c->head_len - c->head_sent};
      if (c->body_sent < c->body_len)
        iov[n++] = {const_cast<uint8_t*>(c->body + c->body_sent), size_t(body_left)};
      w = writev(c->fd, iov, n);
    }
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        if (c->state != Connection::State::Writing) {
          set_state(c, Connection::State::Writing);
          // Only writability matters now: with EPOLLRDHUP in a level-triggered set, a
          // client that half-closed and stopped reading would wake the loop forever.
          epoll_event ev{};
          ev.events = EPOLLOUT;
          ev.data.ptr = c;
          epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c->fd, &ev);
        } else {
          c->deadline_ms = now_ms_ + options_.write_timeout_ms;
        }
        return false;
      }
      close_connection(c);
      return false;
    }
    size_t written = size_t(w);
    size_t from_head = std::min(written, c->head_len - c->head_sent);
    c->head_sent += from_head;
    c->body_sent += written - from_head;
    if (c->state == Connection::State::Writing) {
      // Progress: the write timeout measures a stalled client, not a slow one.
      writing_.remove(c);
      c->deadline_ms = now_ms_ + options_.write_timeout_ms;
      writing_.push_back(c);
    }
  }
  if (c->close_after) {
    close_connection(c);
    return false;
  }
  if (c->state == Connection::State::Writing) {
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP;
    ev.data.ptr = c;
    epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c->fd, &ev);
    set_state(c, Connection::State::Idle);
  }
  return true;
}

void Worker::process(Connection* c) {
  bool answered = false;
  for (;;) {
    if (c->rlen == 0) {
      if (draining_) {
        close_connection(c);
      } else if (c->state != Connection::State::Idle) {
        set_state(c, Connection::State::Idle);
      }
      return;
    }
    if (options_.slot && options_.slot->generation() != slot_generation_) refresh_bundle();
    std::string_view input(c->rbuf, c->rlen);
    http::ParseResult pr = http::parse_request(input, limits_, request_);
    if (pr.status == http::ParseStatus::Incomplete) {
      // The header timeout starts with a request's first byte and is not renewed by
      // later bytes, so a client trickling a head cannot hold the connection. A request
      // that began in the same read as the end of the one just answered starts its own.
      if (c->state != Connection::State::Reading || answered)
        set_state(c, Connection::State::Reading);
      return;
    }
    http::Response r;
    std::string_view line;
    size_t consumed;
    if (pr.status == http::ParseStatus::Error) {
      r = responder_->reject(pr.error_status, now_s_, c->hbuf, head_capacity_);
      line = input.substr(0, std::min(input.find_first_of("\r\n"), size_t(512)));
      consumed = c->rlen;
    } else {
      if (!live_reload(c, r)) r = responder_->respond(request_, now_s_, c->hbuf, head_capacity_);
      line = request_.request_line;
      consumed = pr.consumed;
    }
    log_request(c, line, r);
    c->head_len = r.head.size();
    c->head_sent = 0;
    c->body = r.body;
    c->body_len = r.body_size;
    c->body_sent = 0;
    c->close_after = r.close || draining_;
    // Keep pipelined bytes that follow this request.
    std::memmove(c->rbuf, c->rbuf + consumed, c->rlen - consumed);
    c->rlen -= consumed;
    answered = true;
    if (!send_pending(c)) return;
  }
}

void Worker::refresh_bundle() {
  slot_generation_ = options_.slot->generation();
  std::shared_ptr<const ServedBundle> next = options_.slot->current();
  if (!next || next == served_) return;
  http::Responder candidate(next->bundle);
  if (candidate.head_capacity() > head_capacity_) {
    notice("mayfly: the rebuilt bundle's headers do not fit; still serving the previous one\n");
    return;
  }
  // Responses being written may point into the current bundle: it stays until they are done.
  if (served_) retired_.push_back(std::move(served_));
  served_ = std::move(next);
  responder_.emplace(served_->bundle);
  body_fd_ = served_->mapped.fd();
  bundle_base_ = served_->bundle.bytes();
  bundle_size_ = served_->bundle.size();
}

// GET /__mayfly/livereload in watch mode: one Server-Sent Event naming the bundle's
// generation, then the response ends; the page's EventSource reconnects after the event's
// retry delay (HTML Living Standard, 9.2 "Server-sent events") and reloads when the
// generation it sees changes. No connection is held open for it.
bool Worker::live_reload(Connection* c, http::Response& r) {
  if (!served_ || served_->live_event.empty() || request_.path != "/__mayfly/livereload")
    return false;
  const std::string& ev = served_->live_event;
  int n = std::snprintf(c->hbuf, head_capacity_,
                        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                        "Cache-Control: no-store\r\nContent-Length: %zu\r\n\r\n",
                        ev.size());
  r = http::Response{};
  r.status = 200;
  r.head = std::string_view(c->hbuf, size_t(n));
  bool head_only = request_.method == http::Method::Head;
  r.body = head_only ? nullptr : reinterpret_cast<const uint8_t*>(ev.data());
  r.body_size = head_only ? 0 : ev.size();
  r.close = !request_.keep_alive;
  return true;
}

void Worker::on_event(Connection* c, uint32_t events) {
  if (c->state == Connection::State::Writing) {
    if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) {
      if (send_pending(c)) process(c);
    }
    return;
  }
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
    if (c->rlen >= read_capacity_) {
      close_connection(c);  // cannot happen: the parser refuses heads larger than this
      return;
    }
    ssize_t n = ::read(c->fd, c->rbuf + c->rlen, read_capacity_ - c->rlen);
    if (n > 0) {
      c->rlen += size_t(n);
      process(c);
    } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
      close_connection(c);
    }
  }
}

void Worker::expire() {
  for (DeadlineList* l : {&reading_, &idle_, &writing_}) {
    while (!l->empty() && l->front()->deadline_ms <= now_ms_) close_connection(l->front());
  }
}

int Worker::next_timeout() const {
  uint64_t next = UINT64_MAX;
  for (const DeadlineList* l : {&reading_, &idle_, &writing_})
    if (!l->empty()) next = std::min(next, l->front()->deadline_ms);
  if (draining_) next = std::min(next, drain_deadline_ms_);
  if (accept_paused_) next = std::min(next, accept_retry_ms_);
  // Wake at least once a second to flush the access log.
  uint64_t wait = next <= now_ms_ ? 0 : std::min<uint64_t>(next - now_ms_, 1000);
  return int(wait);
}

void Worker::begin_drain() {
  draining_ = true;
  drain_deadline_ms_ = now_ms_ + options_.drain_timeout_ms;
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, listen_fd_, nullptr);
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, stop_fd_, nullptr);
  // Idle connections and half-received requests end now; responses being sent finish.
  while (!idle_.empty()) close_connection(idle_.front());
  while (!reading_.empty()) close_connection(reading_.front());
  for (auto& c : pool_)
    if (c.state == Connection::State::Writing) c.close_after = true;
}

void Worker::run() {
  epoll_event events[256];
  uint64_t last_flush = monotonic_ms();
  now_ms_ = last_flush;
  now_s_ = time(nullptr);
  while (!draining_ || (active_ > 0 && now_ms_ < drain_deadline_ms_)) {
    int n = epoll_wait(epoll_fd_, events, 256, next_timeout());
    now_ms_ = monotonic_ms();
    now_s_ = time(nullptr);
    for (int i = 0; i < n; ++i) {
      uint64_t tag = events[i].data.u64;
      if (tag == kListenTag)
        accept_all();
      else if (tag == kStopTag)
        begin_drain();
      else
        on_event(static_cast<Connection*>(events[i].data.ptr), events[i].events);
    }
    expire();
    // A retired bundle goes once no response is left half-sent (those wait in writing_).
    if (!retired_.empty() && writing_.empty()) retired_.clear();
    if (accept_paused_ && !draining_ && now_ms_ >= accept_retry_ms_ && !free_.empty())
      resume_accept();
    if (now_ms_ - last_flush >= 1000) {
      log_.flush();
      last_flush = now_ms_;
    }
  }
  log_.flush();
}

}  // namespace mayfly::hosted
