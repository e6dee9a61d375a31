#include "init/console.h"

#include <sys/reboot.h>
#include <unistd.h>

namespace mayfly::init {
namespace {
bool g_reboot = false;
}

void say(const std::string& line) {
  std::string s = "mayfly-init: " + line + "\n";
  ssize_t n = ::write(2, s.data(), s.size());
  (void)n;
}

void set_reboot_on_fatal(bool reboot) {
  g_reboot = reboot;
}

void fatal(const std::string& what) {
  say("fatal: " + what);
  say(g_reboot ? "rebooting (panic=reboot)" : "powering off (panic=halt)");
  ::sync();
  // reboot(2): RB_AUTOBOOT restarts the machine, RB_POWER_OFF stops it; under QEMU both
  // end the run where the unikernel's halt would leave it spinning.
  ::reboot(g_reboot ? RB_AUTOBOOT : RB_POWER_OFF);
  for (;;) ::pause();
}

}  // namespace mayfly::init
