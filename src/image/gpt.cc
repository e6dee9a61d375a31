#include "image/gpt.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "core/bytes.h"
#include "image/crc32.h"

namespace mayfly::image {
namespace {

// GPT header fields (UEFI 2.10 table 5.5), byte offsets.
namespace hdr {
constexpr size_t signature = 0;  // "EFI PART"
constexpr size_t revision = 8;
constexpr size_t header_size = 12;
constexpr size_t header_crc = 16;
constexpr size_t my_lba = 24;
constexpr size_t alternate_lba = 32;
constexpr size_t first_usable = 40;
constexpr size_t last_usable = 48;
constexpr size_t disk_guid = 56;
constexpr size_t entries_lba = 72;
constexpr size_t entry_count = 80;
constexpr size_t entry_size = 84;
constexpr size_t entries_crc = 88;
constexpr size_t size = 92;
}  // namespace hdr

// Partition entry fields (table 5.6).
namespace ent {
constexpr size_t type = 0;
constexpr size_t unique = 16;
constexpr size_t first_lba = 32;
constexpr size_t last_lba = 40;
constexpr size_t attributes = 48;
constexpr size_t name = 56;  // 36 UTF-16LE code units
constexpr size_t name_units = 36;
}  // namespace ent

constexpr char kSignature[8] = {'E', 'F', 'I', ' ', 'P', 'A', 'R', 'T'};
constexpr uint32_t kRevision = 0x00010000;

void write_header(uint8_t* h, uint64_t my, uint64_t alternate, uint64_t first_usable,
                  uint64_t last_usable, const Guid& disk_guid, uint64_t entries_lba,
                  uint32_t entries_crc) {
  std::memset(h, 0, kSectorSize);
  std::memcpy(h + hdr::signature, kSignature, 8);
  store_le32(h + hdr::revision, kRevision);
  store_le32(h + hdr::header_size, hdr::size);
  store_le64(h + hdr::my_lba, my);
  store_le64(h + hdr::alternate_lba, alternate);
  store_le64(h + hdr::first_usable, first_usable);
  store_le64(h + hdr::last_usable, last_usable);
  std::memcpy(h + hdr::disk_guid, disk_guid.bytes.data(), 16);
  store_le64(h + hdr::entries_lba, entries_lba);
  store_le32(h + hdr::entry_count, kGptEntryCount);
  store_le32(h + hdr::entry_size, kGptEntrySize);
  store_le32(h + hdr::entries_crc, entries_crc);
  store_le32(h + hdr::header_crc, crc32(h, hdr::size));
}

// The protective MBR (§5.2.3): one partition of type 0xEE from LBA 1 to the end of the
// disk (or 0xFFFFFFFF when the disk is larger than 2 TiB).
void write_protective_mbr(uint8_t* mbr, uint64_t disk_sectors) {
  std::memset(mbr, 0, kSectorSize);
  uint8_t* p = mbr + 446;
  p[0] = 0x00;                            // not bootable
  p[1] = 0x00, p[2] = 0x02, p[3] = 0x00;  // CHS of LBA 1
  p[4] = 0xEE;                            // GPT protective
  p[5] = 0xFF, p[6] = 0xFF, p[7] = 0xFF;  // CHS of the end: not representable
  store_le32(p + 8, 1);
  uint64_t size = disk_sectors - 1;
  store_le32(p + 12, size > 0xFFFFFFFFu ? 0xFFFFFFFFu : uint32_t(size));
  mbr[510] = 0x55;
  mbr[511] = 0xAA;
}

std::string lba_text(uint64_t lba) {
  return "LBA " + std::to_string(lba);
}

// Checks one header copy at `lba`; fills the fields the caller needs.
struct Header {
  uint64_t my = 0, alternate = 0, first_usable = 0, last_usable = 0, entries_lba = 0;
  uint32_t entry_count = 0, entry_size = 0, entries_crc = 0;
  Guid disk_guid;
};

std::string check_header(const uint8_t* data, size_t size, uint64_t lba, const char* which,
                         Header& h) {
  std::string where = std::string(which) + " GPT header (" + lba_text(lba) + ")";
  if ((lba + 1) * kSectorSize > size) return where + ": beyond the end of the image (truncated)";
  const uint8_t* p = data + lba * kSectorSize;
  if (std::memcmp(p + hdr::signature, kSignature, 8) != 0)
    return where + ": no \"EFI PART\" signature";
  uint32_t header_size = load_le32(p + hdr::header_size);
  if (header_size < hdr::size || header_size > kSectorSize)
    return where + ": header size " + std::to_string(header_size) + " is out of range";
  uint8_t copy[kSectorSize];
  std::memcpy(copy, p, header_size);
  store_le32(copy + hdr::header_crc, 0);
  uint32_t want = load_le32(p + hdr::header_crc), got = crc32(copy, header_size);
  if (want != got)
    return where + ": bad header CRC32 (stored " + std::to_string(want) + ", computed " +
           std::to_string(got) + ")";
  h.my = load_le64(p + hdr::my_lba);
  h.alternate = load_le64(p + hdr::alternate_lba);
  h.first_usable = load_le64(p + hdr::first_usable);
  h.last_usable = load_le64(p + hdr::last_usable);
  h.entries_lba = load_le64(p + hdr::entries_lba);
  h.entry_count = load_le32(p + hdr::entry_count);
  h.entry_size = load_le32(p + hdr::entry_size);
  h.entries_crc = load_le32(p + hdr::entries_crc);
  std::memcpy(h.disk_guid.bytes.data(), p + hdr::disk_guid, 16);
  if (h.my != lba) return where + ": says it is at " + lba_text(h.my);
  if (h.entry_size < 128 || h.entry_size > 4096 || (h.entry_size & (h.entry_size - 1)))
    return where + ": partition entry size " + std::to_string(h.entry_size) + " is invalid";
  if (h.entry_count == 0 || h.entry_count > 65536)
    return where + ": partition entry count " + std::to_string(h.entry_count) + " is invalid";
  if (h.first_usable > h.last_usable) return where + ": first usable LBA after last usable LBA";
  uint64_t array_bytes = uint64_t(h.entry_count) * h.entry_size;
  if (h.entries_lba > size / kSectorSize || array_bytes > size - h.entries_lba * kSectorSize)
    return where + ": partition array at " + lba_text(h.entries_lba) +
           " runs past the end of the image (truncated)";
  uint32_t array_crc = crc32(data + h.entries_lba * kSectorSize, array_bytes);
  if (array_crc != h.entries_crc)
    return where + ": bad partition array CRC32 (array at " + lba_text(h.entries_lba) +
           ", stored " + std::to_string(h.entries_crc) + ", computed " + std::to_string(array_crc) +
           ")";
  return {};
}

}  // namespace

void write_gpt(uint8_t* disk, uint64_t disk_bytes, const Guid& disk_guid,
               const std::vector<GptPartition>& partitions) {
  if (disk_bytes % kSectorSize != 0) throw std::invalid_argument("disk size not in sectors");
  uint64_t sectors = disk_bytes / kSectorSize;
  if (sectors < kGptFirstUsableLba + kGptBackupSectors + 1)
    throw std::invalid_argument("disk too small for a GPT");
  if (partitions.size() > kGptEntryCount) throw std::invalid_argument("too many partitions");
  uint64_t last_lba = sectors - 1;
  uint64_t last_usable = last_lba - kGptBackupSectors;

  std::vector<uint8_t> array(kGptEntryCount * kGptEntrySize, 0);
  for (size_t i = 0; i < partitions.size(); ++i) {
    const GptPartition& part = partitions[i];
    if (part.first_lba < kGptFirstUsableLba || part.last_lba > last_usable ||
        part.first_lba > part.last_lba)
      throw std::invalid_argument("partition outside the usable LBAs");
    uint8_t* e = array.data() + i * kGptEntrySize;
    std::memcpy(e + ent::type, part.type.bytes.data(), 16);
    std::memcpy(e + ent::unique, part.unique.bytes.data(), 16);
    store_le64(e + ent::first_lba, part.first_lba);
    store_le64(e + ent::last_lba, part.last_lba);
    store_le64(e + ent::attributes, part.attributes);
    for (size_t c = 0; c < part.name.size() && c < ent::name_units; ++c)
      store_le16(e + ent::name + 2 * c, uint8_t(part.name[c]));
  }
  uint32_t array_crc = crc32(array.data(), array.size());

  write_protective_mbr(disk, sectors);
  std::memcpy(disk + 2 * kSectorSize, array.data(), array.size());
  write_header(disk + kSectorSize, 1, last_lba, kGptFirstUsableLba, last_usable, disk_guid, 2,
               array_crc);
  uint64_t backup_array_lba = last_lba - kGptArraySectors;
  std::memcpy(disk + backup_array_lba * kSectorSize, array.data(), array.size());
  write_header(disk + last_lba * kSectorSize, last_lba, 1, kGptFirstUsableLba, last_usable,
               disk_guid, backup_array_lba, array_crc);
}

std::string read_gpt(const uint8_t* data, size_t size, GptInfo& out) {
  out = GptInfo{};
  if (size < 2 * kSectorSize)
    return "image is " + std::to_string(size) +
           " bytes: too short for a partition table (truncated)";
  if (data[510] != 0x55 || data[511] != 0xAA) return "LBA 0: no MBR boot signature (55 AA)";
  bool protective = false;
  for (int i = 0; i < 4; ++i)
    if (data[446 + 16 * i + 4] == 0xEE) protective = true;
  if (!protective) return "LBA 0: no protective MBR partition (type EE): not a GPT disk";

  Header primary;
  if (std::string e = check_header(data, size, 1, "primary", primary); !e.empty()) return e;
  out.disk_guid = primary.disk_guid;
  out.disk_sectors = primary.alternate + 1;
  out.first_usable = primary.first_usable;
  out.last_usable = primary.last_usable;
  if (primary.alternate < 2 || primary.alternate >= (uint64_t(1) << 54))
    return "primary GPT header: backup header LBA " + std::to_string(primary.alternate) +
           " is invalid";
  uint64_t have_sectors = size / kSectorSize;
  if (primary.alternate >= have_sectors)
    return "image truncated: the GPT describes a disk of " + std::to_string(out.disk_sectors) +
           " sectors (" + std::to_string(out.disk_sectors * kSectorSize) +
           " bytes), the image holds " + std::to_string(size) + " bytes";
  if (primary.last_usable >= primary.alternate || primary.first_usable < 2)
    return "primary GPT header: usable LBAs " + std::to_string(primary.first_usable) + ".." +
           std::to_string(primary.last_usable) + " overlap the GPT structures";

  Header backup;
  if (std::string e = check_header(data, size, primary.alternate, "backup", backup); !e.empty())
    return e;
  if (backup.alternate != 1 || backup.disk_guid != primary.disk_guid ||
      backup.first_usable != primary.first_usable || backup.last_usable != primary.last_usable ||
      backup.entries_crc != primary.entries_crc || backup.entry_count != primary.entry_count ||
      backup.entry_size != primary.entry_size)
    return "backup GPT header (" + lba_text(primary.alternate) +
           ") does not match the primary header";

  const uint8_t* array = data + primary.entries_lba * kSectorSize;
  for (uint32_t i = 0; i < primary.entry_count; ++i) {
    const uint8_t* e = array + uint64_t(i) * primary.entry_size;
    GptPartition part;
    std::memcpy(part.type.bytes.data(), e + ent::type, 16);
    if (part.type.is_zero()) continue;
    std::memcpy(part.unique.bytes.data(), e + ent::unique, 16);
    part.first_lba = load_le64(e + ent::first_lba);
    part.last_lba = load_le64(e + ent::last_lba);
    part.attributes = load_le64(e + ent::attributes);
    for (size_t c = 0; c < ent::name_units; ++c) {
      uint16_t u = load_le16(e + ent::name + 2 * c);
      if (u == 0) break;
      part.name += u < 0x80 ? char(u) : '?';
    }
    std::string which = "partition " + std::to_string(i + 1);
    if (part.first_lba > part.last_lba)
      return which + ": first LBA " + std::to_string(part.first_lba) + " after last LBA " +
             std::to_string(part.last_lba);
    if (part.first_lba < primary.first_usable || part.last_lba > primary.last_usable)
      return which + ": LBAs " + std::to_string(part.first_lba) + ".." +
             std::to_string(part.last_lba) + " outside the usable LBAs " +
             std::to_string(primary.first_usable) + ".." + std::to_string(primary.last_usable);
    for (size_t j = 0; j < out.partitions.size(); ++j) {
      const GptPartition& o = out.partitions[j];
      if (part.first_lba <= o.last_lba && o.first_lba <= part.last_lba)
        return which + " overlaps an earlier partition";
    }
    out.partitions.push_back(part);
  }
  return {};
}

}  // namespace mayfly::image
