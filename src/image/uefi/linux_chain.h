#pragma once
// The Linux fallback flavour: chain-loads the kernel's own EFI stub (an x86 bzImage is a
// PE32+ application, Linux Documentation/admin-guide/efi-stub.rst) with the firmware's
// LoadImage/StartImage, the command line in its LoadOptions, and the initramfs offered
// through LoadFile2 on Linux's initrd media device path.
#include "image/uefi/efi.h"

namespace mayfly_uefi {

struct LinuxBoot {
  const uint8_t* kernel = nullptr;  // \mayfly\vmlinuz, read by the caller
  uint64_t kernel_size = 0;
  const uint8_t* initrd = nullptr;  // \mayfly\initrd.img
  uint64_t initrd_size = 0;
  const char* cmdline = nullptr;  // \mayfly\cmdline.txt, NUL-terminated
};

// Returns only on failure, with the step that failed in `what`.
efi::Status start_linux(efi::Handle image, efi::SystemTable* st, const LinuxBoot& boot,
                        const char*& what);

}  // namespace mayfly_uefi
