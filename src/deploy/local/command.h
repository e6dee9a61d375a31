#pragma once
// Runs a system tool (ip, nft, conntrack) and collects what it printed. The root network
// path drives the kernel through these tools rather than netlink directly: their command
// lines are what an operator would type to inspect or undo the same state.
#include <string>
#include <vector>

namespace mayfly::deploy::local {

struct CommandResult {
  int status = -1;     // the exit code; 127 when the program could not be run
  std::string output;  // stdout and stderr together
  bool ok() const { return status == 0; }
};

// Runs argv[0] (looked up in PATH, then /usr/sbin and /sbin, where Debian keeps ip and nft)
// with `input` on its standard input. Never throws for a failing program.
CommandResult run_command(const std::vector<std::string>& argv, const std::string& input = {});

}  // namespace mayfly::deploy::local
