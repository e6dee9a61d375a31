// A truncated, corrupt or hostile bundle is refused with a clear error, never read out of
// bounds. The tests run under ASan and UBSan in CI, which turns any stray read into a
// failure.
#include <gtest/gtest.h>

#include "bundle/format.h"
#include "bundle/reader.h"
#include "bundle/writer.h"
#include "bundle_test_util.h"
#include "core/bytes.h"
#include "core/xxhash64.h"

namespace mayfly::bundle {
namespace {

std::vector<uint8_t> sample() {
  WriteOptions o = testing::quiet_options();
  o.compress = false;
  return write_bundle(testing::small_site(), o);
}

// Recomputes the trailer so that only the structural checks stand between a hostile
// bundle and the reader.
void reseal(std::vector<uint8_t>& img) {
  size_t body = img.size() - kTrailerSize;
  store_le64(img.data() + body, xxhash64(img.data(), body));
}

Error open(const std::vector<uint8_t>& img) {
  Bundle b;
  return b.open(img.data(), img.size());
}

TEST(BundleCorruption, EveryTruncationIsRefused) {
  auto img = sample();
  for (size_t n = 0; n < img.size(); ++n) {
    std::vector<uint8_t> cut(img.begin(), img.begin() + n);
    EXPECT_NE(open(cut), Error::None) << "length " << n;
  }
}

TEST(BundleCorruption, EveryBitFlipIsRefused) {
  auto img = sample();
  for (size_t i = 0; i < img.size(); ++i) {
    auto bad = img;
    bad[i] ^= uint8_t(1u << (i % 8));
    EXPECT_NE(open(bad), Error::None) << "byte " << i;
  }
}

TEST(BundleCorruption, ErrorsAreDescribed) {
  auto img = sample();
  img[0] = 'X';
  EXPECT_EQ(open(img), Error::BadMagic);
  EXPECT_STREQ(describe(Error::BadMagic), "not a mayfly bundle (bad magic number)");
  img = sample();
  img.push_back(0);
  EXPECT_EQ(open(img), Error::SizeMismatch);
  img = sample();
  img[200] ^= 1;
  EXPECT_EQ(open(img), Error::BadChecksum);
  img = sample();
  store_le32(img.data() + hdr::version, 99);
  EXPECT_EQ(open(img), Error::UnsupportedVersion);
}

TEST(BundleCorruption, HostileLayoutsWithValidChecksums) {
  const auto good = sample();
  Bundle probe;
  ASSERT_EQ(probe.open(good.data(), good.size()), Error::None);
  const uint32_t count = probe.entry_count();
  const uint64_t entries = load_le64(good.data() + hdr::entries_off);
  const uint64_t hash = load_le64(good.data() + hdr::hash_off);
  const uint32_t slots = load_le32(good.data() + hdr::hash_slots);

  struct Case {
    const char* what;
    std::function<void(std::vector<uint8_t>&)> mutate;
    Error expect;
  };
  std::vector<Case> cases = {
      {"entry count beyond file",
       [](auto& b) { store_le32(b.data() + hdr::entry_count, 0x7fffffff); }, Error::BadHashTable},
      {"slots not a power of two", [](auto& b) { store_le32(b.data() + hdr::hash_slots, 33); },
       Error::BadHashTable},
      {"sections overlap", [&](auto& b) { store_le64(b.data() + hdr::hash_off, entries + 8); },
       Error::BadLayout},
      {"strings past the end",
       [](auto& b) { store_le64(b.data() + hdr::strings_size, uint64_t(1) << 62); },
       Error::BadLayout},
      {"data offset wraps", [](auto& b) { store_le64(b.data() + hdr::data_off, ~uint64_t(0) - 4); },
       Error::BadLayout},
      {"path offset out of range",
       [&](auto& b) { store_le32(b.data() + entries + ent::path, 0xfffffff0u); }, Error::BadEntry},
      {"variant size out of range",
       [&](auto& b) { store_le64(b.data() + entries + ent::variants + 8, uint64_t(1) << 40); },
       Error::BadEntry},
      {"variant offset wraps",
       [&](auto& b) {
         store_le64(b.data() + entries + ent::variants, ~uint64_t(0));
         store_le64(b.data() + entries + ent::variants + 8, 2);
       },
       Error::BadEntry},
      {"unknown entry kind", [&](auto& b) { store_le16(b.data() + entries + ent::kind, 7); },
       Error::BadEntry},
      {"entries out of order",
       [&](auto& b) {
         // swap the first two entries
         for (size_t i = 0; i < kEntrySize; ++i)
           std::swap(b[entries + i], b[entries + kEntrySize + i]);
       },
       Error::BadEntry},
      {"hash slot points past the entries",
       [&](auto& b) {
         for (uint32_t s = 0; s < slots; ++s)
           if (load_le32(b.data() + hash + 4 * s) != 0) {
             store_le32(b.data() + hash + 4 * s, count + 5);
             break;
           }
       },
       Error::BadHashTable},
      {"hash table full: probing would never stop",
       [&](auto& b) {
         for (uint32_t s = 0; s < slots; ++s) store_le32(b.data() + hash + 4 * s, 1);
       },
       Error::BadHashTable},
      {"entry missing from the index",
       [&](auto& b) {
         for (uint32_t s = 0; s < slots; ++s)
           if (load_le32(b.data() + hash + 4 * s) == 1) store_le32(b.data() + hash + 4 * s, 0);
       },
       Error::BadHashTable},
      {"404 entry out of range", [](auto& b) { store_le32(b.data() + hdr::not_found, 1000); },
       Error::BadSiteData},
      {"empty index name", [](auto& b) { store_le16(b.data() + hdr::index_name + 4, 0); },
       Error::BadSiteData},
      {"extra headers out of range",
       [](auto& b) { store_le32(b.data() + hdr::extra_headers + 4, 0x10000000); },
       Error::BadSiteData},
  };
  for (const Case& c : cases) {
    auto img = good;
    c.mutate(img);
    reseal(img);
    Bundle b;
    EXPECT_EQ(b.open(img.data(), img.size()), c.expect) << c.what;
    EXPECT_FALSE(b.is_open()) << c.what;
    Entry e;
    EXPECT_FALSE(b.find("/index.html", e)) << "a refused bundle answers nothing: " << c.what;
  }
}

TEST(BundleCorruption, NullAndTinyInputs) {
  Bundle b;
  EXPECT_EQ(b.open(nullptr, 0), Error::TooSmall);
  uint8_t tiny[4] = {};
  EXPECT_EQ(b.open(tiny, sizeof tiny), Error::TooSmall);
}

}  // namespace
}  // namespace mayfly::bundle
