#include "kernel/interrupts.h"

#include "kernel/arch.h"
#include "kernel/console.h"
#include "kernel/memory.h"

extern "C" {
#define DECLARE_ISR(n) void isr_##n()
DECLARE_ISR(0);
DECLARE_ISR(1);
DECLARE_ISR(2);
DECLARE_ISR(3);
DECLARE_ISR(4);
DECLARE_ISR(5);
DECLARE_ISR(6);
DECLARE_ISR(7);
DECLARE_ISR(8);
DECLARE_ISR(9);
DECLARE_ISR(10);
DECLARE_ISR(11);
DECLARE_ISR(12);
DECLARE_ISR(13);
DECLARE_ISR(14);
DECLARE_ISR(15);
DECLARE_ISR(16);
DECLARE_ISR(17);
DECLARE_ISR(18);
DECLARE_ISR(19);
DECLARE_ISR(20);
DECLARE_ISR(21);
DECLARE_ISR(22);
DECLARE_ISR(23);
DECLARE_ISR(24);
DECLARE_ISR(25);
DECLARE_ISR(26);
DECLARE_ISR(27);
DECLARE_ISR(28);
DECLARE_ISR(29);
DECLARE_ISR(30);
DECLARE_ISR(31);
#undef DECLARE_ISR
void isr_wake();
void isr_spurious();
extern uint64_t lapic_eoi_register;
}

