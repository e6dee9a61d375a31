#pragma once
// The local provider's stable address without root: a small TCP forwarder that runs
// detached from the CLI. New connections go to the current backend; connections already
// forwarded stay with the backend they started on until they close (the drain). The
// control folder holds:
//   backend      "HOST:PORT REF" — written by switch_address, read on SIGHUP
//   active       the REF the forwarder uses now (written after each reload)
//   connections  "REF COUNT" lines — open connections per backend
//   pid          the forwarder's process id
// Hosted code (Linux).
#include <string>

namespace mayfly::deploy::local {

// Runs the forwarder in this process until SIGTERM/SIGINT. Returns the exit code; errors
// (address in use, bad control folder) are printed to stderr.
int run_forwarder(const std::string& listen_address, const std::string& control_dir);

}  // namespace mayfly::deploy::local
