#pragma once
// A FAT12/16/32 file system for an EFI System Partition (UEFI 2.10 §13.3; the layout is
// Microsoft's "FAT: General Overview of On-Disk Format", 2000). The writer lays out the
// whole volume in memory, deterministically: files contiguous in the order given,
// directories first, every timestamp from one instant, short names made the same way
// every time. The reader checks what it walks and names the damage it finds.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mayfly::image {

struct FatFileInput {
  std::string path;  // "EFI/BOOT/BOOTX64.EFI": '/'-separated, no leading '/'
  const uint8_t* data = nullptr;
  size_t size = 0;
};

struct FatOptions {
  int64_t mtime = 0;             // unix seconds for every entry (clamped to 1980..2107)
  uint32_t volume_id = 0;        // the serial number in the boot sector
  std::string label = "MAYFLY";  // at most 11 characters: A-Z 0-9 space - _
  uint32_t hidden_sectors = 0;   // the partition's first LBA, recorded in the BPB
};

enum class FatType : uint8_t { Fat12, Fat16, Fat32 };

const char* fat_type_name(FatType t);

// Builds a volume holding exactly the files given (directories are implied by the paths),
// as small as the FAT type allows. Throws std::invalid_argument for a bad name, duplicate
// paths or a file of 4 GiB or more.
std::vector<uint8_t> build_fat(const std::vector<FatFileInput>& files, const FatOptions& options);

struct FatEntry {
  std::string path;  // "/EFI/BOOT/BOOTX64.EFI"
  bool directory = false;
  uint32_t size = 0;
  uint32_t first_cluster = 0;
  uint16_t dos_date = 0, dos_time = 0;  // last write
};

// A checked, read-only view of a FAT volume held in memory.
class FatVolume {
 public:
  // Checks the boot sector, walks every directory and follows every cluster chain. Returns
  // an empty string when the volume is sound, else a sentence naming the damage (the file
  // and cluster where there is one).
  std::string open(const uint8_t* data, size_t size);

  FatType type() const { return type_; }
  uint32_t cluster_count() const { return clusters_; }
  uint32_t cluster_bytes() const { return cluster_bytes_; }
  uint64_t volume_bytes() const { return volume_bytes_; }
  std::string label() const { return label_; }
  uint32_t volume_id() const { return volume_id_; }
  // Every file and directory, parents before children, in directory order.
  const std::vector<FatEntry>& entries() const { return entries_; }
  // Looks a path up case-insensitively ("/mayfly/site.mfb"); nullptr when absent.
  const FatEntry* find(std::string_view path) const;
  // The contents of a file found by find(); the chain was checked by open().
  std::vector<uint8_t> read(const FatEntry& e) const;

 private:
  uint32_t next_cluster(uint32_t c) const;
  bool is_end(uint32_t v) const;
  const uint8_t* cluster_data(uint32_t c) const;
  std::string walk_directory(uint32_t first_cluster, const std::string& prefix, int depth,
                             std::vector<uint32_t>& owner, std::vector<std::string>& owners);
  std::string follow_chain(const std::string& path, uint32_t first, uint64_t bytes_needed,
                           bool is_directory, std::vector<uint32_t>& owner,
                           std::vector<std::string>& owners, std::vector<uint32_t>* chain);

  const uint8_t* data_ = nullptr;
  FatType type_ = FatType::Fat16;
  uint32_t bytes_per_sector_ = 512;
  uint32_t cluster_bytes_ = 0;
  uint32_t clusters_ = 0;
  uint64_t fat_offset_ = 0;
  uint64_t root_offset_ = 0;  // FAT16 fixed root directory
  uint32_t root_entries_ = 0;
  uint32_t root_cluster_ = 0;  // FAT32
  uint64_t data_offset_ = 0;
  uint64_t volume_bytes_ = 0;
  std::string label_;
  uint32_t volume_id_ = 0;
  std::vector<FatEntry> entries_;
};

// DOS date and time fields for a unix time (UTC), clamped to the representable range.
void dos_date_time(int64_t unix_seconds, uint16_t& date, uint16_t& time);

}  // namespace mayfly::image
