// FAT writer and reader: layout, names, timestamps, FAT16 and FAT32, and damage named.
#include <gtest/gtest.h>

#include <cstring>

#include "core/bytes.h"
#include "image/fat.h"
#include "image/fat_layout.h"

namespace mayfly::image {
namespace {

std::vector<uint8_t> bytes_of(std::string_view s) {
  return {s.begin(), s.end()};
}

struct Volume {
  std::vector<std::vector<uint8_t>> contents;
  std::vector<FatFileInput> files;
  void add(std::string path, std::vector<uint8_t> data) {
    contents.push_back(std::move(data));
    files.push_back({std::move(path), nullptr, 0});
  }
  std::vector<uint8_t> build(FatOptions o = {}) {
    for (size_t i = 0; i < files.size(); ++i) {
      files[i].data = contents[i].data();
      files[i].size = contents[i].size();
    }
    return build_fat(files, o);
  }
};

Volume sample(bool fat16 = true) {
  Volume v;
  v.add("EFI/BOOT/BOOTX64.EFI", bytes_of("MZ loader"));
  v.add("mayfly/kernel.elf", std::vector<uint8_t>(3000, 0x7F));
  v.add("mayfly/cmdline.txt", bytes_of("ip=dhcp\n"));
  v.add("mayfly/A long file name with spaces.text", bytes_of("long"));
  v.add("mayfly/empty", {});
  v.add("README", bytes_of("upper-case 8.3 name, no long name"));
  if (fat16) v.add("pad.bin", std::vector<uint8_t>(2500000, 1));  // past FAT12's clusters
  return v;
}

// The FAT entry value of `cluster` in FAT copy `copy` of a FAT16 volume.
uint8_t* fat16_entry(std::vector<uint8_t>& vol, int copy, uint32_t cluster) {
  uint32_t reserved = load_le16(&vol[fat::bpb::reserved_sectors]);
  uint32_t fat_size = load_le16(&vol[fat::bpb::fat_size16]);
  return &vol[(reserved + copy * fat_size) * 512 + 2 * cluster];
}

TEST(Fat, RoundTripFat16) {
  Volume v = sample();
  FatOptions o;
  o.mtime = 1700000000;  // 2023-11-14 22:13:20 UTC
  o.volume_id = 0x12345678;
  auto vol = v.build(o);
  FatVolume fs;
  ASSERT_EQ(fs.open(vol.data(), vol.size()), "");
  EXPECT_EQ(fs.type(), FatType::Fat16);
  EXPECT_GE(fs.cluster_count(), fat::kMinFat16Clusters);
  EXPECT_EQ(fs.volume_id(), 0x12345678u);
  EXPECT_EQ(fs.label(), "MAYFLY");
  for (size_t i = 0; i < v.files.size(); ++i) {
    const FatEntry* e = fs.find(v.files[i].path);
    ASSERT_NE(e, nullptr) << v.files[i].path;
    EXPECT_EQ(fs.read(*e), v.contents[i]) << v.files[i].path;
  }
  const FatEntry* e = fs.find("/mayfly/A long file name with spaces.text");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->path, "/mayfly/A long file name with spaces.text");  // case kept
  uint16_t date, time;
  dos_date_time(1700000000, date, time);
  EXPECT_EQ(e->dos_date, date);
  EXPECT_EQ(date, ((2023 - 1980) << 9) | (11 << 5) | 14);
  EXPECT_EQ(time, (22 << 11) | (13 << 5) | 10);
  EXPECT_NE(fs.find("/efi/boot"), nullptr);
  EXPECT_TRUE(fs.find("/efi/boot")->directory);
  EXPECT_EQ(fs.find("/nope"), nullptr);
}

TEST(Fat, RoundTripFat12) {
  Volume v = sample(false);
  auto vol = v.build();
  FatVolume fs;
  ASSERT_EQ(fs.open(vol.data(), vol.size()), "");
  EXPECT_EQ(fs.type(), FatType::Fat12);
  EXPECT_LT(vol.size(), 64u * 1024);  // no padding to FAT16's 2 MiB minimum
  EXPECT_EQ(std::memcmp(&vol[fat::bpb::fs_type16], "FAT12   ", 8), 0);
  for (size_t i = 0; i < v.files.size(); ++i) {
    const FatEntry* e = fs.find(v.files[i].path);
    ASSERT_NE(e, nullptr) << v.files[i].path;
    EXPECT_EQ(fs.read(*e), v.contents[i]) << v.files[i].path;
  }
  // A 12-bit chain broken in both copies is found.
  uint32_t first = fs.find("/mayfly/kernel.elf")->first_cluster;
  uint32_t reserved = load_le16(&vol[fat::bpb::reserved_sectors]);
  uint32_t fat_size = load_le16(&vol[fat::bpb::fat_size16]);
  for (int copy = 0; copy < 2; ++copy) {
    uint8_t* fat = &vol[(reserved + copy * fat_size) * 512];
    uint32_t c = first + 1;
    uint8_t* p = fat + c + c / 2;
    if (c & 1) {
      p[0] &= 0x0F;
      p[1] = 0;
    } else {
      p[0] = 0;
      p[1] &= 0xF0;
    }
  }
  std::string e = fs.open(vol.data(), vol.size());
  EXPECT_NE(e.find("/mayfly/kernel.elf: cluster chain runs into free cluster"), std::string::npos)
      << e;
}

TEST(Fat, Deterministic) {
  Volume a = sample(), b = sample();
  FatOptions o;
  o.mtime = 1;
  EXPECT_EQ(a.build(o), b.build(o));
  FatOptions o2 = o;
  o2.mtime = 400000000;
  EXPECT_NE(a.build(o), a.build(o2));
}

TEST(Fat, ShortNamesAreUniqueAndStable) {
  Volume v;
  v.add("dir/longfilename-one.html", bytes_of("1"));
  v.add("dir/longfilename-two.html", bytes_of("2"));
  v.add("dir/LONGFI~1.HTM", bytes_of("3"));  // an exact short name that collides with a tail
  auto vol = v.build();
  FatVolume fs;
  ASSERT_EQ(fs.open(vol.data(), vol.size()), "");
  EXPECT_EQ(fs.read(*fs.find("/dir/longfilename-one.html")), bytes_of("1"));
  EXPECT_EQ(fs.read(*fs.find("/dir/longfilename-two.html")), bytes_of("2"));
  EXPECT_EQ(fs.read(*fs.find("/dir/LONGFI~1.HTM")), bytes_of("3"));
}

TEST(Fat, Fat32ForLargeContent) {
  Volume v;
  v.add("EFI/BOOT/BOOTX64.EFI", bytes_of("MZ"));
  std::vector<uint8_t> big(40u << 20);
  for (size_t i = 0; i < big.size(); i += 4096) big[i] = uint8_t(i >> 12);
  v.add("mayfly/site.mfb", big);
  auto vol = v.build();
  FatVolume fs;
  ASSERT_EQ(fs.open(vol.data(), vol.size()), "");
  EXPECT_EQ(fs.type(), FatType::Fat32);
  EXPECT_GE(fs.cluster_count(), fat::kMinFat32Clusters);
  EXPECT_EQ(fs.read(*fs.find("mayfly/site.mfb")), big);
  // FSInfo and the backup boot sector.
  EXPECT_EQ(load_le32(&vol[512]), 0x41615252u);
  EXPECT_EQ(std::memcmp(&vol[0], &vol[6 * 512], 512), 0);
  // Overhead stays small: the volume is at most 2 MiB larger than its contents.
  EXPECT_LT(vol.size(), big.size() + (2u << 20));
}

TEST(Fat, RejectsBadInput) {
  Volume v;
  v.add("a/b", bytes_of("x"));
  v.add("A/B", bytes_of("y"));
  EXPECT_THROW(v.build(), std::invalid_argument);  // same name ignoring case
  Volume w;
  w.add("a/b?", bytes_of("x"));
  EXPECT_THROW(w.build(), std::invalid_argument);
  Volume x;
  x.add("a", bytes_of("x"));
  x.add("a/b", bytes_of("x"));
  EXPECT_THROW(x.build(), std::invalid_argument);
}

TEST(Fat, Truncated) {
  auto vol = sample().build();
  FatVolume fs;
  std::string e = fs.open(vol.data(), vol.size() - 512);
  EXPECT_NE(e.find("FAT volume truncated"), std::string::npos) << e;
  e = fs.open(vol.data(), 100);
  EXPECT_NE(e.find("truncated"), std::string::npos) << e;
}

TEST(Fat, FatCopiesDiffer) {
  auto vol = sample().build();
  *fat16_entry(vol, 0, 3) ^= 1;
  FatVolume fs;
  std::string e = fs.open(vol.data(), vol.size());
  EXPECT_NE(e.find("FAT copy 2 differs from FAT copy 1"), std::string::npos) << e;
}

TEST(Fat, BrokenChainNamesTheFile) {
  Volume v = sample();
  auto vol = v.build();
  FatVolume fs;
  ASSERT_EQ(fs.open(vol.data(), vol.size()), "");
  uint32_t first = fs.find("/mayfly/kernel.elf")->first_cluster;  // 6 clusters of 512
  for (int copy = 0; copy < 2; ++copy) store_le16(fat16_entry(vol, copy, first + 2), 0);
  std::string e = fs.open(vol.data(), vol.size());
  EXPECT_NE(e.find("/mayfly/kernel.elf: cluster chain runs into free cluster"), std::string::npos)
      << e;
}

TEST(Fat, EarlyEndAndLoopAndCrossLink) {
  Volume v = sample();
  auto clean = v.build();
  FatVolume fs;
  ASSERT_EQ(fs.open(clean.data(), clean.size()), "");
  uint32_t kernel = fs.find("/mayfly/kernel.elf")->first_cluster;
  uint32_t readme = fs.find("/README")->first_cluster;

  auto vol = clean;
  for (int c = 0; c < 2; ++c) store_le16(fat16_entry(vol, c, kernel + 1), 0xFFFF);
  std::string e = fs.open(vol.data(), vol.size());
  EXPECT_NE(e.find("/mayfly/kernel.elf: cluster chain ends after 2 clusters"), std::string::npos)
      << e;

  vol = clean;
  for (int c = 0; c < 2; ++c) store_le16(fat16_entry(vol, c, kernel + 2), uint16_t(kernel));
  e = fs.open(vol.data(), vol.size());
  EXPECT_NE(e.find("loops at cluster"), std::string::npos) << e;

  vol = clean;
  for (int c = 0; c < 2; ++c) store_le16(fat16_entry(vol, c, kernel + 5), uint16_t(readme));
  e = fs.open(vol.data(), vol.size());
  EXPECT_NE(e.find("cross-linked"), std::string::npos) << e;

  vol = clean;
  for (int c = 0; c < 2; ++c) store_le16(fat16_entry(vol, c, kernel), 0xFFF0);
  e = fs.open(vol.data(), vol.size());
  EXPECT_NE(e.find("outside the volume's clusters"), std::string::npos) << e;
}

TEST(Fat, DosDateClamps) {
  uint16_t d, t;
  dos_date_time(0, d, t);
  EXPECT_EQ(d, (0 << 9) | (1 << 5) | 1);
  EXPECT_EQ(t, 0);
  dos_date_time(int64_t(1) << 40, d, t);
  EXPECT_EQ(d >> 9, 127);
}

}  // namespace
}  // namespace mayfly::image
