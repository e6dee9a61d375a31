#include "cli/term.h"

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace mayfly::cli {
namespace {

void print(std::string_view color, std::string_view label, std::string_view message) {
  bool c = color_enabled(2);
  std::string line = "mayfly: ";
  if (!label.empty()) {
    if (c) line += color;
    line += label;
    if (c) line += "\033[0m";
    line += ": ";
  }
  line += message;
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace

bool color_enabled(int fd) {
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && no_color[0] != '\0') return false;
  const char* term = std::getenv("TERM");
  if (term != nullptr && std::string_view(term) == "dumb") return false;
  return isatty(fd) != 0;
}

void print_error(std::string_view message) {
  print("\033[1;31m", "error", message);
}
void print_warning(std::string_view message) {
  print("\033[1;33m", "warning", message);
}
void print_notice(std::string_view message) {
  print("", "", message);
}

void print_progress(std::string_view label, size_t done, size_t total) {
  if (!isatty(2)) return;
  std::fprintf(stderr, "\r\033[K%.*s %zu/%zu", int(label.size()), label.data(), done, total);
  if (done >= total) std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
}

std::string human_bytes(uint64_t n) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = double(n);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  if (u == 0)
    std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(n));
  else
    std::snprintf(buf, sizeof buf, "%.1f %s", v, units[u]);
  return buf;
}

}  // namespace mayfly::cli
