#include "net/packetdrill/socket_table.h"

#include <fcntl.h>
#include <netinet/tcp.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace mayfly::net::packetdrill {

namespace {

bool read_int(const void* value, socklen_t length, int& out) {
  if (!value || length < socklen_t(sizeof(int))) return false;
  std::memcpy(&out, value, sizeof(int));
  return true;
}

long write_int(void* value, socklen_t* length, int v) {
  if (!value || !length || *length < socklen_t(sizeof(int))) return -EINVAL;
  std::memcpy(value, &v, sizeof(int));
  *length = sizeof(int);
  return 0;
}

// Copies an endpoint out as sockaddr_in, truncated to the caller's length as POSIX
// accept() and recvfrom() do; *length becomes the full size.
void write_endpoint(Ipv4Endpoint e, sockaddr* address, socklen_t* length) {
  if (!address || !length) return;
  sockaddr_in in{};
  in.sin_family = AF_INET;
  in.sin_port = htons(e.port.value());
  in.sin_addr.s_addr = htonl(e.address.value());
  size_t n = *length < socklen_t(sizeof in) ? size_t(*length) : sizeof in;
  std::memcpy(address, &in, n);
  *length = sizeof in;
}

bool read_endpoint(const sockaddr* address, socklen_t length, Ipv4Endpoint& out) {
  if (!address || length < socklen_t(sizeof(sockaddr_in))) return false;
  sockaddr_in in;
  std::memcpy(&in, address, sizeof in);
  if (in.sin_family != AF_INET) return false;
  out = Ipv4Endpoint{Ipv4Address(ntohl(in.sin_addr.s_addr)), Port(ntohs(in.sin_port))};
  return true;
}

}  // namespace

SocketTable::SocketTable(Interface& iface, Tcp& tcp, size_t receive_ring)
    : iface_(iface),
      tcp_(tcp),
      sockets_(kMaxSockets),
      rings_(tcp.capacity()),
      receive_ring_(int(receive_ring)) {
  for (SendRing& r : rings_) r.bytes.resize(kSendRing);
}

SocketTable::Socket* SocketTable::find(int fd) {
  if (fd < kFirstFd || size_t(fd - kFirstFd) >= sockets_.size()) return nullptr;
  Socket& s = sockets_[size_t(fd - kFirstFd)];
  return s.kind == Kind::kFree ? nullptr : &s;
}

const SocketTable::Socket* SocketTable::find(int fd) const {
  return const_cast<SocketTable*>(this)->find(fd);
}

long SocketTable::new_fd() {
  for (size_t i = 0; i < sockets_.size(); ++i) {
    if (sockets_[i].kind == Kind::kFree) {
      sockets_[i] = Socket();
      sockets_[i].kind = Kind::kFresh;
      return long(i) + kFirstFd;
    }
  }
  return -EMFILE;
}

long SocketTable::socket(int domain, int type, int protocol) {
  if (domain != AF_INET) return -EAFNOSUPPORT;  // the stack is IPv4 only
  if ((type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) != SOCK_STREAM) return -EPROTONOSUPPORT;
  if (protocol != 0 && protocol != IPPROTO_TCP) return -EPROTONOSUPPORT;
  long fd = new_fd();
  if (fd >= 0) find(int(fd))->nonblocking = (type & SOCK_NONBLOCK) != 0;
  return fd;
}

bool SocketTable::adopt_address(Ipv4Address address) {
  const auto& config = iface_.ipv4();
  if (config && config->cidr.address == address) return true;
  if (tcp_.connections_in_use() != 0) return false;
  Ipv4Config next = config.value_or(Ipv4Config{});
  next.cidr.address = address;
  iface_.set_ipv4(next);
  return true;
}

long SocketTable::bind(int fd, const sockaddr* address, socklen_t length) {
  Socket* s = find(fd);
  if (!s) return -EBADF;
  Ipv4Endpoint local;
  if (!read_endpoint(address, length, local)) return -EINVAL;
  if (s->kind != Kind::kFresh || s->bound_port.value() != 0) return -EINVAL;
  if (!local.address.is_unspecified() && !adopt_address(local.address)) return -EADDRNOTAVAIL;
  if (local.port.value() == 0) {
    do {
      local.port = Port(next_ephemeral_);
      next_ephemeral_ = next_ephemeral_ == 60999 ? 32768 : uint16_t(next_ephemeral_ + 1);
    } while ([&] {
      for (const Socket& o : sockets_)
        if (o.kind != Kind::kFree && o.bound_port == local.port) return true;
      return false;
    }());
  }
  for (const Socket& o : sockets_) {
    if (&o != s && o.kind == Kind::kListening && o.bound_port == local.port) return -EADDRINUSE;
  }
  s->bound_port = local.port;
  s->bound_address = local.address;
  return 0;
}

