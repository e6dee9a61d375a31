#pragma once
// A parallel loop for the generator's stages: reading posts, rendering, copying files.
#include <cstddef>
#include <functional>

namespace mayfly::site {

// Runs fn(i) for i in [0, n) on `threads` threads; rethrows the first exception.
void parallel_for(size_t n, unsigned threads, const std::function<void(size_t)>& fn);

}  // namespace mayfly::site
