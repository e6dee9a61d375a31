// Our freestanding XXH64 must agree with the reference library bit for bit: bundles are
// checksummed by the writer and verified by the kernel with this code.
#include <gtest/gtest.h>
#include <xxhash.h>

#include <random>
#include <vector>

#include "core/xxhash64.h"

TEST(XxHash64, MatchesLibxxhashForEveryLengthUpTo300) {
  std::mt19937_64 rng(42);
  std::vector<uint8_t> data(300);
  for (auto& b : data) b = uint8_t(rng());
  for (size_t len = 0; len <= data.size(); ++len) {
    for (uint64_t seed : {0ull, 1ull, 0x9E3779B97F4A7C15ull}) {
      EXPECT_EQ(mayfly::xxhash64(data.data(), len, seed), XXH64(data.data(), len, seed))
          << "len " << len << " seed " << seed;
    }
  }
}

TEST(XxHash64, MatchesLibxxhashOnLargeUnalignedInput) {
  std::vector<uint8_t> data(1 << 20);
  for (size_t i = 0; i < data.size(); ++i) data[i] = uint8_t(i * 131 + (i >> 7));
  EXPECT_EQ(mayfly::xxhash64(data.data() + 3, data.size() - 3),
            XXH64(data.data() + 3, data.size() - 3, 0));
}

TEST(XxHash64, KnownValueOfEmptyInput) {
  // The published XXH64 of the empty string with seed 0.
  EXPECT_EQ(mayfly::xxhash64("", 0), 0xEF46DB3751D8E999ull);
}
