#pragma once
// The last step of the loader: from the firmware's 64-bit long mode to the PVH entry's
// 32-bit protected mode with paging off (docs/kernel.md), so the kernel has one entry.
#include <stdint.h>

// Copies the trampoline (code and its GDT) to the start of `page`, a page below 1 MiB
// that the firmware maps identity and executable.
void install_trampoline(uint8_t* page);

// Jumps through the copy: loads the GDT, far-returns into its 32-bit code segment, turns
// paging off, clears EFER.LME and jumps to `entry` with EBX = `start_info`.
[[noreturn]] void enter_pvh(uint8_t* page, uint32_t start_info, uint32_t entry);
