// The library's one exported symbol, packetdrill_interface_init, and the C functions it
// puts in packetdrill's table: each unwraps `userdata` into the ScriptStack and forwards.
// Calls this stack has no counterpart for (ioctl, epoll, pipe, splice) fail with errno
// set, as a kernel without the feature would answer.
#include <fcntl.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <new>

#include "net/packetdrill/abi.h"
#include "net/packetdrill/script_stack.h"

namespace mayfly::net::packetdrill {
namespace {

ScriptStack& stack(void* userdata) {
  return *static_cast<ScriptStack*>(userdata);
}

template <typename T>
T unsupported(int error) {
  errno = error;
  return T(-1);
}

void do_free(void* u) {
  delete static_cast<ScriptStack*>(u);
}
int do_socket(void* u, int domain, int type, int protocol) {
  return stack(u).socket(domain, type, protocol);
}
int do_bind(void* u, int fd, const sockaddr* a, socklen_t n) {
  return stack(u).bind(fd, a, n);
}
int do_listen(void* u, int fd, int backlog) {
  return stack(u).listen(fd, backlog);
}
int do_accept(void* u, int fd, sockaddr* a, socklen_t* n) {
  return stack(u).accept(fd, a, n);
}
int do_connect(void* u, int fd, const sockaddr* a, socklen_t n) {
  return stack(u).connect(fd, a, n);
}

ssize_t do_read(void* u, int fd, void* b, size_t n) {
  iovec v{b, n};
  return stack(u).receive(fd, std::span(&v, 1), 0, nullptr, nullptr);
}
ssize_t do_readv(void* u, int fd, const iovec* v, int n) {
  if (n < 0) return unsupported<ssize_t>(EINVAL);
  return stack(u).receive(fd, std::span(v, size_t(n)), 0, nullptr, nullptr);
}
ssize_t do_recv(void* u, int fd, void* b, size_t n, int flags) {
  iovec v{b, n};
  return stack(u).receive(fd, std::span(&v, 1), flags, nullptr, nullptr);
}
ssize_t do_recvfrom(void* u, int fd, void* b, size_t n, int flags, sockaddr* a, socklen_t* an) {
  iovec v{b, n};
  return stack(u).receive(fd, std::span(&v, 1), flags, a, an);
}
ssize_t do_recvmsg(void* u, int fd, msghdr* m, int flags) {
  if (!m) return unsupported<ssize_t>(EFAULT);
  socklen_t name_length = m->msg_namelen;
  ssize_t r =
      stack(u).receive(fd, std::span(m->msg_iov, m->msg_iovlen), flags,
                       static_cast<sockaddr*>(m->msg_name), m->msg_name ? &name_length : nullptr);
  if (r >= 0) {
    if (m->msg_name) m->msg_namelen = name_length;
    m->msg_controllen = 0;  // no ancillary data
    m->msg_flags = 0;
  }
  return r;
}

ssize_t do_write(void* u, int fd, const void* b, size_t n) {
  iovec v{const_cast<void*>(b), n};
  return stack(u).send(fd, std::span(&v, 1), 0);
}
ssize_t do_writev(void* u, int fd, const iovec* v, int n) {
  if (n < 0) return unsupported<ssize_t>(EINVAL);
  return stack(u).send(fd, std::span(v, size_t(n)), 0);
}
ssize_t do_send(void* u, int fd, const void* b, size_t n, int flags) {
  iovec v{const_cast<void*>(b), n};
  return stack(u).send(fd, std::span(&v, 1), flags);
}
// A connected stream socket ignores the destination of sendto()/sendmsg() (POSIX).
ssize_t do_sendto(void* u, int fd, const void* b, size_t n, int flags, const sockaddr*, socklen_t) {
  iovec v{const_cast<void*>(b), n};
  return stack(u).send(fd, std::span(&v, 1), flags);
}
ssize_t do_sendmsg(void* u, int fd, const msghdr* m, int flags) {
  if (!m) return unsupported<ssize_t>(EFAULT);
  return stack(u).send(fd, std::span(m->msg_iov, m->msg_iovlen), flags);
}

int do_fcntl(void* u, int fd, int command, ...) {
  long argument = 0;
  if (command == F_SETFL || command == F_SETFD) {
    va_list args;
    va_start(args, command);
    argument = va_arg(args, int);
    va_end(args);
  }
  return stack(u).fcntl(fd, command, argument);
}
int do_ioctl(void*, int, unsigned long, ...) {
  return unsupported<int>(ENOTTY);
}
int do_close(void* u, int fd) {
  return stack(u).close(fd);
}
int do_shutdown(void* u, int fd, int how) {
  return stack(u).shutdown(fd, how);
}
int do_getsockopt(void* u, int fd, int level, int name, void* v, socklen_t* n) {
  return stack(u).getsockopt(fd, level, name, v, n);
}
int do_setsockopt(void* u, int fd, int level, int name, const void* v, socklen_t n) {
  return stack(u).setsockopt(fd, level, name, v, n);
}
int do_poll(void* u, pollfd* fds, nfds_t n, int timeout_ms) {
  return stack(u).poll(fds, size_t(n), timeout_ms);
}

int do_netdev_send(void* u, const void* b, size_t n) {
  return stack(u).netdev_send(std::span(static_cast<const uint8_t*>(b), n));
}
int do_netdev_receive(void* u, void* b, size_t* n, long long* usecs) {
  long long ignored = 0;
  if (!n) return unsupported<int>(EFAULT);
  return stack(u).netdev_receive(std::span(static_cast<uint8_t*>(b), *n), *n,
                                 usecs ? *usecs : ignored);
}
int do_usleep(void* u, useconds_t usecs) {
  stack(u).sleep(int64_t(usecs));
  return 0;
}
int do_gettimeofday(void* u, timeval* tv, struct timezone* tz) {
  int64_t now = stack(u).now_usecs();
  if (tv) {
    tv->tv_sec = time_t(now / 1'000'000);
    tv->tv_usec = suseconds_t(now % 1'000'000);
  }
  if (tz) *tz = {};
  return 0;
}

int do_epoll_create(void*, int) {
  return unsupported<int>(ENOSYS);
}
int do_epoll_ctl(void*, int, int, int, epoll_event*) {
  return unsupported<int>(ENOSYS);
}
int do_epoll_wait(void*, int, epoll_event*, int, int) {
  return unsupported<int>(ENOSYS);
}
int do_pipe(void*, int*) {
  return unsupported<int>(ENOSYS);
}
int do_splice(void*, int, loff_t*, int, loff_t*, size_t, unsigned int) {
  return unsupported<int>(ENOSYS);
}

}  // namespace
}  // namespace mayfly::net::packetdrill

