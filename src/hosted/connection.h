#pragma once
// A client connection of the hosted server and the intrusive deadline lists that hold
// it. Each list has one fixed timeout, so appending keeps it sorted by deadline and
// expiry only looks at the front: O(1) per event, no timer heap.
#include <cstddef>
#include <cstdint>

namespace mayfly::hosted {

struct Connection {
  enum class State : uint8_t { Free, Idle, Reading, Writing };

  int fd = -1;
  State state = State::Free;
  bool close_after = false;  // close once the current response is sent
  Connection* prev = nullptr;
  Connection* next = nullptr;
  uint64_t deadline_ms = 0;

  char* rbuf = nullptr;  // received bytes not yet consumed
  size_t rlen = 0;
  char* hbuf = nullptr;  // head of the response being sent

  // The response being sent: head from hbuf, then body from the bundle.
  size_t head_len = 0;
  size_t head_sent = 0;
  const uint8_t* body = nullptr;
  uint64_t body_len = 0;
  uint64_t body_sent = 0;

  char client[48] = {};  // peer address, for the access log
};

class DeadlineList {
 public:
  bool empty() const { return head_ == nullptr; }
  Connection* front() const { return head_; }
  void push_back(Connection* c) {
    c->prev = tail_;
    c->next = nullptr;
    if (tail_)
      tail_->next = c;
    else
      head_ = c;
    tail_ = c;
  }
  void remove(Connection* c) {
    if (c->prev)
      c->prev->next = c->next;
    else
      head_ = c->next;
    if (c->next)
      c->next->prev = c->prev;
    else
      tail_ = c->prev;
    c->prev = c->next = nullptr;
  }

 private:
  Connection* head_ = nullptr;
  Connection* tail_ = nullptr;
};

}  // namespace mayfly::hosted
