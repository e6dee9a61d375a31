#pragma once
// Writes a whole file or nothing: a temporary file beside the target, then rename(2).
// A failed or interrupted write never leaves a half-written output.
#include <cstddef>
#include <cstdint>
#include <string>

namespace mayfly::hosted {

// Throws std::runtime_error naming the path and the reason.
void write_file_atomic(const std::string& path, const uint8_t* data, size_t size);

}  // namespace mayfly::hosted
