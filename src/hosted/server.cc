#include "hosted/server.h"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "hosted/worker.h"

namespace mayfly::hosted {
namespace {

struct Address {
  sockaddr_storage storage{};
  socklen_t len = 0;
  int family = AF_INET;
};

Address resolve(const std::string& host, uint16_t port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* res = nullptr;
  std::string service = std::to_string(port);
  int rc = getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &res);
  if (rc != 0 || res == nullptr)
    throw ServerError("cannot use bind address '" + host + "': " + gai_strerror(rc));
  Address a;
  std::memcpy(&a.storage, res->ai_addr, res->ai_addrlen);
  a.len = res->ai_addrlen;
  a.family = res->ai_family;
  freeaddrinfo(res);
  return a;
}

std::string describe_bind_error(int err, const std::string& host, uint16_t port) {
  std::string where = host + ":" + std::to_string(port);
  switch (err) {
    case EADDRINUSE:
      return "port " + std::to_string(port) + " on " + host +
             " is already in use (another server is running there; pick one with --port)";
    case EACCES:
      return "permission denied binding " + where +
             " (ports below 1024 need root or "
             "CAP_NET_BIND_SERVICE; pick one with --port)";
    case EADDRNOTAVAIL:
      return "address " + host + " is not an address of this machine (see --bind)";
    default:
      return "cannot listen on " + where + ": " + std::strerror(err);
  }
}

int open_listener(const Address& a, bool reuse_port) {
  int fd = socket(a.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -errno;
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (reuse_port) setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  if (bind(fd, reinterpret_cast<const sockaddr*>(&a.storage), a.len) != 0 ||
      ::listen(fd, 4096) != 0) {
    int err = errno;
    ::close(fd);
    return -err;
  }
  return fd;
}

uint16_t local_port(int fd) {
  sockaddr_storage s{};
  socklen_t len = sizeof s;
  getsockname(fd, reinterpret_cast<sockaddr*>(&s), &len);
  if (s.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6&>(s).sin6_port);
  return ntohs(reinterpret_cast<sockaddr_in&>(s).sin_port);
}

}  // namespace

Server::Server(const bundle::Bundle& bundle, ServerOptions options)
    : bundle_(bundle), options_(std::move(options)), log_(options_.access_log_fd) {
  if (options_.threads == 0) options_.threads = std::max(1u, std::thread::hardware_concurrency());
  if (options_.max_connections < options_.threads) options_.max_connections = options_.threads;
}

Server::~Server() {
  workers_.clear();
  for (int fd : listen_fds_) ::close(fd);
  if (stop_fd_ >= 0) ::close(stop_fd_);
}

void Server::listen() {
  Address a = resolve(options_.bind, options_.port);
  // SO_REUSEPORT would let a second server of the same user share the port silently
  // and take half the traffic. A first socket without it fails on a port in use.
  int first = open_listener(a, false);
  if (first < 0) throw ServerError(describe_bind_error(-first, options_.bind, options_.port));
  bound_port_ = local_port(first);
  if (options_.threads == 1) {
    listen_fds_.push_back(first);
  } else {
    ::close(first);
    Address bound = a;
    if (bound.family == AF_INET6)
      reinterpret_cast<sockaddr_in6&>(bound.storage).sin6_port = htons(bound_port_);
    else
      reinterpret_cast<sockaddr_in&>(bound.storage).sin_port = htons(bound_port_);
    for (unsigned i = 0; i < options_.threads; ++i) {
      int fd = open_listener(bound, true);
      if (fd < 0) throw ServerError(describe_bind_error(-fd, options_.bind, bound_port_));
      listen_fds_.push_back(fd);
    }
  }
  stop_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (stop_fd_ < 0) throw ServerError(std::string("eventfd: ") + std::strerror(errno));
  size_t per_thread = options_.max_connections / listen_fds_.size();
  for (int fd : listen_fds_)
    workers_.push_back(std::make_unique<Worker>(bundle_, options_, log_, fd, stop_fd_, per_thread));
}

void Server::run() {
  std::vector<std::thread> threads;
  for (size_t i = 1; i < workers_.size(); ++i)
    threads.emplace_back([this, i] { workers_[i]->run(); });
  if (!workers_.empty()) workers_[0]->run();
  for (auto& t : threads) t.join();
}

void Server::stop() {
  if (stop_fd_ < 0) return;
  uint64_t one = 1;
  ssize_t ignored = ::write(stop_fd_, &one, sizeof one);
  (void)ignored;
}

}  // namespace mayfly::hosted
