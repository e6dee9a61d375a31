#include "kernel/acpi.h"

namespace mayfly::kernel {
namespace {

constexpr size_t kHeaderSize = 36;             // every system description table (§5.2.6)
constexpr uint32_t kMaxRootTable = 64 * 1024;  // far beyond any real RSDT/XSDT
constexpr uint32_t kMaxMcfg = 16 * 1024;

uint32_t le32(const uint8_t* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}
uint64_t le64(const uint8_t* p) {
  return uint64_t(le32(p)) | uint64_t(le32(p + 4)) << 32;
}
bool same(const uint8_t* p, const char* tag, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (p[i] != uint8_t(tag[i])) return false;
  }
  return true;
}

class Memory {
 public:
  Memory(PhysicalReader reader, void* context) : read_(reader), context_(context) {}
  bool read(uint64_t address, void* out, size_t size) const {
    if (address + size < address) return false;
    return read_(context_, address, out, size);
  }
  // The byte sum of [address, address + size) in chunks; false when unreadable.
  bool sums_to_zero(uint64_t address, uint32_t size) const {
    uint8_t chunk[256];
    uint8_t sum = 0;
    for (uint32_t done = 0; done < size;) {
      uint32_t n = size - done < sizeof chunk ? size - done : uint32_t(sizeof chunk);
      if (!read(address + done, chunk, n)) return false;
      for (uint32_t i = 0; i < n; ++i) sum = uint8_t(sum + chunk[i]);
      done += n;
    }
    return sum == 0;
  }

 private:
  PhysicalReader read_;
  void* context_;
};

// An RSDP at `address`: signature, the ACPI 1.0 checksum over 20 bytes, and for revision
// 2+ the extended checksum over its stated length. Yields the root table's address.
bool read_rsdp(const Memory& memory, uint64_t address, uint64_t& root, bool& extended) {
  uint8_t rsdp[36];
  if (!memory.read(address, rsdp, 20) || !same(rsdp, "RSD PTR ", 8)) return false;
  if (!memory.sums_to_zero(address, 20)) return false;
  extended = false;
  root = le32(rsdp + 16);
  if (rsdp[15] >= 2 && memory.read(address, rsdp, 36)) {
    uint32_t length = le32(rsdp + 20);
    uint64_t xsdt = le64(rsdp + 24);
    if (length >= 36 && length <= 1024 && memory.sums_to_zero(address, length) && xsdt != 0) {
      root = xsdt;
      extended = true;
    }
  }
  return root != 0;
}

// §5.2.5.1: in the first KiB of the EBDA, then in the BIOS ROM area, on 16-byte bounds.
bool search_rsdp(const Memory& memory, uint64_t& root, bool& extended) {
  uint8_t segment[2];
  if (memory.read(0x40E, segment, 2)) {
    uint64_t ebda = uint64_t(segment[0] | segment[1] << 8) << 4;
    if (ebda >= 0x80000 && ebda < 0xA0000) {
      for (uint64_t at = ebda; at < ebda + 1024; at += 16) {
        if (read_rsdp(memory, at, root, extended)) return true;
      }
    }
  }
  for (uint64_t at = 0xE0000; at < 0x100000; at += 16) {
    if (read_rsdp(memory, at, root, extended)) return true;
  }
  return false;
}

// A table's header at `address` with the expected signature and a length within bounds
// whose bytes sum to zero.
bool read_table(const Memory& memory, uint64_t address, const char* signature, uint32_t max_length,
                uint32_t& length) {
  uint8_t header[kHeaderSize];
  if (!memory.read(address, header, kHeaderSize) || !same(header, signature, 4)) return false;
  length = le32(header + 4);
  return length >= kHeaderSize && length <= max_length && memory.sums_to_zero(address, length);
}

}  // namespace

const char* describe(AcpiResult result) {
  switch (result) {
    case AcpiResult::Found:
      return "found";
    case AcpiResult::NoRsdp:
      return "no ACPI RSDP";
    case AcpiResult::BadRoot:
      return "the ACPI root table is damaged";
    case AcpiResult::NoMcfg:
      return "no ACPI MCFG table";
    case AcpiResult::NoSegment0:
      return "the MCFG table has no entry for segment 0, bus 0";
  }
  return "?";
}

AcpiResult find_ecam(PhysicalReader read, void* context, uint64_t rsdp_hint, EcamRegion& out) {
  Memory memory(read, context);
  uint64_t root = 0;
  bool extended = false;
  if (!(rsdp_hint != 0 && read_rsdp(memory, rsdp_hint, root, extended)) &&
      !search_rsdp(memory, root, extended)) {
    return AcpiResult::NoRsdp;
  }
  uint32_t root_length = 0;
  if (!read_table(memory, root, extended ? "XSDT" : "RSDT", kMaxRootTable, root_length)) {
    return AcpiResult::BadRoot;
  }
  const uint32_t pointer_size = extended ? 8 : 4;
  bool saw_mcfg = false;
  for (uint32_t at = kHeaderSize; at + pointer_size <= root_length; at += pointer_size) {
    uint8_t pointer[8] = {};
    if (!memory.read(root + at, pointer, pointer_size)) return AcpiResult::BadRoot;
    uint64_t table = extended ? le64(pointer) : le32(pointer);
    uint32_t length = 0;
    if (table == 0 || !read_table(memory, table, "MCFG", kMaxMcfg, length)) continue;
    saw_mcfg = true;
    // The header, 8 reserved bytes, then 16-byte allocation entries.
    for (uint32_t entry = kHeaderSize + 8; entry + 16 <= length; entry += 16) {
      uint8_t e[16];
      if (!memory.read(table + entry, e, sizeof e)) break;
      EcamRegion region;
      region.base = le64(e);
      region.segment = uint16_t(e[8] | e[9] << 8);
      region.first_bus = e[10];
      region.last_bus = e[11];
      // Each bus takes 1 MiB of the window (32 devices x 8 functions x 4 KiB).
      if (region.segment != 0 || region.first_bus != 0 || region.last_bus < region.first_bus ||
          region.base == 0 || (region.base & 0xFFFFF) != 0) {
        continue;
      }
      out = region;
      return AcpiResult::Found;
    }
  }
  return saw_mcfg ? AcpiResult::NoSegment0 : AcpiResult::NoMcfg;
}

}  // namespace mayfly::kernel