long SocketTable::listen(int fd, int backlog) {
  Socket* s = find(fd);
  if (!s) return -EBADF;
  if (s->kind == Kind::kListening) return 0;
  if (s->kind != Kind::kFresh) return -EINVAL;
  if (s->bound_port.value() == 0) {
    sockaddr_in any{};
    any.sin_family = AF_INET;
    long r = bind(fd, reinterpret_cast<const sockaddr*>(&any), sizeof any);
    if (r < 0) return r;
  }
  // Linux queues backlog + 1 established connections; Tcp's backlog also counts
  // SYN-RECEIVED ones, which Linux keeps in a separate, larger queue.
  int limit = backlog < 0 ? 0 : backlog;
  if (size_t(limit) + 1 > tcp_.capacity()) limit = int(tcp_.capacity()) - 1;
  s->listener = tcp_.listen(s->bound_port, limit + 1);
  if (s->listener < 0) return -EADDRINUSE;
  s->kind = Kind::kListening;
  s->backlog = limit + 1;
  return 0;
}

void SocketTable::start_connection(Socket& s, TcpId id) {
  s.kind = Kind::kConnection;
  s.id = id;
  // A fresh Tcp slot: whatever the previous connection in it sent is acknowledged or
  // abandoned, so its ring starts over.
  rings_[size_t(id)].written = 0;
}

long SocketTable::accept_from_tcp(Socket& s) {
  if (!s.ready.empty()) return 0;
  TcpId id = tcp_.accept(s.listener);
  if (id < 0) return -EAGAIN;
  s.ready.push_back(id);
  return 0;
}

long SocketTable::accept(int fd, sockaddr* address, socklen_t* length) {
  Socket* s = find(fd);
  if (!s) return -EBADF;
  if (s->kind != Kind::kListening) return -EINVAL;
  if (long r = accept_from_tcp(*s); r < 0) return r;
  long child = new_fd();
  if (child < 0) return child;
  s = find(fd);
  TcpId id = s->ready.front();
  s->ready.pop_front();
  Socket& c = *find(int(child));
  start_connection(c, id);
  c.bound_port = s->bound_port;
  write_endpoint(tcp_.remote(id), address, length);
  return child;
}

long SocketTable::connect(int fd, const sockaddr* address, socklen_t length, Instant now) {
  Socket* s = find(fd);
  if (!s) return -EBADF;
  if (s->kind == Kind::kConnection) return s->connecting ? -EALREADY : -EISCONN;
  if (s->kind != Kind::kFresh) return -EINVAL;
  Ipv4Endpoint remote;
  if (!read_endpoint(address, length, remote)) return -EINVAL;
  if (iface_.source_address().is_unspecified()) return -ENETUNREACH;
  // Tcp picks the local port (RFC 6056); a port bound before connect() is not honoured.
  TcpId id = tcp_.connect(remote, now);
  if (id < 0) return -EAGAIN;  // no free connection slot (Linux says EAGAIN for no ports)
  start_connection(*s, id);
  s->connecting = true;
  return -EINPROGRESS;
}

void SocketTable::refresh(Socket& s) {
  if (s.kind != Kind::kConnection) return;
  uint32_t ev = tcp_.events(s.id);
  if (s.connecting) {
    if (ev & tcp_events::kReset) {
      s.connecting = false;
      s.pending_error = ECONNREFUSED;  // RST in SYN-SENT (RFC 9293 §3.10.7.3)
    } else if (ev & tcp_events::kTimedOut) {
      s.connecting = false;
      s.pending_error = ETIMEDOUT;
    } else if (ev & tcp_events::kConnected) {
      s.connecting = false;
    }
  }
}

long SocketTable::connect_result(int fd) {
  Socket* s = find(fd);
  if (!s) return -EBADF;
  if (s->kind != Kind::kConnection) return -ENOTCONN;
  refresh(*s);
  if (s->connecting) return -EAGAIN;
  if (s->pending_error) {
    int e = s->pending_error;
    s->pending_error = 0;
    s->error_reported = true;
    return -e;
  }
  return 0;
}

uint64_t SocketTable::ring_free(TcpId id) {
  return kSendRing - tcp_.send_pending(id);
}

