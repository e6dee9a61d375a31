#pragma once
// The static-site HTTP service on the freestanding TCP stack: accepts connections on one
// port, reads request heads into fixed per-connection buffers, answers them with the HTTP
// engine (http::parse_request, http::Responder) and hands the stack the response head (from
// a per-connection buffer) and the body as a zero-copy reference into the bundle bytes,
// which the stack re-reads on retransmission. Keep-alive and pipelining (responses in
// order), header / idle / write timeouts on the stack's clock, an access-log callback.
//
// No heap (the caller provides the storage, see StaticHttpService), no exceptions, no OS
// calls: the unikernel and `mayfly serve --stack user` run exactly this class.
//
//   net::StaticTcp<256, 64 * 1024> tcp(iface);
//   iface.set_tcp_handler(&tcp);
//   net::StaticHttpService<256> http(tcp, bundle, options);   // slots >= tcp.capacity()
//   if (!http.start()) fail();                                // port taken or buffers small
//   for (;;) {
//     iface.poll(now);                  // frames in, TCP timers
//     http.poll(now, unix_seconds);     // accept, read, answer, time out
//     iface.poll(now);                  // send what the service queued
//     wait_for_frame_or(earliest(iface.next_deadline(), http.next_deadline()));
//   }
//
// Connection slots are indexed by the TcpId the stack hands out, so a slot's buffers are
// reused only once the stack has freed that connection (after it sent everything and
// finished closing): a retransmitted head never reads a buffer that a newer connection
// overwrote. The connection limit is therefore the stack's pool size; beyond it the
// listener's backlog and SYN cookies take over.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "bundle/reader.h"
#include "http/access_log.h"
#include "http/request.h"
#include "http/responder.h"
#include "net/iface/time.h"
#include "net/tcp/tcp.h"
#include "net/wire/address.h"

namespace mayfly::net {

// One answered request, for the access log.
struct HttpAccess {
  Ipv4Endpoint client;
  int64_t unix_seconds = 0;
  std::string_view request_line;  // as received (the first line, cut at 512 bytes on errors)
  uint16_t status = 0;
  uint64_t body_bytes = 0;  // body bytes in the response (0 for HEAD and 304)
};

// Called once per response, before its bytes are queued. `entry` and its views are valid
// only during the call. No std::function: a plain function pointer and its context.
using HttpAccessLog = void (*)(void* context, const HttpAccess& entry);

// Formats `entry` as a Common Log Format line with a trailing '\n' into `out` (at least
// http::kMaxAccessLine bytes); returns its length.
size_t format_http_access(const HttpAccess& entry, char* out);

struct HttpServiceOptions {
  Port port = Port(80);
  int backlog = 64;  // SYN-RECEIVED + not yet accepted (Tcp::listen)
  // From a request's first byte to its complete head; a connection that sends nothing at
  // all is held to this too (slowloris), as in the hosted server.
  Duration header_timeout = Duration::from_secs(10);
  Duration idle_timeout = Duration::from_secs(60);   // keep-alive with nothing to do
  Duration write_timeout = Duration::from_secs(60);  // queued bytes not acknowledged
  std::string_view server_name = "mayfly";           // must outlive the service
  HttpAccessLog access_log = nullptr;
  void* access_log_context = nullptr;
};

struct HttpServiceStats {
  uint64_t accepted = 0;
  uint64_t requests = 0;      // responses queued, errors included
  uint64_t bad_requests = 0;  // heads the parser refused (answered and closed)
  uint64_t timeouts = 0;      // header, idle or write timeouts
  uint64_t resets = 0;        // connections the peer reset or the stack timed out
  uint64_t refused = 0;       // accepted ids beyond the slots (aborted; see the constructor)
  uint64_t body_bytes = 0;    // body bytes queued
};

// One connection's state. Opaque: the service uses it.
class HttpSlot {
 private:
  friend class HttpService;
  enum class Phase : uint8_t { kFree, kOpen, kClosing };
  Phase phase = Phase::kFree;
  bool close_after = false;  // close once the current response is queued
  bool answered = false;     // at least one response queued on this connection
  TcpId id = -1;
  uint32_t rlen = 0;       // received, not yet consumed bytes in the read buffer
  uint32_t head_used = 0;  // head buffer bytes still referenced by the stack
  // The response being queued: head bytes in the head buffer, then the body.
  const uint8_t* out_head = nullptr;
  uint32_t out_head_len = 0;
  const uint8_t* out_body = nullptr;
  uint64_t out_body_len = 0;
  size_t last_pending = 0;  // the stack's unacknowledged bytes at the last look
  Instant request_start;    // first byte of the request being read
  Instant last_progress;    // last byte received or acknowledged
};

class HttpService {
 public:
  // `slots` must hold at least tcp.capacity() entries (ids the stack hands out beyond
  // them are aborted and counted in stats().refused). `read_storage` and `head_storage`
  // are split evenly among the slots: each connection's read buffer bounds a request head
  // (parser limits: head = read buffer, request line = min(8 KiB, head)); its head buffer
  // must hold at least one response head (Responder::head_capacity(), about 1 KiB plus
  // the site's extra headers; start() fails otherwise). More room lets more pipelined
  // responses be in flight at once.
  HttpService(Tcp& tcp, const bundle::Bundle& bundle, std::span<HttpSlot> slots,
              std::span<uint8_t> read_storage, std::span<uint8_t> head_storage,
              const HttpServiceOptions& options = {});
  HttpService(const HttpService&) = delete;
  HttpService& operator=(const HttpService&) = delete;

