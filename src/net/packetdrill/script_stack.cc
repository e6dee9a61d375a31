#include "net/packetdrill/script_stack.h"

#include <fcntl.h>
#include <poll.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <limits>
#include <vector>

#include "net/wire/address_text.h"

namespace mayfly::net::packetdrill {

namespace {

long fail(long r) {
  if (r >= 0) return r;
  errno = int(-r);
  return -1;
}

bool parse_number(std::string_view s, uint64_t max, uint64_t& out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size() && out <= max;
}

}  // namespace

bool parse_stack_options(std::string_view flags, StackOptions& out, std::string_view& error) {
  while (!flags.empty()) {
    size_t cut = flags.find_first_of(" ,");
    std::string_view item = flags.substr(0, cut);
    flags = cut == std::string_view::npos ? std::string_view() : flags.substr(cut + 1);
    if (item.empty()) continue;
    size_t eq = item.find('=');
    std::string_view key = item.substr(0, eq);
    std::string_view value =
        eq == std::string_view::npos ? std::string_view() : item.substr(eq + 1);
    uint64_t n = 0;
    bool ok = false;
    if (key == "local_ip" || key == "gateway_ip") {
      auto ip = parse_ipv4(value);
      if (ip) (key == "local_ip" ? out.local : out.gateway) = *ip;
      ok = ip.has_value();
    } else if (key == "prefix") {
      ok = parse_number(value, 32, n);
      out.prefix = uint8_t(n);
    } else if (key == "mtu") {
      ok = parse_number(value, Interface::kMaxMtu, n) && n >= 576;  // RFC 791 minimum
      out.mtu = size_t(n);
    } else if (key == "seed") {
      ok = parse_number(value, 0xffffffffu, n);
      out.seed = uint32_t(n);
    }
    if (!ok) {
      error = item;
      return false;
    }
  }
  return true;
}

// xorshift64* (Vigna): enough for ISNs and ports in a test harness, and repeatable.
uint32_t ScriptStack::SeededRandom::next_u32() {
  state_ ^= state_ >> 12;
  state_ ^= state_ << 25;
  state_ ^= state_ >> 27;
  return uint32_t((state_ * 0x2545f4914f6cdd1dull) >> 32);
}

ScriptStack::ScriptStack(const StackOptions& options)
    : random_(options.seed),
      link_(options.mtu),
      iface_(link_, random_),
      tcp_(std::make_unique<StaticTcp<kConnections, kReceiveRing>>(iface_)),
      sockets_(iface_, *tcp_, kReceiveRing) {
  iface_.set_tcp_handler(tcp_.get());
  iface_.set_ipv4(Ipv4Config{Ipv4Cidr{options.local, options.prefix}, options.gateway});
  pump();
}

ScriptStack::~ScriptStack() {
  iface_.set_tcp_handler(nullptr);
}

void ScriptStack::pump() {
  link_.set_time(clock_);
  const Instant now = stack_now();
  for (size_t round = 0; round < 64; ++round) {
    bool busy = iface_.poll(now);
    if (!busy && !link_.has_pending_input()) break;
  }
}

void ScriptStack::notify() {
  ++generation_;
  changed_.notify_all();
}

void ScriptStack::advance_to(int64_t target) {
  const Instant before = stack_now();
  int stuck = 0;
  for (;;) {
    auto deadline = iface_.next_deadline();
    if (!deadline) break;
    int64_t due = usecs_of(*deadline);
    if (due > target) break;
    if (due > clock_) clock_ = due;
    pump();
    // A deadline the poll did not move (already due, nothing to do at this millisecond)
    // must not hold the clock: step to the next millisecond.
    auto after = iface_.next_deadline();
    if (after && *after <= *deadline && ++stuck > 4) {
      int64_t next_ms = (clock_ / 1000 + 1) * 1000;
      if (next_ms > target) break;
      clock_ = next_ms;
      stuck = 0;
    }
  }
  if (target > clock_) clock_ = target;
  pump();
  // Waiters care about milliseconds (the stack's and poll()'s resolution).
  if (stack_now() != before) notify();
}

void ScriptStack::wait(std::unique_lock<std::mutex>& lock) {
  const uint64_t seen = generation_;
  changed_.wait(lock, [&] { return generation_ != seen; });
}

template <typename Op>
long ScriptStack::blocking(std::unique_lock<std::mutex>& lock, int fd, int flags, Op op) {
  for (;;) {
    long r = op();
    pump();
    if (r != -EAGAIN) {
      notify();
      return r;
    }
    if (!sockets_.may_block(fd, flags)) return r;
    wait(lock);
  }
}

int ScriptStack::socket(int domain, int type, int protocol) {
  std::lock_guard lock(mutex_);
  return int(fail(sockets_.socket(domain, type, protocol)));
}

int ScriptStack::bind(int fd, const sockaddr* address, socklen_t length) {
  std::lock_guard lock(mutex_);
  long r = sockets_.bind(fd, address, length);
  pump();
  return int(fail(r));
}

int ScriptStack::listen(int fd, int backlog) {
  std::lock_guard lock(mutex_);
  return int(fail(sockets_.listen(fd, backlog)));
}

int ScriptStack::accept(int fd, sockaddr* address, socklen_t* length) {
  std::unique_lock lock(mutex_);
  return int(fail(blocking(lock, fd, 0, [&] { return sockets_.accept(fd, address, length); })));
}

int ScriptStack::connect(int fd, const sockaddr* address, socklen_t length) {
  std::unique_lock lock(mutex_);
  long r = sockets_.connect(fd, address, length, stack_now());
  pump();
  notify();
  if (r != -EINPROGRESS || !sockets_.may_block(fd)) return int(fail(r));
  return int(fail(blocking(lock, fd, 0, [&] { return sockets_.connect_result(fd); })));
}

ssize_t ScriptStack::receive(int fd, std::span<const iovec> vectors, int flags, sockaddr* from,
                             socklen_t* from_length) {
  std::unique_lock lock(mutex_);
  return fail(blocking(lock, fd, flags,
                       [&] { return sockets_.receive(fd, vectors, flags, from, from_length); }));
}

// A blocking send returns once everything is queued (or an error stops it), as POSIX
// write() on a blocking stream socket does; a non-blocking one queues what fits.
ssize_t ScriptStack::send(int fd, std::span<const iovec> vectors, int flags) {
  std::unique_lock lock(mutex_);
  std::vector<iovec> left(vectors.begin(), vectors.end());
  size_t first = 0, done = 0;
  for (;;) {
    while (first < left.size() && left[first].iov_len == 0) ++first;
    long r = first == left.size() ? 0 : sockets_.send(fd, std::span(left).subspan(first), flags);
    pump();
    if (r > 0) {
      notify();
      done += size_t(r);
      for (size_t n = size_t(r); n > 0; ++first) {
        size_t take = n < left[first].iov_len ? n : left[first].iov_len;
        left[first].iov_base = static_cast<uint8_t*>(left[first].iov_base) + take;
        left[first].iov_len -= take;
        n -= take;
        if (left[first].iov_len > 0) break;
      }
      if (!sockets_.may_block(fd, flags)) return ssize_t(done);
      continue;
    }
    if (r == 0) return ssize_t(done);
    if (r == -EAGAIN && sockets_.may_block(fd, flags)) {
      wait(lock);
      continue;
    }
    return done > 0 ? ssize_t(done) : fail(r);
  }
}

int ScriptStack::close(int fd) {
  std::lock_guard lock(mutex_);
  long r = sockets_.close(fd);
  pump();
  notify();
  return int(fail(r));
}

int ScriptStack::shutdown(int fd, int how) {
  std::lock_guard lock(mutex_);
  long r = sockets_.shutdown(fd, how);
  notify();
  return int(fail(r));
}

int ScriptStack::getsockopt(int fd, int level, int name, void* value, socklen_t* length) {
  std::lock_guard lock(mutex_);
  return int(fail(sockets_.getsockopt(fd, level, name, value, length)));
}

int ScriptStack::setsockopt(int fd, int level, int name, const void* value, socklen_t length) {
  std::lock_guard lock(mutex_);
  return int(fail(sockets_.setsockopt(fd, level, name, value, length)));
}

int ScriptStack::fcntl(int fd, int command, long argument) {
  std::lock_guard lock(mutex_);
  long flags = sockets_.get_flags(fd);
  if (flags < 0) return int(fail(flags));
  switch (command) {
    case F_GETFL:
      return int(flags);
    case F_SETFL:
      return int(fail(sockets_.set_flags(fd, argument)));
    case F_GETFD:
    case F_SETFD:
      return 0;  // no exec here: close-on-exec means nothing
    default:
      return int(fail(-EINVAL));
  }
}

int ScriptStack::poll(pollfd* fds, size_t count, int timeout_ms) {
  std::unique_lock lock(mutex_);
  const int64_t until = timeout_ms >= 0 ? clock_ + int64_t(timeout_ms) * 1000 : -1;
  for (;;) {
    int ready = 0;
    for (size_t i = 0; i < count; ++i) {
      pollfd& p = fds[i];
      p.revents = 0;
      if (p.fd < 0) continue;
      Readiness r;
      if (sockets_.readiness(p.fd, r) < 0) {
        p.revents = POLLNVAL;
      } else {
        if (r.readable) p.revents |= short(p.events & (POLLIN | POLLRDNORM));
        if (r.writable) p.revents |= short(p.events & (POLLOUT | POLLWRNORM));
        if (r.error) p.revents |= POLLERR;  // reported whether asked for or not
        if (r.hangup) p.revents |= POLLHUP;
      }
      if (p.revents) ++ready;
    }
    pump();
    if (ready > 0 || timeout_ms == 0 || (until >= 0 && clock_ >= until)) return ready;
    wait(lock);
  }
}

int ScriptStack::netdev_send(std::span<const uint8_t> datagram) {
  std::lock_guard lock(mutex_);
  // packetdrill picks the local address per run: a datagram to another address, while
  // no connection exists, moves the interface there (bind() does the same).
  if (datagram.size() >= 20 && (datagram[0] >> 4) == 4)
    sockets_.adopt_address(Ipv4Address::from_bytes(datagram.data() + 16));
  bool ok = link_.inject(datagram);
  pump();
  notify();
  return ok ? 0 : int(fail(-EINVAL));
}

int ScriptStack::netdev_receive(std::span<uint8_t> buffer, size_t& length, long long& sent_usecs) {
  std::unique_lock lock(mutex_);
  // Nothing leaves without a cause: when the queue is empty the next datagram can only
  // come from a timer (run the clock to it) or from the other thread's call (wait a
  // little real time for it). packetdrill calls again after -1.
  constexpr int64_t kMaxStepUsecs = 600'000'000;  // ten virtual minutes per call
  const int64_t limit = clock_ + kMaxStepUsecs;
  for (;;) {
    pump();
    if (link_.has_sent()) {
      ScriptLink::Sent s = link_.take_sent();
      if (s.datagram.size() > buffer.size()) {
        length = 0;
        return int(fail(-EMSGSIZE));
      }
      std::memcpy(buffer.data(), s.datagram.data(), s.datagram.size());
      length = s.datagram.size();
      sent_usecs = s.usecs;
      return 0;
    }
    auto deadline = iface_.next_deadline();
    if (deadline && clock_ < limit) {
      int64_t due = usecs_of(*deadline);
      advance_to(due > clock_ ? (due < limit ? due : limit) : (clock_ / 1000 + 1) * 1000);
      continue;
    }
    const uint64_t seen = generation_;
    changed_.wait_for(lock, std::chrono::milliseconds(10), [&] { return generation_ != seen; });
    pump();
    if (!link_.has_sent()) {
      length = 0;
      return int(fail(-EAGAIN));
    }
  }
}

void ScriptStack::sleep(int64_t usecs) {
  std::lock_guard lock(mutex_);
  advance_to(clock_ + (usecs > 0 ? usecs : 0));
}

int64_t ScriptStack::now_usecs() {
  std::lock_guard lock(mutex_);
  advance_to(clock_ + 1);
  return clock_;
}

}  // namespace mayfly::net::packetdrill