long SocketTable::receive(int fd, std::span<const iovec> vectors, int flags, sockaddr* peer,
                          socklen_t* peer_length) {
  Socket* s = find(fd);
  if (!s) return -EBADF;
  if (s->kind != Kind::kConnection) return -ENOTCONN;
  if (flags & MSG_PEEK) return -EOPNOTSUPP;  // Tcp::recv consumes what it copies
  refresh(*s);
  if (s->connecting) return -EAGAIN;
  size_t total = 0, wanted = 0;
  for (const iovec& v : vectors) wanted += v.iov_len;
  if (!s->read_shut) {
    for (const iovec& v : vectors) {
      size_t n = tcp_.recv(s->id, std::span(static_cast<uint8_t*>(v.iov_base), v.iov_len));
      total += n;
      if (n < v.iov_len) break;
    }
  }
  if (total > 0 || wanted == 0) {
    write_endpoint(tcp_.remote(s->id), peer, peer_length);
    return long(total);
  }
  uint32_t ev = tcp_.events(s->id);
  // A reset or a timeout is reported once, as Linux does; later reads see EOF.
  if ((ev & (tcp_events::kReset | tcp_events::kTimedOut)) && !s->error_reported) {
    s->error_reported = true;
    s->pending_error = 0;
    return ev & tcp_events::kReset ? -ECONNRESET : -ETIMEDOUT;
  }
  if (s->read_shut || (ev & (tcp_events::kPeerClosed | tcp_events::kClosed))) return 0;
  return -EAGAIN;
}

long SocketTable::send(int fd, std::span<const iovec> vectors, int flags) {
  (void)flags;  // MSG_DONTWAIT is the caller's; MSG_NOSIGNAL changes nothing here
  Socket* s = find(fd);
  if (!s) return -EBADF;
  if (s->kind != Kind::kConnection) return -ENOTCONN;
  refresh(*s);
  if (s->connecting) return -EAGAIN;
  if (s->pending_error) return -std::exchange(s->pending_error, 0);
  uint32_t ev = tcp_.events(s->id);
  TcpState st = tcp_.state(s->id);
  if ((ev & (tcp_events::kReset | tcp_events::kTimedOut | tcp_events::kClosed)) ||
      (st != TcpState::kEstablished && st != TcpState::kCloseWait))
    return -EPIPE;
  SendRing& ring = rings_[size_t(s->id)];
  size_t total = 0, wanted = 0;
  for (const iovec& v : vectors) wanted += v.iov_len;
  for (const iovec& v : vectors) {
    const uint8_t* from = static_cast<const uint8_t*>(v.iov_base);
    size_t left = v.iov_len;
    while (left > 0) {
      uint64_t space = ring_free(s->id);
      if (space == 0 || tcp_.send_slots_free(s->id) == 0) break;
      size_t at = size_t(ring.written % kSendRing);
      size_t n = left;
      if (n > space) n = size_t(space);
      if (n > kSendRing - at) n = kSendRing - at;
      std::memcpy(ring.bytes.data() + at, from, n);
      if (!tcp_.send(s->id, std::span<const uint8_t>(ring.bytes.data() + at, n))) break;
      ring.written += n;
      from += n;
      left -= n;
      total += n;
    }
    if (left > 0) break;
  }
  if (total == 0 && wanted > 0) return -EAGAIN;
  return long(total);
}

long SocketTable::close(int fd) {
  Socket* s = find(fd);
  if (!s) return -EBADF;
  if (s->kind == Kind::kListening) {
    // Connections nobody accepted are reset, as Linux does when a listener closes.
    for (TcpId id : s->ready) tcp_.abort(id);
    tcp_.unlisten(s->listener);
  } else if (s->kind == Kind::kConnection) {
    bool unread = (tcp_.events(s->id) & tcp_events::kReadable) != 0;
    bool hard = s->linger_option.l_onoff && s->linger_option.l_linger == 0;
    // RFC 2525 §2.17: closing with received data unread resets the connection rather
    // than sending FIN; so does SO_LINGER with a zero timeout.
    if (unread || hard)
      tcp_.abort(s->id);
    else
      tcp_.close(s->id);
  }
  *s = Socket();
  return 0;
}

long SocketTable::shutdown(int fd, int how) {
  Socket* s = find(fd);
  if (!s) return -EBADF;
  if (s->kind != Kind::kConnection) return -ENOTCONN;
  if (how == SHUT_RD) {
    s->read_shut = true;
    return 0;
  }
  // Tcp has no half-close that keeps the id: FIN comes with close() only.
  return how == SHUT_WR || how == SHUT_RDWR ? -EOPNOTSUPP : -EINVAL;
}