namespace mayfly::kernel {
namespace {

struct [[gnu::packed]] Tss {
  uint32_t reserved0;
  uint64_t rsp[3];
  uint64_t reserved1;
  uint64_t ist[7];
  uint64_t reserved2;
  uint16_t reserved3;
  uint16_t iomap_base;
};

struct [[gnu::packed]] IdtEntry {
  uint16_t offset_low;
  uint16_t selector;
  uint8_t ist;
  uint8_t type;
  uint16_t offset_mid;
  uint32_t offset_high;
  uint32_t reserved;
};

struct [[gnu::packed]] TableRegister {
  uint16_t limit;
  uint64_t base;
};

alignas(16) uint64_t g_gdt[5] = {
    0,
    0x00AF9B000000FFFF,  // 0x08: 64-bit code
    0x00CF93000000FFFF,  // 0x10: data
    0,
    0,  // 0x18: the TSS (16 bytes)
};
Tss g_tss;
alignas(16) uint8_t g_ist_stack[16 * 1024];  // faults that must not use the faulting stack
alignas(16) IdtEntry g_idt[256];
uintptr_t g_lapic = 0xFEE00000;
constexpr uintptr_t kIoApic = 0xFEC00000;
uint64_t g_lapic_ticks_per_ms = 0;

void set_gate(int vector, void (*handler)(), uint8_t ist) {
  auto a = reinterpret_cast<uint64_t>(handler);
  g_idt[vector] = IdtEntry{uint16_t(a), 0x08, ist, 0x8E, uint16_t(a >> 16), uint32_t(a >> 32), 0};
}

uint32_t lapic_read(uint32_t reg) {
  return mmio_read<uint32_t>(g_lapic + reg);
}
void lapic_write(uint32_t reg, uint32_t v) {
  mmio_write<uint32_t>(g_lapic + reg, v);
}

constexpr uint32_t kLapicId = 0x20, kLapicEoi = 0xB0, kLapicSvr = 0xF0, kLapicLvtTimer = 0x320;
constexpr uint32_t kLapicInitialCount = 0x380, kLapicCurrentCount = 0x390, kLapicDivide = 0x3E0;
constexpr uint32_t kLvtMasked = 1u << 16;

}  // namespace

void cpu_tables_init() {
  // Mask both 8259 PICs: interrupts come through the local APIC only.
  outb(0x21, 0xFF);
  outb(0xA1, 0xFF);

  g_tss.ist[0] = reinterpret_cast<uint64_t>(g_ist_stack + sizeof(g_ist_stack));
  g_tss.iomap_base = sizeof(Tss);
  auto base = reinterpret_cast<uint64_t>(&g_tss);
  uint64_t limit = sizeof(Tss) - 1;
  g_gdt[3] = (limit & 0xFFFF) | ((base & 0xFFFFFF) << 16) | (0x89ull << 40) |
             (((limit >> 16) & 0xF) << 48) | (((base >> 24) & 0xFF) << 56);
  g_gdt[4] = base >> 32;
  TableRegister gdtr{sizeof(g_gdt) - 1, reinterpret_cast<uint64_t>(g_gdt)};
  asm volatile(
      "lgdt %0\n"
      "pushq $0x08\n"
      "leaq 1f(%%rip), %%rax\n"
      "pushq %%rax\n"
      "lretq\n"
      "1:\n"
      "mov $0x10, %%ax\n"
      "mov %%ax, %%ds\n"
      "mov %%ax, %%es\n"
      "mov %%ax, %%ss\n"
      "mov $0x18, %%ax\n"
      "ltr %%ax\n" ::"m"(gdtr)
      : "rax", "memory");

  void (*const exceptions[32])() = {isr_0,  isr_1,  isr_2,  isr_3,  isr_4,  isr_5,  isr_6,  isr_7,
                                    isr_8,  isr_9,  isr_10, isr_11, isr_12, isr_13, isr_14, isr_15,
                                    isr_16, isr_17, isr_18, isr_19, isr_20, isr_21, isr_22, isr_23,
                                    isr_24, isr_25, isr_26, isr_27, isr_28, isr_29, isr_30, isr_31};
  for (int v = 0; v < 32; ++v) {
    // NMI, double fault and page fault run on the IST stack: a stack overflow faults on the
    // guard page and must still be able to report itself.
    uint8_t ist = (v == 2 || v == 8 || v == 14) ? 1 : 0;
    set_gate(v, exceptions[v], ist);
  }
  for (int v = 32; v < 255; ++v) set_gate(v, isr_wake, 0);
  set_gate(kSpuriousVector, isr_spurious, 0);
  TableRegister idtr{sizeof(g_idt) - 1, reinterpret_cast<uint64_t>(g_idt)};
  asm volatile("lidt %0" ::"m"(idtr));
}

void lapic_init() {
  uint64_t base = rdmsr(0x1B);
  wrmsr(0x1B, base | (1u << 11));  // global enable
  g_lapic = base & 0xFFFFF000;
  map_mmio(g_lapic, 4096);
  lapic_eoi_register = g_lapic + kLapicEoi;
  lapic_write(kLapicSvr, 0x100 | kSpuriousVector);  // software enable
  lapic_write(kLapicLvtTimer, kLvtMasked | kTimerVector);
  lapic_write(kLapicDivide, 0x3);  // divide by 16
}

uint32_t lapic_id() {
  return lapic_read(kLapicId) >> 24;
}

uint64_t msi_address() {
  return 0xFEE00000ull | (uint64_t(lapic_id()) << 12);
}

void lapic_timer_start_count() {
  lapic_write(kLapicLvtTimer, kLvtMasked | kTimerVector);
  lapic_write(kLapicInitialCount, 0xFFFFFFFF);
}

uint32_t lapic_timer_elapsed() {
  return 0xFFFFFFFF - lapic_read(kLapicCurrentCount);
}

void lapic_timer_set_rate(uint64_t ticks_per_ms) {
  g_lapic_ticks_per_ms = ticks_per_ms ? ticks_per_ms : 1;
  lapic_write(kLapicInitialCount, 0);
  lapic_write(kLapicLvtTimer, kTimerVector);  // one-shot, unmasked
}

void lapic_timer_arm_ms(int64_t ms) {
  if (ms < 1) ms = 1;
  uint64_t ticks = uint64_t(ms) * g_lapic_ticks_per_ms;
  if (ticks > 0xFFFFFFFF) ticks = 0xFFFFFFFF;
  lapic_write(kLapicInitialCount, uint32_t(ticks));
}

void ioapic_route(uint32_t gsi) {
  // QEMU's microvm has a second I/O APIC (at +64 KiB) for GSIs 24 and up.
  uintptr_t base = kIoApic;
  if (gsi >= 24) {
    base += 0x10000;
    gsi -= 24;
  }
  map_mmio(base, 4096);
  auto write = [base](uint32_t reg, uint32_t v) {
    mmio_write<uint32_t>(base, reg);
    mmio_write<uint32_t>(base + 0x10, v);
  };
  write(0x10 + 2 * gsi + 1, lapic_id() << 24);
  write(0x10 + 2 * gsi, kDeviceVector);  // fixed delivery, physical, active high, edge
}

}  // namespace mayfly::kernel
