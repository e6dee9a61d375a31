#include "net/wire/checksum.h"

#include <gtest/gtest.h>

#include <vector>

namespace mayfly::net {
namespace {

TEST(Checksum, Rfc1071Example) {
  // RFC 1071 §3: the bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2 (checksum 220d).
  const uint8_t b[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  Checksum c;
  c.add(b);
  EXPECT_EQ(c.folded(), 0xddf2);
  EXPECT_EQ(c.finish(), 0x220d);
  EXPECT_EQ(internet_checksum(b), 0x220d);
}

TEST(Checksum, IncrementalSplitsMatchWhole) {
  std::vector<uint8_t> data(257);
  for (size_t i = 0; i < data.size(); ++i) data[i] = uint8_t(i * 37 + 11);
  uint16_t whole = internet_checksum(data);
  for (size_t a = 0; a <= data.size(); a += 7) {
    for (size_t b = a; b <= data.size(); b += 13) {
      Checksum c;
      c.add(std::span<const uint8_t>(data).subspan(0, a));
      c.add(std::span<const uint8_t>(data).subspan(a, b - a));
      c.add(std::span<const uint8_t>(data).subspan(b));
      ASSERT_EQ(c.finish(), whole) << a << " " << b;
    }
  }
}

TEST(Checksum, WordsAfterOddByteKeepAlignment) {
  const uint8_t b[] = {0x12, 0x34, 0x56, 0x78, 0x9a};
  Checksum a;
  a.add(std::span<const uint8_t>(b, 1));
  a.add_u16(0x3456);
  a.add_u16(0x789a);
  EXPECT_EQ(a.finish(), internet_checksum(b));
  Checksum w;
  w.add(std::span<const uint8_t>(b, 1));
  w.add_u32(0x3456789a);
  EXPECT_EQ(w.finish(), internet_checksum(b));
}

TEST(Checksum, RegionWithItsChecksumFoldsToAllOnes) {
  uint8_t b[] = {0x45, 0x00, 0x00, 0x1c, 0xab, 0xcd, 0x00, 0x00, 0x40, 0x01,
                 0x00, 0x00, 0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02};
  uint16_t s = internet_checksum(b);
  b[10] = uint8_t(s >> 8);
  b[11] = uint8_t(s);
  Checksum c;
  c.add(b);
  EXPECT_EQ(c.folded(), 0xffff);
}

}  // namespace
}  // namespace mayfly::net
