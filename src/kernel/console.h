#pragma once
// The serial console: a 16550 UART on COM1 (port 0x3F8), 115200 8N1, polled output.
// kprintf understands %s %c %d %i %u %x %X %p and %%, with the l, ll and z size prefixes,
// a field width, a 0 flag and %.*s.
#include <cstdarg>
#include <cstddef>
#include <string_view>

namespace mayfly::kernel {

void console_init();
void console_write(std::string_view s);
void kprintf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void kvprintf(const char* fmt, va_list ap);

// Log levels from the command line's log= (quiet, info, debug).
enum class LogLevel { kQuiet = 0, kInfo = 1, kDebug = 2 };
extern LogLevel g_log_level;
#define KLOG(level, ...)                                                    \
  do {                                                                      \
    if (::mayfly::kernel::g_log_level >= ::mayfly::kernel::LogLevel::level) \
      ::mayfly::kernel::kprintf(__VA_ARGS__);                               \
  } while (0)

}  // namespace mayfly::kernel
