#pragma once
// One instance of the stack under packetdrill: an Interface on a ScriptLink, a Tcp, the
// socket table, and the virtual clock, behind one mutex. packetdrill calls in from two
// threads (its main thread injects packets and moves the clock; a second thread runs the
// script's blocking system calls), so every entry locks, and a blocking call waits on a
// condition variable that every packet, clock step and socket call signals.
//
// Virtual time: the clock starts at kEpochUsecs and moves only when packetdrill sleeps
// (usleep), when it waits for an outbound packet that only a timer can produce
// (netdev_receive runs the stack to its next deadline), or by 1 µs per gettimeofday()
// call (packetdrill spins on the clock for the last few microseconds before each event;
// a clock that never moved there would spin forever). Timers fire at their deadlines
// inside a step, so a retransmission leaves at exactly its RTO. Hosted.
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string_view>

#include "net/iface/interface.h"
#include "net/packetdrill/script_link.h"
#include "net/packetdrill/socket_table.h"
#include "net/tcp/tcp.h"

namespace mayfly::net::packetdrill {

struct StackOptions {
  // packetdrill's defaults: local addresses in 192.168.0.0/16 with gateway 192.168.0.1,
  // the remote peer in 192.0.2.0/24 (RFC 5737). packetdrill picks a random local address
  // per run; bind() adopts it, and `local_ip=` (or packetdrill's --local_ip) fixes it.
  Ipv4Address local{192, 168, 0, 2};
  uint8_t prefix = 16;
  Ipv4Address gateway{192, 168, 0, 1};
  size_t mtu = 1500;
  uint32_t seed = 1;  // the stack's randomness (ISNs, ports): repeatable runs
};

// Parses packetdrill's --so_flags string: space- or comma-separated `key=value` items
// (local_ip, gateway_ip, prefix, mtu, seed). False, with `error` set, on a bad item.
bool parse_stack_options(std::string_view flags, StackOptions& out, std::string_view& error);

class ScriptStack {
 public:
  // gettimeofday() starts here (2023-11-14T22:13:20Z); the stack's Instant starts at
  // kStackStart, clear of zero.
  static constexpr int64_t kEpochUsecs = 1'700'000'000'000'000;
  static constexpr Instant kStackStart = Instant::from_secs(1000);
  static constexpr size_t kConnections = 64;
  static constexpr size_t kReceiveRing = 64 * 1024;

  explicit ScriptStack(const StackOptions& options);
  ~ScriptStack();

  // Socket calls: the result, or -1 with errno set.
  int socket(int domain, int type, int protocol);
  int bind(int fd, const sockaddr* address, socklen_t length);
  int listen(int fd, int backlog);
  int accept(int fd, sockaddr* address, socklen_t* length);
  int connect(int fd, const sockaddr* address, socklen_t length);
  ssize_t receive(int fd, std::span<const iovec> vectors, int flags, sockaddr* from,
                  socklen_t* from_length);
  ssize_t send(int fd, std::span<const iovec> vectors, int flags);
  int close(int fd);
  int shutdown(int fd, int how);
  int getsockopt(int fd, int level, int name, void* value, socklen_t* length);
  int setsockopt(int fd, int level, int name, const void* value, socklen_t length);
  int fcntl(int fd, int command, long argument);
  int poll(pollfd* fds, size_t count, int timeout_ms);

  // The link and the clock.
  int netdev_send(std::span<const uint8_t> datagram);
  int netdev_receive(std::span<uint8_t> buffer, size_t& length, long long& sent_usecs);
  void sleep(int64_t usecs);
  int64_t now_usecs();

 private:
  class SeededRandom : public Random {
   public:
    explicit SeededRandom(uint32_t seed) : state_(seed ? seed : 1) {}
    uint32_t next_u32() override;

   private:
    uint64_t state_;
  };

  Instant stack_now() const {
    return kStackStart + Duration::from_millis((clock_ - kEpochUsecs) / 1000);
  }
  static int64_t usecs_of(Instant t) { return kEpochUsecs + (t - kStackStart).millis * 1000; }
  // Runs the stack at the current time until it has nothing left to do, then wakes
  // waiters. Call with the lock held.
  void pump();
  // Moves the clock to `target`, firing every deadline on the way at its own time.
  void advance_to(int64_t target);
  // Wakes every waiter: something changed. Call with the lock held.
  void notify();
  // Waits for any change (packet, clock step, another call). Call with the lock held.
  void wait(std::unique_lock<std::mutex>& lock);
  template <typename Op>
  long blocking(std::unique_lock<std::mutex>& lock, int fd, int flags, Op op);

  std::mutex mutex_;
  std::condition_variable changed_;
  uint64_t generation_ = 0;  // bumped on every change, so waiters see progress
  int64_t clock_ = kEpochUsecs;
  SeededRandom random_;
  ScriptLink link_;
  Interface iface_;
  std::unique_ptr<StaticTcp<kConnections, kReceiveRing>> tcp_;
  SocketTable sockets_;
};

}  // namespace mayfly::net::packetdrill
