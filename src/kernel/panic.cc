#include "kernel/panic.h"

#include <cstdarg>

#include "kernel/arch.h"
#include "kernel/console.h"

extern "C" char boot_stack_guard[], boot_stack_bottom[], boot_stack_top[];
extern "C" char __text_start[], __text_end[];

// -fstack-protector-strong with -mstack-protector-guard=global reads this canary.
extern "C" uintptr_t __stack_chk_guard;
uintptr_t __stack_chk_guard = 0x595e9fbd94fda766ull;

namespace mayfly::kernel {

PanicAction g_panic_action = PanicAction::kHalt;

namespace {

bool g_in_panic = false;

const char* exception_name(uint64_t v) {
  static const char* const kNames[] = {"divide error",
                                       "debug",
                                       "NMI",
                                       "breakpoint",
                                       "overflow",
                                       "bound range exceeded",
                                       "invalid opcode",
                                       "device not available",
                                       "double fault",
                                       "coprocessor segment overrun",
                                       "invalid TSS",
                                       "segment not present",
                                       "stack-segment fault",
                                       "general protection fault",
                                       "page fault",
                                       "reserved",
                                       "x87 floating-point error",
                                       "alignment check",
                                       "machine check",
                                       "SIMD floating-point error",
                                       "virtualization exception",
                                       "control protection exception"};
  return v < sizeof(kNames) / sizeof(kNames[0]) ? kNames[v] : "reserved exception";
}

bool on_stack(uint64_t p) {
  return p >= reinterpret_cast<uint64_t>(boot_stack_bottom) &&
         p + 16 <= reinterpret_cast<uint64_t>(boot_stack_top);
}

void backtrace(uint64_t rbp, int first = 0) {
  for (int depth = first; depth < 32 && rbp != 0 && on_stack(rbp) && (rbp & 7) == 0; ++depth) {
    auto* frame = reinterpret_cast<const uint64_t*>(rbp);
    uint64_t ret = frame[1];
    if (ret < reinterpret_cast<uint64_t>(__text_start) ||
        ret >= reinterpret_cast<uint64_t>(__text_end))
      break;
    kprintf("  #%d %016llx\n", depth, (unsigned long long)ret);
    if (frame[0] <= rbp) break;  // frames grow up the stack; anything else is corrupt
    rbp = frame[0];
  }
  kprintf("(resolve with: addr2line -fe mayfly-kernel ADDRESS)\n");
}

[[noreturn]] void finish() {
  if (g_panic_action == PanicAction::kReboot) {
    kprintf("rebooting (panic=reboot)\n");
    reboot();
  }
  kprintf("halted (panic=halt)\n");
  halt_forever();
}

}  // namespace

void reboot() {
  cli();
  outb(0xCF9, 0x02);  // PCI reset control: hard reset
  outb(0xCF9, 0x06);
  outb(0x64, 0xFE);  // the keyboard controller's reset line
  // Last resort: a triple fault (an empty IDT and an exception).
  struct [[gnu::packed]] {
    uint16_t limit;
    uint64_t base;
  } empty{0, 0};
  asm volatile("lidt %0; int3" ::"m"(empty));
  halt_forever();
}

void panic(const char* fmt, ...) {
  cli();
  if (g_in_panic) halt_forever();  // a panic while panicking: stop here
  g_in_panic = true;
  kprintf("\nPANIC: ");
  va_list ap;
  va_start(ap, fmt);
  kvprintf(fmt, ap);
  va_end(ap);
  kprintf("\n");
  kprintf("backtrace:\n");
  backtrace(reinterpret_cast<uint64_t>(__builtin_frame_address(0)));
  finish();
}

void stack_guard_init(uint64_t seed) {
  __stack_chk_guard = seed | 0xff;
}

}  // namespace mayfly::kernel

using mayfly::kernel::kprintf;

extern "C" [[noreturn]] void exception_entry(mayfly::kernel::ExceptionFrame* f) {
  using namespace mayfly::kernel;
  if (g_in_panic) halt_forever();
  g_in_panic = true;
  kprintf("\nPANIC: CPU exception %llu (%s), error code 0x%llx\n", (unsigned long long)f->vector,
          exception_name(f->vector), (unsigned long long)f->error_code);
  if (f->vector == 14) {
    uint64_t cr2 = read_cr2();
    kprintf("fault address %016llx (%s, %s)%s\n", (unsigned long long)cr2,
            (f->error_code & 1) ? "protection violation" : "not present",
            (f->error_code & 16)  ? "instruction fetch"
            : (f->error_code & 2) ? "write"
                                  : "read",
            (cr2 >> 12) == (reinterpret_cast<uint64_t>(boot_stack_guard) >> 12)
                ? " -- stack overflow (guard page)"
                : "");
  }
  kprintf("rip %016llx  rsp %016llx  rflags %016llx  cs %llx ss %llx\n", (unsigned long long)f->rip,
          (unsigned long long)f->rsp, (unsigned long long)f->rflags, (unsigned long long)f->cs,
          (unsigned long long)f->ss);
  kprintf("rax %016llx  rbx %016llx  rcx %016llx  rdx %016llx\n", (unsigned long long)f->rax,
          (unsigned long long)f->rbx, (unsigned long long)f->rcx, (unsigned long long)f->rdx);
  kprintf("rsi %016llx  rdi %016llx  rbp %016llx  r8  %016llx\n", (unsigned long long)f->rsi,
          (unsigned long long)f->rdi, (unsigned long long)f->rbp, (unsigned long long)f->r8);
  kprintf("r9  %016llx  r10 %016llx  r11 %016llx  r12 %016llx\n", (unsigned long long)f->r9,
          (unsigned long long)f->r10, (unsigned long long)f->r11, (unsigned long long)f->r12);
  kprintf("r13 %016llx  r14 %016llx  r15 %016llx  cr3 %016llx\n", (unsigned long long)f->r13,
          (unsigned long long)f->r14, (unsigned long long)f->r15, (unsigned long long)read_cr3());
  kprintf("backtrace:\n  #0 %016llx\n", (unsigned long long)f->rip);
  backtrace(f->rbp, 1);
  finish();
}

extern "C" [[noreturn]] void __stack_chk_fail() {
  mayfly::kernel::panic("stack smashing detected (the stack protector's canary changed)");
}
