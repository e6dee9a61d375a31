#pragma once
// XXH64 (the published xxHash 64-bit algorithm), written for the freestanding core: the
// bundle reader verifies a bundle's checksum with it in the kernel, where libxxhash is not
// linked. The writer computes the same value; tests/core checks it against libxxhash.
#include <cstddef>
#include <cstdint>

namespace mayfly {

uint64_t xxhash64(const void* data, size_t len, uint64_t seed = 0);

}  // namespace mayfly
