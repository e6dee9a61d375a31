// The unikernel's command-line parser (src/kernel/cmdline.cc) on the host. A malformed
// value makes the kernel panic by design; here panic() returns to the harness instead, so
// the fuzzer looks for what must never happen: reads or writes out of bounds, overflows,
// hangs.
#include <csetjmp>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <string>

#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/panic.h"

namespace mayfly::kernel {

PanicAction g_panic_action = PanicAction::kHalt;
LogLevel g_log_level = LogLevel::kDebug;
static std::jmp_buf g_escape;

void kvprintf(const char* fmt, va_list ap) {
  char line[512];
  std::vsnprintf(line, sizeof line, fmt, ap);
}

void kprintf(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  kvprintf(fmt, ap);
  va_end(ap);
}

void panic(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  kvprintf(fmt, ap);
  va_end(ap);
  std::longjmp(g_escape, 1);
}

}  // namespace mayfly::kernel

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The kernel gets a NUL-terminated string; an embedded NUL simply ends it early.
  std::string text(reinterpret_cast<const char*>(data), size);
  if (setjmp(mayfly::kernel::g_escape) == 0) {
    mayfly::kernel::KernelConfig config = mayfly::kernel::parse_cmdline(text.c_str());
    if (config.mmio_count > sizeof config.mmio / sizeof config.mmio[0]) __builtin_trap();
  }
  return 0;
}
