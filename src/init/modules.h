#pragma once
// Kernel modules of the initramfs: /lib/modules/load.txt lists them, one path a line, in
// dependency order (mayfly image resolved them from the kernel's modules.dep).
#include <string>

namespace mayfly::init {

// Loads each listed module with finit_module(2). A module that fails is reported and
// skipped (ena and nvme find no device under QEMU, which is fine: only the probe fails,
// loading succeeds; a signature or symbol error would show here). Returns how many loaded.
int load_modules(const std::string& list_path);

}  // namespace mayfly::init
