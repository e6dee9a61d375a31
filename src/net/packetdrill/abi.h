#pragma once
// The table a stack under test fills in for packetdrill's `--so_filename` mode, declared
// here from packetdrill's documented ABI (packetdrill.h, "struct packetdrill_interface").
// packetdrill dlopen()s the library, looks up the C symbol `packetdrill_interface_init`
// and calls it once with the `--so_flags` string and a zeroed table; every later call
// goes through the table's function pointers with `userdata` as the first argument.
//
// The layout is the contract: the members below are in packetdrill's order and of its
// types, so do not reorder, add or remove any. Conventions packetdrill relies on:
//  - socket calls behave like their POSIX namesakes: -1 and errno on failure;
//  - netdev_send() hands the stack one IP datagram (no link header) as the remote peer
//    sent it; 0 on success, -1 on error;
//  - netdev_receive() returns the next datagram the stack sent, IP header first, in
//    `buffer` (capacity in *length, actual length back in *length, 0 if none) and the
//    time it left in *sent_usecs, on the clock gettimeofday() reads; 0 or -1. packetdrill
//    calls it again on -1, so it stands for "block until the stack sends something";
//  - gettimeofday() and usleep() are the clock packetdrill schedules the script on, so a
//    stack with a virtual clock makes the whole run virtual-time.
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

struct epoll_event;

extern "C" {

struct PacketdrillInterface {
  void* userdata;
  void (*free)(void* userdata);

  int (*socket)(void* userdata, int domain, int type, int protocol);
  int (*bind)(void* userdata, int fd, const sockaddr* address, socklen_t length);
  int (*listen)(void* userdata, int fd, int backlog);
  int (*accept)(void* userdata, int fd, sockaddr* address, socklen_t* length);
  int (*connect)(void* userdata, int fd, const sockaddr* address, socklen_t length);

  ssize_t (*read)(void* userdata, int fd, void* buffer, size_t count);
  ssize_t (*readv)(void* userdata, int fd, const iovec* vectors, int count);
  ssize_t (*recv)(void* userdata, int fd, void* buffer, size_t length, int flags);
  ssize_t (*recvfrom)(void* userdata, int fd, void* buffer, size_t length, int flags,
                      sockaddr* from, socklen_t* from_length);
  ssize_t (*recvmsg)(void* userdata, int fd, msghdr* message, int flags);

  ssize_t (*write)(void* userdata, int fd, const void* buffer, size_t count);
  ssize_t (*writev)(void* userdata, int fd, const iovec* vectors, int count);
  ssize_t (*send)(void* userdata, int fd, const void* buffer, size_t length, int flags);
  ssize_t (*sendto)(void* userdata, int fd, const void* buffer, size_t length, int flags,
                    const sockaddr* to, socklen_t to_length);
  ssize_t (*sendmsg)(void* userdata, int fd, const msghdr* message, int flags);

  int (*fcntl)(void* userdata, int fd, int command, ...);
  int (*ioctl)(void* userdata, int fd, unsigned long request, ...);
  int (*close)(void* userdata, int fd);
  int (*shutdown)(void* userdata, int fd, int how);
  int (*getsockopt)(void* userdata, int fd, int level, int name, void* value, socklen_t* length);
  int (*setsockopt)(void* userdata, int fd, int level, int name, const void* value,
                    socklen_t length);
  int (*poll)(void* userdata, pollfd* fds, nfds_t count, int timeout_ms);

  int (*netdev_send)(void* userdata, const void* datagram, size_t length);
  int (*netdev_receive)(void* userdata, void* buffer, size_t* length, long long* sent_usecs);

  int (*usleep)(void* userdata, useconds_t usecs);
  int (*gettimeofday)(void* userdata, timeval* now, struct timezone* zone);

  int (*epoll_create)(void* userdata, int size);
  int (*epoll_ctl)(void* userdata, int epfd, int op, int fd, epoll_event* event);
  int (*epoll_wait)(void* userdata, int epfd, epoll_event* events, int max_events, int timeout_ms);
  int (*pipe)(void* userdata, int fds[2]);
  int (*splice)(void* userdata, int fd_in, loff_t* offset_in, int fd_out, loff_t* offset_out,
                size_t length, unsigned int flags);
};

// userdata and 32 function pointers: a table of another size is another ABI.
static_assert(sizeof(PacketdrillInterface) == 33 * sizeof(void*));

// The entry point's type; the library exports it as `packetdrill_interface_init`.
using PacketdrillInitFn = void (*)(const char* flags, PacketdrillInterface* table);

}  // extern "C"