using namespace mayfly::net::packetdrill;

extern "C" __attribute__((visibility("default"))) void packetdrill_interface_init(
    const char* flags, PacketdrillInterface* table) {
  StackOptions options;
  std::string_view bad;
  if (!parse_stack_options(flags ? flags : "", options, bad)) {
    // The entry point returns nothing: report, and run with the defaults.
    std::fprintf(stderr, "mayfly packetdrill: ignoring --so_flags: bad item '%.*s'\n",
                 int(bad.size()), bad.data());
    options = StackOptions{};
  }
  *table = PacketdrillInterface{};
  table->userdata = new (std::nothrow) ScriptStack(options);
  table->free = do_free;
  table->socket = do_socket;
  table->bind = do_bind;
  table->listen = do_listen;
  table->accept = do_accept;
  table->connect = do_connect;
  table->read = do_read;
  table->readv = do_readv;
  table->recv = do_recv;
  table->recvfrom = do_recvfrom;
  table->recvmsg = do_recvmsg;
  table->write = do_write;
  table->writev = do_writev;
  table->send = do_send;
  table->sendto = do_sendto;
  table->sendmsg = do_sendmsg;
  table->fcntl = do_fcntl;
  table->ioctl = do_ioctl;
  table->close = do_close;
  table->shutdown = do_shutdown;
  table->getsockopt = do_getsockopt;
  table->setsockopt = do_setsockopt;
  table->poll = do_poll;
  table->netdev_send = do_netdev_send;
  table->netdev_receive = do_netdev_receive;
  table->usleep = do_usleep;
  table->gettimeofday = do_gettimeofday;
  table->epoll_create = do_epoll_create;
  table->epoll_ctl = do_epoll_ctl;
  table->epoll_wait = do_epoll_wait;
  table->pipe = do_pipe;
  table->splice = do_splice;
}
