#pragma once
// The static-site responder: one request in, one response out, with the body pointing
// into the bundle. Freestanding: no allocation, no I/O; the caller owns every buffer.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "bundle/reader.h"
#include "http/request.h"

namespace mayfly::http {

struct Response {
  uint16_t status = 0;
  std::string_view head;          // status line and fields, in the caller's buffer
  const uint8_t* body = nullptr;  // bundle bytes or static text, never copied
  uint64_t body_size = 0;         // bytes to send after the head (0 for HEAD and 304)
  bool close = false;             // close the connection after this response
};

class Responder {
 public:
  explicit Responder(const bundle::Bundle& bundle, std::string_view server_name = "mayfly");

  // The head buffer size respond() and reject() need: fixed fields, a Location, and the
  // site's extra headers.
  size_t head_capacity() const;

  // Answers a parsed request at unix time now.
  Response respond(const Request& req, int64_t now, char* head, size_t cap);

  // Answers a request that failed to parse (status from ParseResult); always closes.
  Response reject(uint16_t status, int64_t now, char* head, size_t cap);

 private:
  struct Head;
  Response serve_entry(const Request& req, const bundle::Entry& e, uint16_t status, Head& h);
  Response simple(uint16_t status, const Request* req, Head& h, std::string_view extra_field = {});
  void common_fields(Head& h, uint16_t status);
  void finish(Head& h, Response& r, bool close, uint8_t version_minor);
  std::string_view date(int64_t now);

  const bundle::Bundle& bundle_;
  std::string_view server_;
  int64_t date_second_ = -1;
  char date_[32] = {};
  int64_t now_ = 0;
};

// "200 OK" and friends; "" for codes the engine never sends.
std::string_view reason_phrase(uint16_t status);

}  // namespace mayfly::http
