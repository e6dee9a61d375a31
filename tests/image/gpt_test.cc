// GPT writer and reader: a round trip, the fields other tools check, and damage named.
#include <gtest/gtest.h>

#include <cstring>

#include "core/bytes.h"
#include "image/crc32.h"
#include "image/gpt.h"

namespace mayfly::image {
namespace {

std::vector<uint8_t> make_disk(uint64_t sectors = 2048) {
  std::vector<uint8_t> disk(sectors * kSectorSize, 0);
  GptPartition p;
  Guid::parse(kEspTypeGuid, p.type);
  p.unique = Guid::derive(42, "esp");
  p.first_lba = 64;
  p.last_lba = sectors - 1 - kGptBackupSectors;
  p.name = "EFI System Partition";
  write_gpt(disk.data(), disk.size(), Guid::derive(42, "disk"), {p});
  return disk;
}

TEST(Crc32, KnownValue) {
  EXPECT_EQ(crc32("123456789", 9), 0xCBF43926u);  // the CRC-32 check value
  EXPECT_EQ(crc32("", 0), 0u);
}

TEST(Guid, TextRoundTripAndDerivation) {
  Guid g;
  ASSERT_TRUE(Guid::parse(kEspTypeGuid, g));
  EXPECT_EQ(g.to_string(), kEspTypeGuid);
  EXPECT_EQ(g.bytes[0], 0x28);  // first field little-endian on disk
  EXPECT_EQ(g.bytes[3], 0xc1);
  EXPECT_FALSE(Guid::parse("c12a7328-f81f-11d2-ba4b-00a0c93ec93", g));
  EXPECT_FALSE(Guid::parse("c12a7328xf81f-11d2-ba4b-00a0c93ec93b", g));
  Guid a = Guid::derive(1, "disk"), b = Guid::derive(1, "disk"), c = Guid::derive(1, "esp"),
       d = Guid::derive(2, "disk");
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_NE(a, d);
  EXPECT_EQ(a.to_string()[14], '8');  // version 8
  EXPECT_TRUE(std::strchr("89ab", a.to_string()[19]));
}

TEST(Gpt, RoundTrip) {
  auto disk = make_disk();
  GptInfo info;
  ASSERT_EQ(read_gpt(disk.data(), disk.size(), info), "");
  EXPECT_EQ(info.disk_sectors, 2048u);
  EXPECT_EQ(info.disk_guid, Guid::derive(42, "disk"));
  EXPECT_EQ(info.first_usable, 34u);
  EXPECT_EQ(info.last_usable, 2048u - 34);
  ASSERT_EQ(info.partitions.size(), 1u);
  EXPECT_EQ(info.partitions[0].name, "EFI System Partition");
  EXPECT_EQ(info.partitions[0].first_lba, 64u);
  EXPECT_EQ(info.partitions[0].type.to_string(), kEspTypeGuid);
  // Protective MBR: type EE from LBA 1 over the rest of the disk.
  EXPECT_EQ(disk[446 + 4], 0xEE);
  EXPECT_EQ(load_le32(&disk[446 + 8]), 1u);
  EXPECT_EQ(load_le32(&disk[446 + 12]), 2047u);
  // Backup header in the last LBA.
  EXPECT_EQ(std::memcmp(&disk[2047 * 512], "EFI PART", 8), 0);
}

TEST(Gpt, Truncated) {
  auto disk = make_disk();
  GptInfo info;
  std::string e = read_gpt(disk.data(), disk.size() - 512, info);
  EXPECT_NE(e.find("truncated"), std::string::npos) << e;
  e = read_gpt(disk.data(), 600, info);
  EXPECT_NE(e.find("truncated"), std::string::npos) << e;
  e = read_gpt(disk.data(), 100, info);
  EXPECT_NE(e.find("truncated"), std::string::npos) << e;
}

TEST(Gpt, BadPrimaryHeaderCrc) {
  auto disk = make_disk();
  disk[512 + 40] ^= 1;  // first usable LBA
  GptInfo info;
  std::string e = read_gpt(disk.data(), disk.size(), info);
  EXPECT_NE(e.find("primary GPT header (LBA 1): bad header CRC32"), std::string::npos) << e;
}

TEST(Gpt, BadPartitionArrayCrc) {
  auto disk = make_disk();
  disk[2 * 512 + 56] ^= 0x20;  // a letter of the partition name
  GptInfo info;
  std::string e = read_gpt(disk.data(), disk.size(), info);
  EXPECT_NE(e.find("bad partition array CRC32"), std::string::npos) << e;
}

TEST(Gpt, BadBackupHeader) {
  auto disk = make_disk();
  disk[2047 * 512 + 60] ^= 1;
  GptInfo info;
  std::string e = read_gpt(disk.data(), disk.size(), info);
  EXPECT_NE(e.find("backup GPT header (LBA 2047): bad header CRC32"), std::string::npos) << e;
}

TEST(Gpt, NotGpt) {
  std::vector<uint8_t> disk(4096, 0);
  GptInfo info;
  EXPECT_NE(read_gpt(disk.data(), disk.size(), info).find("no MBR boot signature"),
            std::string::npos);
  disk[510] = 0x55;
  disk[511] = 0xAA;
  EXPECT_NE(read_gpt(disk.data(), disk.size(), info).find("not a GPT disk"), std::string::npos);
}

}  // namespace
}  // namespace mayfly::image
