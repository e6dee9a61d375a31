#pragma once
// CRC-32 (ISO 3309 / ITU-T V.42, reflected polynomial 0xEDB88320): the checksum GPT headers
// and partition arrays carry (UEFI 2.10 §5.3.2) and the one gzip trailers carry (RFC 1952).
#include <cstddef>
#include <cstdint>

namespace mayfly::image {

// crc32(data) for one buffer; pass the previous result as `crc` to continue a running sum.
uint32_t crc32(const void* data, size_t size, uint32_t crc = 0);

}  // namespace mayfly::image
