#include "image/uefi/trampoline.h"

#include <stddef.h>

extern "C" void* memcpy(void* d, const void* s, size_t n);
extern "C" const uint8_t mayfly_trampoline_start[];
extern "C" const uint8_t mayfly_trampoline_end[];

// Called with the Microsoft x64 convention: RCX = the copy's address, EDX = start info,
// R8D = entry. Position-independent: every address is taken relative to RCX. Descriptors
// have the accessed bit set already so the CPU never writes to the GDT.
// (Intel SDM vol. 3 §10.8.5.4 "Switching out of IA-32e mode operation".)
asm(R"(
  .text
  .globl mayfly_trampoline_start
  .globl mayfly_trampoline_end
  .p2align 4
mayfly_trampoline_start:
  .code64
  cli
  movl %edx, %ebx
  movl %r8d, %esi
  leaq (mayfly_gdt - mayfly_trampoline_start)(%rcx), %rax
  subq $16, %rsp
  movw $(mayfly_gdt_end - mayfly_gdt - 1), (%rsp)
  movq %rax, 2(%rsp)
  lgdt (%rsp)
  leaq (mayfly_code32 - mayfly_trampoline_start)(%rcx), %rax
  pushq $0x10
  pushq %rax
  lretq
  .code32
mayfly_code32:
  movl $0x18, %eax
  movl %eax, %ds
  movl %eax, %es
  movl %eax, %ss
  movl %eax, %fs
  movl %eax, %gs
  movl %cr0, %eax
  andl $0x7FFFFFFF, %eax
  movl %eax, %cr0
  movl $0xC0000080, %ecx
  rdmsr
  andl $0xFFFFFEFF, %eax
  wrmsr
  movl %cr4, %eax
  andl $0xFFFFFFDF, %eax
  movl %eax, %cr4
  jmp *%esi
  .code64
  .p2align 3
mayfly_gdt:
  .quad 0
  .quad 0x00AF9B000000FFFF
  .quad 0x00CF9B000000FFFF
  .quad 0x00CF93000000FFFF
mayfly_gdt_end:
mayfly_trampoline_end:
)");

void install_trampoline(uint8_t* page) {
  memcpy(page, mayfly_trampoline_start, size_t(mayfly_trampoline_end - mayfly_trampoline_start));
}

void enter_pvh(uint8_t* page, uint32_t start_info, uint32_t entry) {
  using Jump = void (*)(uint64_t copy, uint32_t start_info, uint32_t entry);
  reinterpret_cast<Jump>(page)(reinterpret_cast<uint64_t>(page), start_info, entry);
  __builtin_unreachable();
}
