#pragma once
// One event loop: a listening socket, its connections, the responder. Nothing here
// allocates after construction.
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "bundle/reader.h"
#include "hosted/bundle_slot.h"
#include "hosted/connection.h"
#include "hosted/log_sink.h"
#include "hosted/server.h"
#include "http/request.h"
#include "http/responder.h"

namespace mayfly::hosted {

class Worker {
 public:
  Worker(const bundle::Bundle& bundle, const ServerOptions& options, LogFile& log, int listen_fd,
         int stop_fd, size_t max_connections);
  ~Worker();
  void run();

 private:
  void accept_all();
  void pause_accept(uint64_t retry_at_ms);
  void resume_accept();
  void on_event(Connection* c, uint32_t events);
  void process(Connection* c);
  bool send_pending(Connection* c);
  void set_state(Connection* c, Connection::State s);
  void close_connection(Connection* c);
  void expire();
  void begin_drain();
  void log_request(const Connection* c, std::string_view line, const http::Response& r);
  void notice(const char* text);
  int next_timeout() const;
  DeadlineList* list_for(Connection::State s);
  // serve --watch: switch to the slot's newest bundle; drop retired ones nothing points into.
  void refresh_bundle();
  bool live_reload(Connection* c, http::Response& r);

  const ServerOptions& options_;
  std::optional<http::Responder> responder_;
  uint64_t slot_generation_ = 0;
  std::shared_ptr<const ServedBundle> served_;
  std::vector<std::shared_ptr<const ServedBundle>> retired_;
  LogBuffer log_;
  int listen_fd_;
  int stop_fd_;
  int body_fd_;  // the bundle's file, for sendfile; -1 when there is none
  const uint8_t* bundle_base_;
  size_t bundle_size_;
  int epoll_fd_ = -1;
  std::vector<Connection> pool_;
  std::vector<Connection*> free_;
  char* arena_ = nullptr;
  size_t arena_size_ = 0;
  size_t read_capacity_ = 0;
  size_t head_capacity_ = 0;
  size_t active_ = 0;
  bool accept_paused_ = false;
  uint64_t accept_retry_ms_ = UINT64_MAX;
  bool draining_ = false;
  uint64_t drain_deadline_ms_ = 0;
  uint64_t now_ms_ = 0;
  int64_t now_s_ = 0;
  DeadlineList idle_, reading_, writing_;
  http::Request request_;
  http::Limits limits_;
};

}  // namespace mayfly::hosted
