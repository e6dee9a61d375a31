#pragma once
// Messages for people on stderr: colour only on a terminal and never with NO_COLOR set
// (https://no-color.org), and the exit codes every command shares.
#include <string>
#include <string_view>

namespace mayfly::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,  // the work failed: bad input, I/O error, a server that could not start
  kExitUsage = 2,    // the command line itself is wrong
};

bool color_enabled(int fd);
void print_error(std::string_view message);
void print_warning(std::string_view message);
void print_notice(std::string_view message);
// A line of progress on a terminal ("bundling 12/40"), redrawn in place; nothing when
// stderr is not a terminal.
void print_progress(std::string_view label, size_t done, size_t total);
std::string human_bytes(uint64_t n);

}  // namespace mayfly::cli
