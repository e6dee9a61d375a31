#pragma once
// The bundle `mayfly serve --watch` serves, replaceable while the server runs. A rebuild
// publishes a new ServedBundle; each event loop picks it up before its next request, and
// keeps the one it replaces alive until no response of that loop still points into it, so
// connections in flight finish on the old bundle.
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "bundle/reader.h"
#include "hosted/mapped_file.h"

namespace mayfly::hosted {

struct ServedBundle {
  MappedFile mapped;
  bundle::Bundle bundle;
  // Live reload: the body of GET /__mayfly/livereload (a text/event-stream with one event
  // naming this bundle's generation); empty when live reload is off.
  std::string live_event;
};

class BundleSlot {
 public:
  // Publishes b; loops switch to it before their next request.
  void publish(std::shared_ptr<const ServedBundle> b) {
    std::lock_guard<std::mutex> lock(mutex_);
    current_ = std::move(b);
    generation_.fetch_add(1, std::memory_order_release);
  }
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  std::shared_ptr<const ServedBundle> current() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return current_;
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const ServedBundle> current_;
  std::atomic<uint64_t> generation_{0};
};

}  // namespace mayfly::hosted
