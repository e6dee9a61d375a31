#include "cli/source_watcher.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <unordered_set>

#include "bundle/scan.h"

namespace mayfly::cli {
namespace fs = std::filesystem;

namespace {

constexpr uint32_t kMask = IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_FROM |
                           IN_MOVED_TO | IN_ATTRIB | IN_DELETE_SELF | IN_ONLYDIR;

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

SourceWatcher::SourceWatcher(fs::path root, std::vector<fs::path> skip)
    : root_(fs::weakly_canonical(root)) {
  for (auto& s : skip) skip_.push_back(fs::weakly_canonical(s));
  fd_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd_ < 0) throw std::runtime_error(std::string("inotify: ") + std::strerror(errno));
  stop_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (stop_fd_ < 0) throw std::runtime_error(std::string("eventfd: ") + std::strerror(errno));
  add_tree(root_);
}

SourceWatcher::~SourceWatcher() {
  if (fd_ >= 0) ::close(fd_);
  if (stop_fd_ >= 0) ::close(stop_fd_);
}

bool SourceWatcher::skipped(const fs::path& p) const {
  std::string name = p.filename().string();
  if (name.empty() || name[0] == '.' || bundle::is_editor_backup(name)) return true;
  for (const auto& s : skip_)
    if (p == s) return true;
  return false;
}

void SourceWatcher::add_tree(const fs::path& dir) {
  if (dir != root_ && skipped(dir)) return;
  int wd = inotify_add_watch(fd_, dir.c_str(), kMask);
  if (wd < 0) {
    if (errno == ENOSPC)
      throw std::runtime_error(
          "inotify: out of watches (raise fs.inotify.max_user_watches with sysctl)");
    return;  // gone already, or unreadable: nothing to watch
  }
  dirs_[wd] = dir;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code ec2;
    if (it->is_directory(ec2) && !it->is_symlink(ec2)) add_tree(it->path());
  }
}

bool SourceWatcher::drain(std::vector<std::string>& changed) {
  alignas(inotify_event) char buf[16384];
  for (;;) {
    ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n <= 0) return true;  // EAGAIN: all read
    for (char* p = buf; p < buf + n;) {
      auto* ev = reinterpret_cast<inotify_event*>(p);
      p += sizeof(inotify_event) + ev->len;
      if (ev->mask & IN_Q_OVERFLOW) {
        changed.push_back("*");  // events were lost: everything may have changed
        continue;
      }
      auto it = dirs_.find(ev->wd);
      if (it == dirs_.end()) continue;
      if (ev->mask & IN_IGNORED) {
        dirs_.erase(it);
        continue;
      }
      if (ev->len == 0) continue;
      fs::path path = it->second / ev->name;
      if (skipped(path)) continue;
      if ((ev->mask & IN_ISDIR) && (ev->mask & (IN_CREATE | IN_MOVED_TO))) add_tree(path);
      changed.push_back(path.lexically_relative(root_).string());
    }
  }
}

std::vector<std::string> SourceWatcher::wait(int quiet_ms, int max_ms) {
  std::vector<std::string> changed;
  pollfd fds[2] = {{fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
  int64_t first = -1;
  for (;;) {
    int timeout = -1;
    if (first >= 0) {
      int64_t left = first + max_ms - now_ms();
      if (left <= 0) break;
      timeout = int(std::min<int64_t>(quiet_ms, left));
    }
    int r = ::poll(fds, 2, timeout);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
    if (fds[1].revents) return {};
    if (r == 0) break;  // quiet for quiet_ms: the burst is over
    size_t before = changed.size();
    drain(changed);
    if (first < 0 && changed.size() > before) first = now_ms();
  }
  // One entry per path, in the order first seen.
  std::vector<std::string> unique;
  std::unordered_set<std::string> seen;
  for (auto& c : changed)
    if (seen.insert(c).second) unique.push_back(std::move(c));
  return unique;
}

void SourceWatcher::stop() {
  uint64_t one = 1;
  ssize_t ignored = ::write(stop_fd_, &one, sizeof one);
  (void)ignored;
}

}  // namespace mayfly::cli
