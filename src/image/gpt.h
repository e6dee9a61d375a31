#pragma once
// GUID Partition Table (UEFI 2.10 §5): a protective MBR in LBA 0, the primary header in
// LBA 1 followed by its partition array, and at the end of the disk the backup array
// followed by the backup header in the last LBA. Sector size 512.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "image/guid.h"

namespace mayfly::image {

inline constexpr uint32_t kSectorSize = 512;
inline constexpr uint32_t kGptEntryCount = 128;  // the minimum array of 16 KiB (§5.3.1)
inline constexpr uint32_t kGptEntrySize = 128;
inline constexpr uint32_t kGptArraySectors = kGptEntryCount * kGptEntrySize / kSectorSize;
// LBA 0 (MBR) + LBA 1 (header) + the array.
inline constexpr uint64_t kGptFirstUsableLba = 2 + kGptArraySectors;
// Sectors the backup structures take at the end of the disk.
inline constexpr uint64_t kGptBackupSectors = 1 + kGptArraySectors;

struct GptPartition {
  Guid type;
  Guid unique;
  uint64_t first_lba = 0;
  uint64_t last_lba = 0;  // inclusive
  uint64_t attributes = 0;
  std::string name;  // ASCII; stored as UTF-16LE, at most 36 code units
};

// Writes the protective MBR and both GPT copies into disk[0..disk_bytes). The partitions
// must lie within the usable LBAs; disk_bytes must be a multiple of the sector size.
// Sectors between the structures are left as they are.
void write_gpt(uint8_t* disk, uint64_t disk_bytes, const Guid& disk_guid,
               const std::vector<GptPartition>& partitions);

struct GptInfo {
  Guid disk_guid;
  uint64_t disk_sectors = 0;  // as the primary header says (alternate LBA + 1)
  uint64_t first_usable = 0;
  uint64_t last_usable = 0;
  std::vector<GptPartition> partitions;  // the used entries, in array order
};

// Reads and checks the GPT of the disk image in data[0..size). Returns an empty string
// when the table is usable, else a sentence naming the damage (truncated image, bad
// header or array CRC, overlapping partitions...). A damaged primary or backup copy
// alone is an error too: a disk we wrote has both intact.
std::string read_gpt(const uint8_t* data, size_t size, GptInfo& out);

}  // namespace mayfly::image
