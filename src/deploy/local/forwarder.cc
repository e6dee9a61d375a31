#include "deploy/local/forwarder.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>

#include "deploy/local/socket_address.h"
#include "deploy/local/text_file.h"

namespace mayfly::deploy::local {
namespace {

constexpr size_t kBufferSize = 64 * 1024;

struct Backend {
  sockaddr_in address{};
  std::string ref;
};

// One direction of a forwarded connection.
struct Pipe {
  char data[kBufferSize];
  size_t begin = 0, end = 0;
  bool source_done = false;  // EOF read from the source
  bool shut = false;         // FIN passed on to the sink
};

struct Link {
  int client = -1, server = -1;
  std::string ref;
  bool connected = false;
  Pipe up, down;  // up: client -> server
};

bool read_backend(const std::string& control_dir, Backend& backend) {
  std::istringstream in(read_text(control_dir + "/backend"));
  std::string address, ref;
  if (!(in >> address >> ref)) return false;
  sockaddr_in parsed{};
  if (!parse_socket_address(address, parsed)) return false;
  backend.address = parsed;
  backend.ref = ref;
  return true;
}

class Forwarder {
 public:
  Forwarder(int listener, int signals, std::string control_dir)
      : listener_(listener), signals_(signals), control_dir_(std::move(control_dir)) {
    epoll_ = epoll_create1(EPOLL_CLOEXEC);
    watch(listener_, EPOLLIN, nullptr);
    watch(signals_, EPOLLIN, nullptr);
  }

  int run() {
    reload();
    epoll_event events[64];
    for (;;) {
      int n = epoll_wait(epoll_, events, 64, 1000);
      if (n < 0 && errno == EINTR) continue;
      for (int i = 0; i < n; ++i) {
        auto* link = static_cast<Link*>(events[i].data.ptr);
        if (link == nullptr) {
          // The listener and the signal fd are registered with a null pointer; tell them
          // apart by trying both (each is non-blocking).
          if (!handle_signals()) return 0;
          accept_all();
          continue;
        }
        service(link);
      }
      flush_counts();
    }
  }

 private:
  void watch(int fd, uint32_t events, Link* link) {
    epoll_event event{};
    event.events = events;
    event.data.ptr = link;
    epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &event);
  }
  void rewatch(int fd, uint32_t events, Link* link) {
    epoll_event event{};
    event.events = events;
    event.data.ptr = link;
    epoll_ctl(epoll_, EPOLL_CTL_MOD, fd, &event);
  }

  void reload() {
    Backend next;
    if (read_backend(control_dir_, next)) backend_ = next;
    write_text_atomic(control_dir_ + "/active", backend_.ref + "\n");
    counts_dirty_ = true;
  }

  // False when asked to stop.
  bool handle_signals() {
    signalfd_siginfo info;
    while (read(signals_, &info, sizeof info) == sizeof info) {
      if (info.ssi_signo == SIGHUP) {
        reload();
      } else {
        return false;
      }
    }
    return true;
  }

