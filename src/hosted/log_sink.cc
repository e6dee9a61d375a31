#include "hosted/log_sink.h"

#include <unistd.h>

#include <cerrno>

namespace mayfly::hosted {

void LogFile::write_all(const char* data, size_t size) {
  if (fd_ < 0) return;
  std::lock_guard<std::mutex> lock(mutex_);
  while (size > 0) {
    ssize_t n = ::write(fd_, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // a full disk or a closed pipe must not stop the server
    }
    data += n;
    size -= size_t(n);
  }
}

char* LogBuffer::reserve(size_t n) {
  if (kSize - used_ < n) flush();
  return buf_ + used_;
}

void LogBuffer::flush() {
  if (used_ == 0) return;
  file_.write_all(buf_, used_);
  used_ = 0;
}

}  // namespace mayfly::hosted
