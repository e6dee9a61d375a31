#pragma once
// Panics: the message, the registers (for CPU exceptions) and a frame-pointer backtrace on
// the console, then halt or reboot as the command line's panic= says. Never a silent hang.
#include <cstdint>

namespace mayfly::kernel {

// The registers exception_common (boot.S) saves, in stack order.
struct ExceptionFrame {
  uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
  uint64_t vector, error_code, rip, cs, rflags, rsp, ss;
};

enum class PanicAction { kHalt, kReboot };
extern PanicAction g_panic_action;

[[noreturn]] void panic(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
[[noreturn]] void reboot();

// The stack protector's canary, seeded at boot.
void stack_guard_init(uint64_t seed);

}  // namespace mayfly::kernel
