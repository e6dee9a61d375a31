#pragma once
// The unikernel's command-line words (docs/kernel.md), read from /proc/cmdline:
//   ip=dhcp | ip=ADDR/PREFIX[,GATEWAY]   port=N   log=quiet|info|access|debug
//   panic=halt|reboot
// Other words are Linux's own (console=, quiet) or the unikernel's that have no meaning
// here; they are ignored. A malformed value of ours is an error naming the word (the
// first such), with every other word still read.
#include <cstdint>
#include <optional>
#include <string>

namespace mayfly::init {

struct StaticIp {
  uint32_t address = 0;  // host order
  int prefix = 0;
  uint32_t gateway = 0;  // 0: none
};

struct InitConfig {
  std::optional<StaticIp> static_ip;  // nullopt: DHCP
  uint16_t port = 80;
  bool access_log = false;
  bool reboot_on_panic = false;
};

// Returns "" and fills `out`, or the word that is wrong.
std::string parse_cmdline(const std::string& line, InitConfig& out);

}  // namespace mayfly::init