  void accept_all() {
    for (;;) {
      int client = accept4(listener_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (client < 0) return;
      if (backend_.ref.empty()) {
        close(client);  // nothing to forward to yet
        continue;
      }
      int server = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      int one = 1;
      setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      setsockopt(server, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      int rc = connect(server, reinterpret_cast<const sockaddr*>(&backend_.address),
                       sizeof backend_.address);
      if (rc < 0 && errno != EINPROGRESS) {
        close(client);
        close(server);
        continue;
      }
      auto link = std::make_unique<Link>();
      link->client = client;
      link->server = server;
      link->ref = backend_.ref;
      link->connected = rc == 0;
      ++counts_[link->ref];
      counts_dirty_ = true;
      Link* raw = link.get();
      links_[raw] = std::move(link);
      watch(client, EPOLLIN | EPOLLRDHUP, raw);
      watch(server, EPOLLIN | EPOLLOUT | EPOLLRDHUP, raw);
    }
  }

  // Moves bytes source -> pipe -> sink as far as they go without blocking. False on a
  // hard error (the link is then closed).
  static bool pump(int source, int sink, Pipe& pipe) {
    for (;;) {
      if (pipe.begin < pipe.end) {
        ssize_t n = send(sink, pipe.data + pipe.begin, pipe.end - pipe.begin, MSG_NOSIGNAL);
        if (n < 0) return errno == EAGAIN;
        pipe.begin += static_cast<size_t>(n);
        if (pipe.begin < pipe.end) return true;
      }
      pipe.begin = pipe.end = 0;
      if (pipe.source_done) {
        if (!pipe.shut) {
          shutdown(sink, SHUT_WR);
          pipe.shut = true;
        }
        return true;
      }
      ssize_t n = recv(source, pipe.data, kBufferSize, 0);
      if (n == 0) {
        pipe.source_done = true;
        continue;
      }
      if (n < 0) return errno == EAGAIN;
      pipe.end = static_cast<size_t>(n);
    }
  }

  void service(Link* link) {
    if (!link->connected) {
      int error = 0;
      socklen_t length = sizeof error;
      getsockopt(link->server, SOL_SOCKET, SO_ERROR, &error, &length);
      if (error != 0) return finish(link);
      sockaddr_in peer{};
      socklen_t peer_length = sizeof peer;
      if (getpeername(link->server, reinterpret_cast<sockaddr*>(&peer), &peer_length) != 0) {
        return;  // still connecting
      }
      link->connected = true;
    }
    bool ok =
        pump(link->client, link->server, link->up) && pump(link->server, link->client, link->down);
    if (!ok || (link->up.shut && link->down.shut)) return finish(link);
    // Read only from a side that has not ended and whose bytes have all been passed on (an
    // ended or unread socket stays readable and would spin the loop), and wait for writability only
    // where bytes are stuck.
    auto interest = [](const Pipe& reading, const Pipe& writing) -> uint32_t {
      bool can_read = !reading.source_done && reading.end == reading.begin;
      return (can_read ? uint32_t(EPOLLIN | EPOLLRDHUP) : 0u) |
             (writing.end > writing.begin ? uint32_t(EPOLLOUT) : 0u);
    };
    rewatch(link->client, interest(link->up, link->down), link);
    rewatch(link->server, interest(link->down, link->up), link);
  }

  void finish(Link* link) {
    close(link->client);
    close(link->server);
    if (--counts_[link->ref] == 0) counts_.erase(link->ref);
    counts_dirty_ = true;
    links_.erase(link);
  }

  void flush_counts() {
    if (!counts_dirty_) return;
    counts_dirty_ = false;
    std::ostringstream text;
    for (const auto& [ref, count] : counts_) text << ref << " " << count << "\n";
    write_text_atomic(control_dir_ + "/connections", text.str());
  }

  int listener_, signals_, epoll_ = -1;
  std::string control_dir_;
  Backend backend_;
  std::map<Link*, std::unique_ptr<Link>> links_;
  std::map<std::string, int> counts_;
  bool counts_dirty_ = true;
};

}  // namespace

int run_forwarder(const std::string& listen_address, const std::string& control_dir) {
  sockaddr_in address{};
  if (!parse_socket_address(listen_address, address)) {
    std::cerr << "mayfly forwarder: '" << listen_address << "' is not HOST:PORT (IPv4)\n";
    return 2;
  }
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(listener, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
      listen(listener, 1024) != 0) {
    std::cerr << "mayfly forwarder: cannot listen on " << listen_address << ": "
              << std::strerror(errno) << "\n";
    return 1;
  }
  sigset_t mask;
  sigemptyset(&mask);
  for (int signal : {SIGHUP, SIGTERM, SIGINT}) sigaddset(&mask, signal);
  sigprocmask(SIG_BLOCK, &mask, nullptr);
  signal(SIGPIPE, SIG_IGN);
  int signals = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
  write_text_atomic(control_dir + "/pid", std::to_string(getpid()) + "\n");
  Forwarder forwarder(listener, signals, control_dir);
  return forwarder.run();
}

}  // namespace mayfly::deploy::local