long SocketTable::getsockopt(int fd, int level, int name, void* value, socklen_t* length) {
  Socket* s = find(fd);
  if (!s) return -EBADF;
  refresh(*s);
  if (level == SOL_SOCKET) {
    switch (name) {
      case SO_TYPE:
        return write_int(value, length, SOCK_STREAM);
      case SO_ERROR:
        return write_int(value, length, std::exchange(s->pending_error, 0));
      case SO_REUSEADDR:
        return write_int(value, length, s->reuse_address);
      case SO_KEEPALIVE:
        return write_int(value, length, s->keep_alive);
      case SO_SNDBUF:
        return write_int(value, length, s->send_buffer);
      case SO_RCVBUF:
        return write_int(value, length, s->receive_buffer ? s->receive_buffer : receive_ring_);
      case SO_LINGER:
        if (!value || !length || *length < socklen_t(sizeof(linger))) return -EINVAL;
        std::memcpy(value, &s->linger_option, sizeof(linger));
        *length = sizeof(linger);
        return 0;
      default:
        return -ENOPROTOOPT;
    }
  }
  if (level == IPPROTO_TCP && name == TCP_NODELAY) return write_int(value, length, s->no_delay);
  return -ENOPROTOOPT;
}

long SocketTable::setsockopt(int fd, int level, int name, const void* value, socklen_t length) {
  Socket* s = find(fd);
  if (!s) return -EBADF;
  int v = 0;
  if (level == SOL_SOCKET && name == SO_LINGER) {
    if (!value || length < socklen_t(sizeof(linger))) return -EINVAL;
    std::memcpy(&s->linger_option, value, sizeof(linger));
    return 0;
  }
  if (!read_int(value, length, v)) return -EINVAL;
  if (level == SOL_SOCKET) {
    switch (name) {
      case SO_REUSEADDR:
        s->reuse_address = v != 0;
        return 0;
      case SO_KEEPALIVE:  // kept for getsockopt; the stack sends no keep-alives
        s->keep_alive = v != 0;
        return 0;
      case SO_SNDBUF:  // read back as set; the ring stays kSendRing
        s->send_buffer = v;
        return 0;
      case SO_RCVBUF:  // read back as set; the receive ring is fixed at start
        s->receive_buffer = v;
        return 0;
      default:
        return -ENOPROTOOPT;
    }
  }
  // Nagle is off in this stack's configuration (RFC 9293 §3.7.4 MAY), so TCP_NODELAY
  // only records the request.
  if (level == IPPROTO_TCP && name == TCP_NODELAY) {
    s->no_delay = v != 0;
    return 0;
  }
  return -ENOPROTOOPT;
}

long SocketTable::get_flags(int fd) const {
  const Socket* s = find(fd);
  if (!s) return -EBADF;
  return O_RDWR | (s->nonblocking ? O_NONBLOCK : 0);
}

long SocketTable::set_flags(int fd, long flags) {
  Socket* s = find(fd);
  if (!s) return -EBADF;
  s->nonblocking = (flags & O_NONBLOCK) != 0;
  return 0;
}

bool SocketTable::may_block(int fd, int flags) const {
  const Socket* s = find(fd);
  return s && !s->nonblocking && !(flags & MSG_DONTWAIT);
}

long SocketTable::readiness(int fd, Readiness& out) {
  out = Readiness{};
  Socket* s = find(fd);
  if (!s) return -EBADF;
  switch (s->kind) {
    case Kind::kFree:
      return -EBADF;
    case Kind::kFresh:
      out.writable = true;  // Linux: an unconnected stream socket polls POLLOUT | POLLHUP
      out.hangup = true;
      return 0;
    case Kind::kListening:
      out.readable = accept_from_tcp(*s) == 0;
      return 0;
    case Kind::kConnection:
      break;
  }
  refresh(*s);
  uint32_t ev = tcp_.events(s->id);
  bool failed = (ev & (tcp_events::kReset | tcp_events::kTimedOut)) != 0 || s->pending_error;
  out.error = failed;
  out.hangup = failed || tcp_.state(s->id) == TcpState::kClosed;
  out.readable =
      s->read_shut || failed || (ev & (tcp_events::kReadable | tcp_events::kPeerClosed)) != 0;
  out.writable = failed || (!s->connecting && (ev & tcp_events::kWritable) &&
                            ring_free(s->id) > 0 && tcp_.state(s->id) != TcpState::kClosed);
  return 0;
}

}  // namespace mayfly::net::packetdrill
