#include "cli/progress_line.h"

#include <unistd.h>

#include <cstdio>

namespace mayfly::cli {

std::string progress_bar(uint64_t done, uint64_t total, int width) {
  if (width < 1) width = 1;
  uint64_t filled = total == 0 ? 0 : std::min<uint64_t>(done, total) * width / total;
  return "[" + std::string(filled, '#') + std::string(width - filled, '.') + "]";
}

ProgressLine::ProgressLine(std::string label)
    : label_(std::move(label)),
      started_(std::chrono::steady_clock::now()),
      enabled_(isatty(STDERR_FILENO)) {
  if (enabled_) thread_ = std::thread([this] { run(); });
}

ProgressLine::~ProgressLine() {
  if (!enabled_) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
}

void ProgressLine::update(const std::string& what, uint64_t done, uint64_t total) {
  if (!enabled_) return;
  std::lock_guard<std::mutex> lock(mutex_);
  what_ = what;
  done_ = done;
  total_ = total;
}

// Called with mutex_ held.
void ProgressLine::draw() {
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  std::string line = "  " + label_ + std::string(label_.size() < 10 ? 10 - label_.size() : 1, ' ');
  char elapsed[32];
  std::snprintf(elapsed, sizeof elapsed, "%7.1f s", seconds);
  line += elapsed;
  if (total_ > 0) {
    line += "  " + what_ + " " + progress_bar(done_, total_, 24) + " " + std::to_string(done_) +
            "/" + std::to_string(total_);
  }
  std::fprintf(stderr, "\r\033[K%s", line.c_str());
  std::fflush(stderr);
}

void ProgressLine::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stop_) {
    draw();
    wake_.wait_for(lock, std::chrono::milliseconds(200));
  }
}

}  // namespace mayfly::cli
