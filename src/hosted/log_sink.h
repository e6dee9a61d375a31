#pragma once
// Buffered access-log output, one buffer per worker thread, flushed when full or once a
// second, so that logging costs no system call per request.
#include <cstddef>
#include <mutex>
#include <string_view>

namespace mayfly::hosted {

// The destination all workers share: a file descriptor, or none (logging off).
class LogFile {
 public:
  explicit LogFile(int fd) : fd_(fd) {}
  bool enabled() const { return fd_ >= 0; }
  void write_all(const char* data, size_t size);

 private:
  int fd_;
  std::mutex mutex_;  // whole buffers go out one at a time, so lines never interleave
};

class LogBuffer {
 public:
  explicit LogBuffer(LogFile& file) : file_(file) {}
  ~LogBuffer() { flush(); }
  bool enabled() const { return file_.enabled(); }
  // Space for one line; commit(n) after writing n bytes there.
  char* reserve(size_t n);
  void commit(size_t n) { used_ += n; }
  void flush();

 private:
  static constexpr size_t kSize = 64 * 1024;
  LogFile& file_;
  char buf_[kSize];
  size_t used_ = 0;
};

}  // namespace mayfly::hosted
