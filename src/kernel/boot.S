// The kernel's single entry point: the PVH boot protocol (Xen's
// XEN_ELFNOTE_PHYS32_ENTRY). The loader enters pvh_start32 in 32-bit protected mode with
// paging off, flat 4 GiB segments and %ebx = physical address of struct hvm_start_info.
// We zero .bss, build identity page tables for the first 4 GiB (2 MiB pages), switch to
// long mode, turn SSE on and call kernel_main(start_info). docs/kernel.md has the contract.

#define CR0_PE (1 << 0)
#define CR0_MP (1 << 1)
#define CR0_EM (1 << 2)
#define CR0_WP (1 << 16)
#define CR0_PG (1 << 31)
#define CR4_PAE (1 << 5)
#define CR4_OSFXSR (1 << 9)
#define CR4_OSXMMEXCPT (1 << 10)
#define MSR_EFER 0xC0000080
#define EFER_LME (1 << 8)
#define EFER_NXE (1 << 11)

// ---- The PVH ELF note: name "Xen", type 18, the 32-bit entry as a zero-padded quad
// (older QEMU reads 8 bytes from an ELF64 note).
  .section .note.Xen, "a", @note
  .p2align 2
  .long 4            // namesz
  .long 8            // descsz
  .long 18           // XEN_ELFNOTE_PHYS32_ENTRY
  .asciz "Xen"
  .p2align 2
  .quad pvh_start32

  .section .boot.text, "ax", @progbits
  .code32
  .globl pvh_start32
pvh_start32:
  cli
  cld
  mov %ebx, %esi                      // keep the start_info pointer

  // Zero .bss (the loader zero-fills it too, but a UEFI loader may not).
  mov $__bss_start, %edi
  mov $__bss_end, %ecx
  sub %edi, %ecx
  shr $2, %ecx
  xor %eax, %eax
  rep stosl

  // Boot page tables: PML4[0] -> PDPT, PDPT[0..3] -> 4 page directories of 2 MiB pages.
  mov $boot_pdpt, %eax
  or $3, %eax
  mov %eax, boot_pml4
  mov $boot_pd, %edi
  xor %ecx, %ecx
1:
  mov %ecx, %eax
  shl $21, %eax
  or $0x83, %eax                      // present, writable, 2 MiB
  mov %eax, (%edi,%ecx,8)
  movl $0, 4(%edi,%ecx,8)
  inc %ecx
  cmp $2048, %ecx
  jne 1b
  mov $boot_pd, %eax
  or $3, %eax
  mov %eax, boot_pdpt
  add $4096, %eax
  mov %eax, boot_pdpt + 8
  add $4096, %eax
  mov %eax, boot_pdpt + 16
  add $4096, %eax
  mov %eax, boot_pdpt + 24

  lgdt gdt_descriptor32
  mov %cr4, %eax
  or $(CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT), %eax
  mov %eax, %cr4
  mov $boot_pml4, %eax
  mov %eax, %cr3
  mov $MSR_EFER, %ecx
  rdmsr
  or $(EFER_LME | EFER_NXE), %eax
  wrmsr
  mov %cr0, %eax
  and $~CR0_EM, %eax
  or $(CR0_PE | CR0_MP | CR0_WP | CR0_PG), %eax
  mov %eax, %cr0
  ljmp $0x08, $long_mode_entry

  .code64
long_mode_entry:
  mov $0x10, %ax
  mov %ax, %ds
  mov %ax, %es
  mov %ax, %ss
  xor %eax, %eax
  mov %ax, %fs
  mov %ax, %gs
  lea boot_stack_top(%rip), %rsp
  xor %ebp, %ebp                      // ends the backtrace
  mov %esi, %edi                      // kernel_main(start_info physical address)
  call kernel_main
2:
  cli
  hlt
  jmp 2b

// ---- Interrupt and exception entry. Each vector pushes an error code (a zero where the CPU
// pushes none) and its number, then the common path saves the registers and calls
// exception_entry(frame). Exceptions never return (they panic).
  .text
.macro EXC_NOERR n
  .globl isr_\n
isr_\n:
  pushq $0
  pushq $\n
  jmp exception_common
.endm
.macro EXC_ERR n
  .globl isr_\n
isr_\n:
  pushq $\n
  jmp exception_common
.endm

EXC_NOERR 0
EXC_NOERR 1
EXC_NOERR 2
EXC_NOERR 3
EXC_NOERR 4
EXC_NOERR 5
EXC_NOERR 6
EXC_NOERR 7
EXC_ERR 8
EXC_NOERR 9
EXC_ERR 10
EXC_ERR 11
EXC_ERR 12
EXC_ERR 13
EXC_ERR 14
EXC_NOERR 15
EXC_NOERR 16
EXC_ERR 17
EXC_NOERR 18
EXC_NOERR 19
EXC_NOERR 20
EXC_ERR 21
EXC_NOERR 22
EXC_NOERR 23
EXC_NOERR 24
EXC_NOERR 25
EXC_NOERR 26
EXC_NOERR 27
EXC_NOERR 28
EXC_ERR 29
EXC_ERR 30
EXC_NOERR 31

exception_common:
  push %rax
  push %rbx
  push %rcx
  push %rdx
  push %rsi
  push %rdi
  push %rbp
  push %r8
  push %r9
  push %r10
  push %r11
  push %r12
  push %r13
  push %r14
  push %r15
  mov %rsp, %rdi
  and $~15, %rsp
  call exception_entry
3:
  cli
  hlt
  jmp 3b

// Device and timer interrupts only wake the CPU from HLT: the main loop polls the rings
// and timers after every wake-up. The handler signals end-of-interrupt to the local APIC
// and returns; it touches no other state (so no SSE state needs saving).
  .globl isr_wake
isr_wake:
  push %rax
  incq interrupt_count(%rip)
  mov lapic_eoi_register(%rip), %rax
  movl $0, (%rax)
  pop %rax
  iretq

  .globl isr_spurious
isr_spurious:
  iretq

// ---- Data
  .data
  .p2align 3
  .globl interrupt_count
interrupt_count:
  .quad 0
  .globl lapic_eoi_register
lapic_eoi_register:
  .quad 0xFEE000B0

  .section .rodata
  .p2align 3
  .globl gdt
gdt:
  .quad 0                             // null
  .quad 0x00AF9B000000FFFF            // 0x08: 64-bit code
  .quad 0x00CF93000000FFFF            // 0x10: data
gdt_end:
gdt_descriptor32:
  .word gdt_end - gdt - 1
  .long gdt

  .bss
  .p2align 12
boot_pml4:
  .skip 4096
boot_pdpt:
  .skip 4096
boot_pd:
  .skip 4 * 4096
  .globl boot_stack_guard
boot_stack_guard:                     // unmapped once the kernel's page tables are up
  .skip 4096
  .globl boot_stack_bottom
boot_stack_bottom:
  .skip 64 * 1024
  .globl boot_stack_top
boot_stack_top:
  .section .note.GNU-stack, "", @progbits
