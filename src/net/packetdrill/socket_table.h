#pragma once
// POSIX-shaped TCP sockets over the stack's Tcp, for packetdrill's socket calls. Every
// call here is non-blocking and single-threaded: it returns a result >= 0 or a negative
// errno, with -EAGAIN meaning "would block" (the caller, ScriptStack, waits and retries for
// blocking sockets). File descriptors are small integers from 3 up, lowest free first,
// as a process would see them.
//
// Send data is copied (a socket write must not keep pointing into the caller's buffer)
// into a ring per Tcp connection slot and queued to Tcp by reference into that ring; the
// ring space comes back as Tcp reports bytes acknowledged. A slot's ring is only reused
// once Tcp has freed the slot, which it does after the last retransmission could happen.
// Hosted (the packetdrill harness, not the stack).
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <cstdint>
#include <deque>
#include <span>
#include <vector>

#include "net/iface/interface.h"
#include "net/tcp/tcp.h"

namespace mayfly::net::packetdrill {

// Poll bits, the subset of <poll.h> a TCP socket reports.
struct Readiness {
  bool readable = false;  // data, EOF, an error, or a connection to accept
  bool writable = false;  // connected with send space
  bool error = false;
  bool hangup = false;  // both directions are over
};

class SocketTable {
 public:
  static constexpr int kFirstFd = 3;
  static constexpr size_t kMaxSockets = 256;
  static constexpr size_t kSendRing = 64 * 1024;

  // `receive_ring` is the size of each connection's receive ring in `tcp` (SO_RCVBUF).
  SocketTable(Interface& iface, Tcp& tcp, size_t receive_ring);

  long socket(int domain, int type, int protocol);
  long bind(int fd, const sockaddr* address, socklen_t length);
  long listen(int fd, int backlog);
  long accept(int fd, sockaddr* address, socklen_t* length);
  // -EINPROGRESS once the SYN is on its way; connect_result() then says how it went.
  long connect(int fd, const sockaddr* address, socklen_t length, Instant now);
  // 0 once connected, -EAGAIN while the handshake runs, or the error that ended it.
  long connect_result(int fd);
  // recv()/read()/readv(): into the vectors, in order. `peer` as recvfrom() fills it.
  long receive(int fd, std::span<const iovec> vectors, int flags, sockaddr* peer,
               socklen_t* peer_length);
  long send(int fd, std::span<const iovec> vectors, int flags);
  long close(int fd);
  long shutdown(int fd, int how);
  long getsockopt(int fd, int level, int name, void* value, socklen_t* length);
  long setsockopt(int fd, int level, int name, const void* value, socklen_t length);
  long get_flags(int fd) const;
  long set_flags(int fd, long flags);
  // For poll(): -EBADF for an unknown descriptor.
  long readiness(int fd, Readiness& out);
  // Whether a call on `fd` may wait (the socket is blocking) and `flags` does not say
  // MSG_DONTWAIT.
  bool may_block(int fd, int flags = 0) const;
  // For bind(): the interface takes the address if it has no connection yet.
  bool adopt_address(Ipv4Address address);

 private:
  enum class Kind : uint8_t { kFree, kFresh, kListening, kConnection };
  struct Socket {
    Kind kind = Kind::kFree;
    bool nonblocking = false;
    bool connecting = false;      // connect() in progress (SYN-SENT)
    int pending_error = 0;        // SO_ERROR
    bool error_reported = false;  // a reset or timeout was returned once by a read
    bool read_shut = false;
    Port bound_port;
    Ipv4Address bound_address;
    int listener = -1;
    int backlog = 0;
    std::deque<TcpId> ready;  // accepted from Tcp ahead of accept() (by poll)
    TcpId id = -1;
    // Options kept so getsockopt reads back what setsockopt set.
    int reuse_address = 0;
    int keep_alive = 0;
    int no_delay = 0;
    int send_buffer = int(kSendRing);
    int receive_buffer = 0;
    linger linger_option{};
  };
  struct SendRing {
    std::vector<uint8_t> bytes;
    uint64_t written = 0;  // bytes ever queued on this connection
  };

  Socket* find(int fd);
  const Socket* find(int fd) const;
  long new_fd();
  long accept_from_tcp(Socket& s);
  void start_connection(Socket& s, TcpId id);
  uint64_t ring_free(TcpId id);
  // Folds Tcp's events into the socket: handshake done or failed, reset, timeout.
  void refresh(Socket& s);

  Interface& iface_;
  Tcp& tcp_;
  std::vector<Socket> sockets_;
  std::vector<SendRing> rings_;  // one per Tcp slot
  int receive_ring_;
  uint16_t next_ephemeral_ = 32768;
};

}  // namespace mayfly::net::packetdrill
