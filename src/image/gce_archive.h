#pragma once
// The archive Google Compute Engine imports: a gzip-compressed tar holding one file named
// disk.raw whose size is a whole number of GiB. Deterministic: fixed mtime, owner and
// mode, no timestamp in the gzip header.
#include <cstdint>
#include <string>
#include <vector>

namespace mayfly::image {

inline constexpr uint64_t kGceDiskMultiple = uint64_t(1) << 30;

// Writes the archive for `disk` (padded with zeros to the next GiB) to `path` through a
// temporary file and rename(2). Throws std::runtime_error naming the path on failure.
void write_gce_archive(const std::string& path, const std::vector<uint8_t>& disk, int64_t mtime);

}  // namespace mayfly::image
