#pragma once
// CPU tables and interrupt controllers: the GDT (with a TSS whose IST stack catches double
// faults and stack overflows), the IDT, the local APIC (its one-shot timer wakes HLT) and
// the I/O APIC (virtio-mmio lines on microvm). PCI devices use MSI-X instead.
#include <cstdint>

namespace mayfly::kernel {

constexpr uint8_t kTimerVector = 32;
constexpr uint8_t kDeviceVector = 33;
constexpr uint8_t kSpuriousVector = 0xFF;

void cpu_tables_init();  // GDT, TSS, IDT; masks the 8259 PICs
void lapic_init();       // enables the local APIC
uint32_t lapic_id();
uint64_t msi_address();          // for MSI/MSI-X: this CPU's message address
void lapic_timer_start_count();  // free-running count-down, for calibration
uint32_t lapic_timer_elapsed();  // ticks since lapic_timer_start_count
void lapic_timer_set_rate(uint64_t ticks_per_ms);
// Arms the one-shot timer to fire in `ms` milliseconds (at least 1).
void lapic_timer_arm_ms(int64_t ms);
// Routes I/O APIC input `gsi` to kDeviceVector on this CPU (edge-triggered, active high).
void ioapic_route(uint32_t gsi);
extern "C" volatile uint64_t interrupt_count;

}  // namespace mayfly::kernel
