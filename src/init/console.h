#pragma once
// The console of mayfly-init: /dev/console (the kernel's console=ttyS0). Lines start with
// "mayfly-init: " so they stand out among the kernel's messages.
#include <string>

namespace mayfly::init {

void say(const std::string& line);
// What a fatal error does, from the command line's panic= (as the unikernel: halt or reboot).
void set_reboot_on_fatal(bool reboot);
// Prints the error, then reboots or powers off: PID 1 must never exit (the kernel would
// panic with a less useful message) nor hang silently.
[[noreturn]] void fatal(const std::string& what);

}  // namespace mayfly::init
