#pragma once
// Watches a blog's source tree with inotify for `mayfly serve --watch`: every directory,
// including ones created later, except the destination and names starting with "." (and
// editors' backup files). Events in a burst (an editor's write-rename-chmod, a git checkout)
// come back as one change.
#include <filesystem>
#include <string>
#include <unordered_map>
#include <vector>

namespace mayfly::cli {

class SourceWatcher {
 public:
  // Throws std::runtime_error when inotify is unavailable.
  SourceWatcher(std::filesystem::path root, std::vector<std::filesystem::path> skip);
  ~SourceWatcher();
  SourceWatcher(const SourceWatcher&) = delete;
  SourceWatcher& operator=(const SourceWatcher&) = delete;

  // Waits until something changes, then until the burst has been quiet for quiet_ms (at most
  // max_ms in all); returns the changed paths relative to the root. Returns an empty list
  // when stop() was called.
  std::vector<std::string> wait(int quiet_ms = 40, int max_ms = 400);
  // Makes wait() return; safe from any thread.
  void stop();

 private:
  void add_tree(const std::filesystem::path& dir);
  bool skipped(const std::filesystem::path& p) const;
  // Reads pending events into changed; false when stop() was called.
  bool drain(std::vector<std::string>& changed);

  std::filesystem::path root_;
  std::vector<std::filesystem::path> skip_;
  int fd_ = -1;
  int stop_fd_ = -1;
  std::unordered_map<int, std::filesystem::path> dirs_;  // watch descriptor → directory
};

}  // namespace mayfly::cli
