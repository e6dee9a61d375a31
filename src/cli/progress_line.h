#pragma once
// One live status line on a terminal for a step that takes a while: the step's name, the
// seconds it has run, and a bar once the work reports how far it is ("upload
// [#####.....] 12/40"). Redrawn in place from a background thread; nothing at all when
// stderr is not a terminal (logs and scripts see only the final lines).
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace mayfly::cli {

// "[#####.....]" for done of total, `width` characters between the brackets.
std::string progress_bar(uint64_t done, uint64_t total, int width);

class ProgressLine {
 public:
  explicit ProgressLine(std::string label);
  ~ProgressLine();  // clears the line
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  void update(const std::string& what, uint64_t done, uint64_t total);

 private:
  void draw();
  void run();

  std::string label_;
  std::string what_;
  uint64_t done_ = 0, total_ = 0;
  std::chrono::steady_clock::time_point started_;
  bool enabled_;
  bool stop_ = false;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::thread thread_;
};

}  // namespace mayfly::cli
