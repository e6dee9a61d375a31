#pragma once
// Byte offsets of the FAT boot sector (BPB), the FAT32 FSInfo sector and directory entries,
// shared by the writer and the reader (Microsoft FAT specification, 2000, §3-§7).
#include <cstddef>
#include <cstdint>

namespace mayfly::image::fat {

namespace bpb {
constexpr size_t jump = 0;
constexpr size_t oem = 3;
constexpr size_t bytes_per_sector = 11;
constexpr size_t sectors_per_cluster = 13;
constexpr size_t reserved_sectors = 14;
constexpr size_t num_fats = 16;
constexpr size_t root_entries = 17;
constexpr size_t total_sectors16 = 19;
constexpr size_t media = 21;
constexpr size_t fat_size16 = 22;
constexpr size_t sectors_per_track = 24;
constexpr size_t heads = 26;
constexpr size_t hidden_sectors = 28;
constexpr size_t total_sectors32 = 32;
// FAT16 extended fields
constexpr size_t drive16 = 36;
constexpr size_t boot_sig16 = 38;
constexpr size_t volume_id16 = 39;
constexpr size_t label16 = 43;
constexpr size_t fs_type16 = 54;
constexpr size_t boot_code16 = 62;
// FAT32 extended fields
constexpr size_t fat_size32 = 36;
constexpr size_t ext_flags = 40;
constexpr size_t fs_version = 42;
constexpr size_t root_cluster = 44;
constexpr size_t fsinfo_sector = 48;
constexpr size_t backup_boot_sector = 50;
constexpr size_t drive32 = 64;
constexpr size_t boot_sig32 = 66;
constexpr size_t volume_id32 = 67;
constexpr size_t label32 = 71;
constexpr size_t fs_type32 = 82;
constexpr size_t boot_code32 = 90;
}  // namespace bpb

namespace fsinfo {
constexpr size_t lead_sig = 0;      // 0x41615252
constexpr size_t struct_sig = 484;  // 0x61417272
constexpr size_t free_count = 488;
constexpr size_t next_free = 492;
constexpr size_t trail_sig = 508;  // 0xAA550000
}  // namespace fsinfo

namespace dirent {
constexpr size_t size = 32;
constexpr size_t name = 0;  // 11 bytes, 8.3 padded with spaces
constexpr size_t attr = 11;
constexpr size_t nt_reserved = 12;
constexpr size_t create_tenth = 13;
constexpr size_t create_time = 14;
constexpr size_t create_date = 16;
constexpr size_t access_date = 18;
constexpr size_t cluster_hi = 20;
constexpr size_t write_time = 22;
constexpr size_t write_date = 24;
constexpr size_t cluster_lo = 26;
constexpr size_t file_size = 28;
// Long-name entries (attr 0x0F): 13 UTF-16 units in three runs.
constexpr size_t lfn_order = 0;
constexpr size_t lfn_name1 = 1;  // 5 units
constexpr size_t lfn_type = 12;
constexpr size_t lfn_checksum = 13;
constexpr size_t lfn_name2 = 14;  // 6 units
constexpr size_t lfn_name3 = 28;  // 2 units
constexpr uint8_t lfn_last = 0x40;
constexpr int lfn_units = 13;
}  // namespace dirent

namespace attr {
constexpr uint8_t read_only = 0x01;
constexpr uint8_t hidden = 0x02;
constexpr uint8_t system = 0x04;
constexpr uint8_t volume_id = 0x08;
constexpr uint8_t directory = 0x10;
constexpr uint8_t archive = 0x20;
constexpr uint8_t long_name = 0x0F;
}  // namespace attr

// Cluster counts that decide the type (§3.5): below 4085 FAT12, below 65525 FAT16.
constexpr uint32_t kMinFat16Clusters = 4085;
constexpr uint32_t kMinFat32Clusters = 65525;

// The short-name checksum stored in each long-name entry (§7).
inline uint8_t short_name_checksum(const uint8_t* name11) {
  uint8_t sum = 0;
  for (int i = 0; i < 11; ++i) sum = uint8_t(((sum & 1) << 7) + (sum >> 1) + name11[i]);
  return sum;
}

// Positions of the 13 UTF-16 units within a long-name entry.
inline constexpr size_t kLfnUnitOffsets[13] = {1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30};

}  // namespace mayfly::image::fat
