#pragma once
// `mayfly serve PATH --stack user`: the freestanding stack (src/net) and its HttpService
// on a TAP device, in one epoll loop on this thread. Options come from the CLI.
#include <functional>
#include <optional>
#include <string>

#include "bundle/reader.h"
#include "hosted/server.h"

namespace mayfly::hosted::netstack {

struct UserStackOptions {
  std::string stack = "linux";  // "linux": the ordinary socket server; "user": this one
  std::string tap;              // TAP interface name
  bool dhcp = false;
  std::string ip;      // ADDR/PREFIX
  std::string gw;      // gateway (optional with --ip)
  std::string mac;     // our MAC; a random locally administered one if empty
  std::string pcap;    // record every frame here
  std::string faults;  // FaultDevice spec: loss=5,reorder=25,dup=5,delay=20ms~10ms,corrupt=1
};

// The flag combination is checked before anything starts: a message for people if it is
// wrong (the caller exits 2), nullopt if it is fine. With --stack linux, the user-stack
// flags are refused; with --stack user, --tap and exactly one of --dhcp / --ip are needed.
std::optional<std::string> check_user_stack_options(const UserStackOptions& o);

// Serves `bundle` on the user stack until SIGINT/SIGTERM, then drains (at most
// server.drain_timeout_ms) and returns 0. Uses server.port, access_log_fd, message_fd and
// the timeouts. Throws std::runtime_error if the TAP or pcap file cannot be opened.
// `notice` gets one-line status messages (address bound, serving, stopped).
int run_user_stack(const bundle::Bundle& bundle, const UserStackOptions& options,
                   const ServerOptions& server,
                   const std::function<void(const std::string&)>& notice);

}  // namespace mayfly::hosted::netstack
