// mayfly up [SRC]: build the blog at SRC, bundle it and boot it in the unikernel — `mayfly
// run` with the current directory as the default and the same options (see cmd_run.cc).
#include "cli/commands.h"

namespace mayfly::cli {

void add_up_command(CLI::App& app, int& exit_code) {
  add_vm_command(app, exit_code, true);
}

}  // namespace mayfly::cli
