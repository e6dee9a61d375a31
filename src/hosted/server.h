#pragma once
// `mayfly serve` on Linux: one epoll loop per thread, each with its own SO_REUSEPORT
// listening socket, answering from a bundle mapped in memory.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "bundle/reader.h"
#include "hosted/log_sink.h"

namespace mayfly::hosted {

class ServerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ServerOptions {
  std::string bind = "127.0.0.1";
  uint16_t port = 8080;
  unsigned threads = 0;                // 0: one per core
  size_t max_connections = 4096;       // across all threads
  unsigned header_timeout_ms = 10000;  // from a request's first byte to its complete head
  unsigned idle_timeout_ms = 60000;    // keep-alive with nothing to do
  unsigned write_timeout_ms = 60000;   // a client that stops reading
  unsigned drain_timeout_ms = 10000;   // on shutdown, for responses still being sent
  int access_log_fd = 1;               // -1: off
  int message_fd = 2;                  // notices such as the connection cap
  int bundle_fd = -1;  // a file holding exactly the bundle's bytes (its mapping): large
                       // bodies are sent from it with sendfile
  // `serve --watch`: the bundle may be replaced while serving (hosted/bundle_slot.h); when
  // set, its current bundle is served and `bundle`/`bundle_fd` are only the first one.
  class BundleSlot* slot = nullptr;
};

class Worker;

class Server {
 public:
  Server(const bundle::Bundle& bundle, ServerOptions options);
  ~Server();

  // Binds the listening sockets. Throws ServerError with a message for people: port in
  // use, address not available, permission denied.
  void listen();
  // The port actually bound (useful with port 0).
  uint16_t port() const { return bound_port_; }
  // Serves until stop() is called, then stops accepting, finishes responses in flight
  // and returns.
  void run();
  // Safe to call from any thread, once or more.
  void stop();

 private:
  const bundle::Bundle& bundle_;
  ServerOptions options_;
  LogFile log_;
  uint16_t bound_port_ = 0;
  int stop_fd_ = -1;  // eventfd in every worker's epoll set
  std::vector<int> listen_fds_;
  std::vector<std::unique_ptr<Worker>> workers_;
};

}  // namespace mayfly::hosted
