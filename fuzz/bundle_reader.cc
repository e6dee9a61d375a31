// Fuzzes the bundle reader with arbitrary files. The checksum would reject nearly every
// mutation before the structural checks run, so the input's trailer is recomputed
// (half the time) to reach the layout validation, the index and every entry.
#include <cstdint>
#include <cstring>
#include <vector>

#include "bundle/format.h"
#include "bundle/reader.h"
#include "core/bytes.h"
#include "core/xxhash64.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  bool reseal = data[0] & 1;
  std::vector<uint8_t> img(data + 1, data + size);
  if (reseal && img.size() >= mayfly::bundle::kHeaderSize + mayfly::bundle::kTrailerSize) {
    mayfly::store_le64(img.data() + mayfly::bundle::hdr::file_size, img.size());
    size_t body = img.size() - mayfly::bundle::kTrailerSize;
    mayfly::store_le64(img.data() + body, mayfly::xxhash64(img.data(), body));
  }
  mayfly::bundle::Bundle b;
  if (b.open(img.data(), img.size()) != mayfly::bundle::Error::None) return 0;
  volatile uint64_t sink = 0;
  for (uint32_t i = 0; i < b.entry_count(); ++i) {
    mayfly::bundle::Entry e = b.entry(i);
    mayfly::bundle::Entry found;
    if (!b.find(e.path, found) || found.index != i) __builtin_trap();
    for (const auto& v : e.variants)
      if (v.size) sink = sink + v.data[0] + v.data[v.size - 1];
    sink = sink + e.content_type.size() + e.etag.size() + e.cache_control.size();
  }
  mayfly::bundle::Entry nf;
  if (b.not_found(nf)) sink = sink + nf.path.size();
  sink = sink + b.extra_headers().size() + b.index_name().size();
  return 0;
}