  // Opens the listener. False if the port is taken, the stack has no listener slot left,
  // or the buffers are too small (see the constructor).
  bool start();

  // Accepts, reads, answers and times out connections. `now` is the stack's clock;
  // `unix_seconds` the wall clock for Date headers and the log. Call it after
  // Interface::poll() and call Interface::poll() again afterwards to send what it queued.
  void poll(Instant now, int64_t unix_seconds);

  // The next time poll() must run although no frame arrived (a timeout), or nullopt.
  std::optional<Instant> next_deadline() const;

  // Stops accepting; connections without a response in progress close now, the others
  // after their response. drained() once every connection is closed.
  void drain();
  bool drained() const { return open_ == 0; }

  size_t connections() const { return open_; }
  const HttpServiceStats& stats() const { return stats_; }
  // Parser limits in use (derived from the read buffer size).
  const http::Limits& limits() const { return limits_; }

 private:
  void accept_all(Instant now);
  void service(HttpSlot& s, size_t index, Instant now, int64_t unix_seconds);
  bool queue_output(HttpSlot& s);
  bool answer_requests(HttpSlot& s, size_t index, Instant now, int64_t unix_seconds);
  void close_slot(HttpSlot& s);
  void abort_slot(HttpSlot& s);
  std::optional<Instant> slot_deadline(const HttpSlot& s) const;
  char* read_buffer(size_t index) {
    return reinterpret_cast<char*>(read_.data()) + index * read_cap_;
  }
  char* head_buffer(size_t index) {
    return reinterpret_cast<char*>(head_.data()) + index * head_cap_;
  }

  Tcp& tcp_;
  http::Responder responder_;
  std::span<HttpSlot> slots_;
  std::span<uint8_t> read_;
  std::span<uint8_t> head_;
  size_t read_cap_ = 0;
  size_t head_cap_ = 0;
  HttpServiceOptions options_;
  http::Limits limits_;
  http::Request request_;
  int listener_ = -1;
  bool draining_ = false;
  size_t open_ = 0;
  HttpServiceStats stats_;
};

template <size_t Slots, size_t ReadBytes, size_t HeadBytes>
struct HttpServiceStorage {
  HttpSlot slot_storage[Slots];
  uint8_t read_storage[Slots * ReadBytes];
  uint8_t head_storage[Slots * HeadBytes];
};

// An HttpService with its own storage: `Slots` connections (match the Tcp pool), each with
// a `ReadBytes` request buffer and a `HeadBytes` response-head buffer. About
// Slots * 20 KiB with the defaults: place it in static storage in the kernel.
template <size_t Slots, size_t ReadBytes = 16 * 1024, size_t HeadBytes = 4 * 1024>
class StaticHttpService : private HttpServiceStorage<Slots, ReadBytes, HeadBytes>,
                          public HttpService {
  using Storage = HttpServiceStorage<Slots, ReadBytes, HeadBytes>;

 public:
  StaticHttpService(Tcp& tcp, const bundle::Bundle& bundle, const HttpServiceOptions& options = {})
      : Storage(),
        HttpService(tcp, bundle, this->slot_storage, this->read_storage, this->head_storage,
                    options) {}
};

}  // namespace mayfly::net
