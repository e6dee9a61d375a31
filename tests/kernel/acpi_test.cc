// The kernel's ACPI walk (src/kernel/acpi.cc) on tables built here byte by byte: RSDP
// revisions 0 and 2, RSDT and XSDT, an MCFG with several entries, and damage.
#include "kernel/acpi.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace mayfly::kernel {
namespace {

// Physical memory as a few placed byte strings.
struct FakeMemory {
  std::map<uint64_t, std::vector<uint8_t>> pieces;
  static bool read(void* context, uint64_t address, void* out, size_t size) {
    for (const auto& [base, bytes] : static_cast<FakeMemory*>(context)->pieces) {
      if (address >= base && address + size <= base + bytes.size()) {
        std::memcpy(out, bytes.data() + (address - base), size);
        return true;
      }
    }
    return false;
  }
};

void put32(std::vector<uint8_t>& b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = uint8_t(v >> (8 * i));
}
void put64(std::vector<uint8_t>& b, size_t at, uint64_t v) {
  put32(b, at, uint32_t(v));
  put32(b, at + 4, uint32_t(v >> 32));
}
// Makes bytes [from, to) sum to zero through the byte at `checksum`.
void fix_checksum(std::vector<uint8_t>& b, size_t checksum, size_t from, size_t to) {
  b[checksum] = 0;
  uint8_t sum = 0;
  for (size_t i = from; i < to; ++i) sum = uint8_t(sum + b[i]);
  b[checksum] = uint8_t(-sum);
}

std::vector<uint8_t> table(const char* signature, std::vector<uint8_t> body) {
  std::vector<uint8_t> t(36 + body.size(), 0);
  std::memcpy(t.data(), signature, 4);
  std::copy(body.begin(), body.end(), t.begin() + 36);
  put32(t, 4, uint32_t(t.size()));
  t[8] = 1;
  fix_checksum(t, 9, 0, t.size());
  return t;
}

std::vector<uint8_t> mcfg(const std::vector<EcamRegion>& regions) {
  std::vector<uint8_t> body(8, 0);
  for (const auto& r : regions) {
    std::vector<uint8_t> e(16, 0);
    put64(e, 0, r.base);
    e[8] = uint8_t(r.segment);
    e[9] = uint8_t(r.segment >> 8);
    e[10] = r.first_bus;
    e[11] = r.last_bus;
    body.insert(body.end(), e.begin(), e.end());
  }
  return table("MCFG", body);
}

std::vector<uint8_t> rsdp(int revision, uint32_t rsdt, uint64_t xsdt) {
  std::vector<uint8_t> r(36, 0);
  std::memcpy(r.data(), "RSD PTR ", 8);
  r[15] = uint8_t(revision);
  put32(r, 16, rsdt);
  put32(r, 20, 36);
  put64(r, 24, xsdt);
  fix_checksum(r, 8, 0, 20);
  fix_checksum(r, 32, 0, 36);
  return r;
}

TEST(KernelAcpi, XsdtThroughTheHint) {
  FakeMemory m;
  m.pieces[0x7000] = rsdp(2, 0, 0x8000);
  m.pieces[0x9000] = table("APIC", std::vector<uint8_t>(40, 7));
  m.pieces[0xA000] = mcfg({{0x1234500000, 1, 0, 255}, {0xB0000000, 0, 0, 255}});
  std::vector<uint8_t> pointers(16);
  put64(pointers, 0, 0x9000);
  put64(pointers, 8, 0xA000);
  m.pieces[0x8000] = table("XSDT", pointers);
  EcamRegion region;
  ASSERT_EQ(find_ecam(FakeMemory::read, &m, 0x7000, region), AcpiResult::Found);
  EXPECT_EQ(region.base, 0xB0000000u);  // segment 1's entry is skipped
  EXPECT_EQ(region.last_bus, 255);
}

TEST(KernelAcpi, RsdtFoundByTheBiosSearch) {
  FakeMemory m;
  std::vector<uint8_t> bios(0x20000, 0);
  auto r = rsdp(0, 0x8000, 0);
  std::memcpy(bios.data() + 0x1230, r.data(), 20);  // 16-byte aligned in 0xE0000-0xFFFFF
  m.pieces[0xE0000] = bios;
  std::vector<uint8_t> pointers(4);
  put32(pointers, 0, 0xA000);
  m.pieces[0x8000] = table("RSDT", pointers);
  m.pieces[0xA000] = mcfg({{0xE0000000, 0, 0, 63}});
  EcamRegion region;
  ASSERT_EQ(find_ecam(FakeMemory::read, &m, 0, region), AcpiResult::Found);
  EXPECT_EQ(region.base, 0xE0000000u);
  EXPECT_EQ(region.last_bus, 63);
}

TEST(KernelAcpi, DamageIsRefused) {
  FakeMemory m;
  m.pieces[0x7000] = rsdp(2, 0, 0x8000);
  std::vector<uint8_t> pointers(8);
  put64(pointers, 0, 0xA000);
  m.pieces[0x8000] = table("XSDT", pointers);
  m.pieces[0xA000] = mcfg({{0xB0000000, 0, 0, 255}});
  EcamRegion region;
  ASSERT_EQ(find_ecam(FakeMemory::read, &m, 0x7000, region), AcpiResult::Found);

  m.pieces[0xA000][40] ^= 1;  // MCFG checksum broken: as if there were no MCFG
  EXPECT_EQ(find_ecam(FakeMemory::read, &m, 0x7000, region), AcpiResult::NoMcfg);
  m.pieces[0xA000] = mcfg({{0xB0080000, 0, 0, 255}});  // not 1 MiB aligned
  EXPECT_EQ(find_ecam(FakeMemory::read, &m, 0x7000, region), AcpiResult::NoSegment0);
  m.pieces[0xA000] = mcfg({{0xB0000000, 0, 0, 255}});
  put32(m.pieces[0x8000], 4, 0x7FFFFFFF);  // a root table longer than memory
  EXPECT_EQ(find_ecam(FakeMemory::read, &m, 0x7000, region), AcpiResult::BadRoot);
  m.pieces[0x7000][0] = 'X';  // no RSDP at the hint, none in the BIOS area
  EXPECT_EQ(find_ecam(FakeMemory::read, &m, 0x7000, region), AcpiResult::NoRsdp);
  EXPECT_STREQ(describe(AcpiResult::NoMcfg), "no ACPI MCFG table");
}

}  // namespace
}  // namespace mayfly::kernel
