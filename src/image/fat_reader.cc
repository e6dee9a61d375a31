// FatVolume::open(): checks the boot sector, then walks the directory tree from the root,
// following every chain once with an owner table, so a loop, a cross-link, a chain that
// ends early or runs into a free or bad cluster is found and named.
#include <algorithm>
#include <cstring>

#include "core/bytes.h"
#include "image/fat.h"
#include "image/fat_layout.h"

namespace mayfly::image {
namespace {

using namespace fat;

constexpr int kMaxDepth = 16;
constexpr size_t kMaxEntries = 100000;

std::string trim_short(const uint8_t* p, size_t n) {
  std::string s(reinterpret_cast<const char*>(p), n);
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

std::string short_to_text(const uint8_t* name11) {
  std::string base = trim_short(name11, 8), ext = trim_short(name11 + 8, 3);
  if (!base.empty() && uint8_t(base[0]) == 0x05) base[0] = char(0xE5);
  return ext.empty() ? base : base + "." + ext;
}

bool equal_ci(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::toupper(uint8_t(a[i])) != std::toupper(uint8_t(b[i]))) return false;
  return true;
}

}  // namespace

uint32_t FatVolume::next_cluster(uint32_t c) const {
  const uint8_t* fat = data_ + fat_offset_;
  if (type_ == FatType::Fat12) {
    uint16_t v = load_le16(fat + c + c / 2);
    return c & 1 ? v >> 4 : v & 0xFFF;
  }
  return type_ == FatType::Fat32 ? load_le32(fat + 4 * uint64_t(c)) & 0x0FFFFFFF
                                 : load_le16(fat + 2 * uint64_t(c));
}

bool FatVolume::is_end(uint32_t v) const {
  return type_ == FatType::Fat32   ? v >= 0x0FFFFFF8
         : type_ == FatType::Fat16 ? v >= 0xFFF8
                                   : v >= 0xFF8;
}

const uint8_t* FatVolume::cluster_data(uint32_t c) const {
  return data_ + data_offset_ + uint64_t(c - 2) * cluster_bytes_;
}

std::string FatVolume::follow_chain(const std::string& path, uint32_t first, uint64_t bytes_needed,
                                    bool is_directory, std::vector<uint32_t>& owner,
                                    std::vector<std::string>& owners,
                                    std::vector<uint32_t>* chain) {
  uint64_t want = (bytes_needed + cluster_bytes_ - 1) / cluster_bytes_;
  uint32_t id = uint32_t(owners.size());
  owners.push_back(path);
  uint64_t count = 0;
  uint32_t c = first;
  const uint32_t bad = type_ == FatType::Fat32   ? 0x0FFFFFF7
                       : type_ == FatType::Fat16 ? 0xFFF7
                                                 : 0xFF7;
  while (true) {
    if (c < 2 || c >= clusters_ + 2)
      return path + ": cluster chain points to cluster " + std::to_string(c) +
             ", outside the volume's clusters 2.." + std::to_string(clusters_ + 1) +
             " (bad FAT chain)";
    if (owner[c] == id) return path + ": cluster chain loops at cluster " + std::to_string(c);
    if (owner[c] != 0)
      return path + ": cluster " + std::to_string(c) + " is also used by " + owners[owner[c]] +
             " (cross-linked FAT chain)";
    owner[c] = id;
    ++count;
    if (chain) chain->push_back(c);
    if (!is_directory && count > want)
      return path + ": cluster chain is longer than the file's " + std::to_string(bytes_needed) +
             " bytes need (bad FAT chain)";
    uint32_t n = next_cluster(c);
    if (is_end(n)) break;
    if (n == 0)
      return path + ": cluster chain runs into free cluster after cluster " + std::to_string(c) +
             " (bad FAT chain)";
    if (n == bad)
      return path + ": cluster chain runs into a bad cluster after " + std::to_string(c);
    if (is_directory && count > (uint64_t(1) << 16)) return path + ": directory chain too long";
    c = n;
  }
  if (!is_directory && count < want)
    return path + ": cluster chain ends after " + std::to_string(count) + " clusters, the file's " +
           std::to_string(bytes_needed) + " bytes need " + std::to_string(want) +
           " (bad FAT chain)";
  return {};
}

std::string FatVolume::walk_directory(uint32_t first_cluster, const std::string& prefix, int depth,
                                      std::vector<uint32_t>& owner,
                                      std::vector<std::string>& owners) {
  if (depth > kMaxDepth) return prefix + ": directories nested too deep";
  // Gather the directory's bytes: the FAT16 root region, or a cluster chain.
  std::vector<const uint8_t*> blocks;
  size_t block_entries;
  if (first_cluster == 0) {
    blocks.push_back(data_ + root_offset_);
    block_entries = root_entries_;
  } else {
    std::vector<uint32_t> chain;
    if (std::string e = follow_chain(prefix.empty() ? "/" : prefix, first_cluster, 0, true, owner,
                                     owners, &chain);
        !e.empty())
      return e;
    for (uint32_t c : chain) blocks.push_back(cluster_data(c));
    block_entries = cluster_bytes_ / dirent::size;
  }
  std::vector<uint16_t> lfn;
  uint8_t lfn_sum = 0;
  int lfn_expect = 0;
  std::vector<std::pair<std::string, uint32_t>> subdirs;
  for (const uint8_t* block : blocks) {
    for (size_t i = 0; i < block_entries; ++i) {
      const uint8_t* e = block + i * dirent::size;
      if (e[0] == 0x00) goto done;  // no entries follow
      if (e[0] == 0xE5) {
        lfn_expect = 0;
        continue;
      }
      uint8_t a = e[dirent::attr];
      if ((a & 0x3F) == attr::long_name) {
        uint8_t ord = e[dirent::lfn_order];
        int k = ord & 0x1F;
        if (ord & dirent::lfn_last) {
          lfn.assign(size_t(k) * dirent::lfn_units, 0);
          lfn_sum = e[dirent::lfn_checksum];
          lfn_expect = k;
        } else if (k != lfn_expect || e[dirent::lfn_checksum] != lfn_sum) {
          lfn_expect = 0;  // an orphan part: ignored, as the specification says
          continue;
        }
        if (k == 0 || k != lfn_expect) {
          lfn_expect = 0;
          continue;
        }
        for (int u = 0; u < dirent::lfn_units; ++u)
          lfn[size_t(k - 1) * dirent::lfn_units + u] = load_le16(e + kLfnUnitOffsets[u]);
        --lfn_expect;
        if (lfn_expect == 0) lfn_expect = -1;  // complete: the short entry comes next
        continue;
      }
      std::string name = short_to_text(e + dirent::name);
      if (lfn_expect == -1 && short_name_checksum(e + dirent::name) == lfn_sum) {
        std::string longname;
        for (uint16_t u : lfn) {
          if (u == 0) break;
          longname += u < 0x80 ? char(u) : '?';
        }
        if (!longname.empty()) name = longname;
      }
      lfn_expect = 0;
      if (a & attr::volume_id) {
        if (first_cluster == 0 || first_cluster == root_cluster_) label_ = trim_short(e, 11);
        continue;
      }
      if (name == "." || name == "..") continue;
      if (entries_.size() >= kMaxEntries) return "too many directory entries";
      FatEntry fe;
      fe.path = prefix + "/" + name;
      fe.directory = (a & attr::directory) != 0;
      fe.size = load_le32(e + dirent::file_size);
      fe.first_cluster = load_le16(e + dirent::cluster_lo);
      if (type_ == FatType::Fat32)
        fe.first_cluster |= uint32_t(load_le16(e + dirent::cluster_hi)) << 16;
      fe.dos_date = load_le16(e + dirent::write_date);
      fe.dos_time = load_le16(e + dirent::write_time);
      if (fe.directory) {
        if (fe.first_cluster == 0) return fe.path + ": directory without a cluster";
        subdirs.emplace_back(fe.path, fe.first_cluster);
      } else if (fe.size > 0) {
        if (std::string err =
                follow_chain(fe.path, fe.first_cluster, fe.size, false, owner, owners, nullptr);
            !err.empty())
          return err;
      } else if (fe.first_cluster != 0) {
        return fe.path + ": empty file with cluster " + std::to_string(fe.first_cluster);
      }
      entries_.push_back(fe);
    }
  }
done:
  for (auto& [path, cluster] : subdirs)
    if (std::string e = walk_directory(cluster, path, depth + 1, owner, owners); !e.empty())
      return e;
  return {};
}

std::string FatVolume::open(const uint8_t* data, size_t size) {
  *this = FatVolume{};
  if (size < 512)
    return "FAT volume: " + std::to_string(size) +
           " bytes, too short for a boot sector (truncated)";
  const uint8_t* bs = data;
  if (bs[510] != 0x55 || bs[511] != 0xAA) return "FAT boot sector: no 55 AA signature";
  uint32_t bps = load_le16(bs + bpb::bytes_per_sector);
  uint32_t spc = bs[bpb::sectors_per_cluster];
  uint32_t reserved = load_le16(bs + bpb::reserved_sectors);
  uint32_t nfats = bs[bpb::num_fats];
  uint32_t root_entries = load_le16(bs + bpb::root_entries);
  uint32_t total = load_le16(bs + bpb::total_sectors16);
  if (total == 0) total = load_le32(bs + bpb::total_sectors32);
  uint32_t fat_size = load_le16(bs + bpb::fat_size16);
  bool fat32_layout = fat_size == 0;
  if (fat32_layout) fat_size = load_le32(bs + bpb::fat_size32);
  if (bps != 512 && bps != 1024 && bps != 2048 && bps != 4096)
    return "FAT boot sector: " + std::to_string(bps) + " bytes per sector";
  if (spc == 0 || (spc & (spc - 1)))
    return "FAT boot sector: sectors per cluster is not a power of 2";
  if (reserved == 0 || nfats == 0 || fat_size == 0 || total == 0)
    return "FAT boot sector: zero reserved sectors, FATs, FAT size or total sectors";
  uint64_t root_sectors = (uint64_t(root_entries) * 32 + bps - 1) / bps;
  uint64_t data_start = reserved + uint64_t(nfats) * fat_size + root_sectors;
  if (data_start >= total) return "FAT boot sector: no room for data clusters";
  uint64_t clusters = (total - data_start) / spc;
  if (clusters == 0) return "FAT boot sector: no data clusters";
  type_ = clusters < kMinFat16Clusters   ? FatType::Fat12
          : clusters < kMinFat32Clusters ? FatType::Fat16
                                         : FatType::Fat32;
  if ((type_ == FatType::Fat32) != fat32_layout)
    return "FAT boot sector: the FAT size field and the cluster count disagree on the type";
  if (type_ == FatType::Fat32 && clusters > 0x0FFFFFF5) return "FAT32: too many clusters";
  uint64_t fat_need = type_ == FatType::Fat12 ? ((clusters + 2) * 3 + 1) / 2
                                              : (clusters + 2) * (type_ == FatType::Fat32 ? 4 : 2);
  if (uint64_t(fat_size) * bps < fat_need)
    return "FAT boot sector: the FAT is too small for the clusters";
  volume_bytes_ = uint64_t(total) * bps;
  if (volume_bytes_ > size)
    return "FAT volume truncated: it is " + std::to_string(volume_bytes_) + " bytes, only " +
           std::to_string(size) + " present";
  data_ = data;
  bytes_per_sector_ = bps;
  cluster_bytes_ = spc * bps;
  clusters_ = uint32_t(clusters);
  fat_offset_ = uint64_t(reserved) * bps;
  root_offset_ = (reserved + uint64_t(nfats) * fat_size) * bps;
  root_entries_ = root_entries;
  data_offset_ = data_start * bps;
  volume_id_ = load_le32(bs + (type_ == FatType::Fat32 ? bpb::volume_id32 : bpb::volume_id16));
  if (type_ == FatType::Fat32) {
    root_cluster_ = load_le32(bs + bpb::root_cluster);
    if (root_entries != 0) return "FAT32 boot sector: root entry count must be 0";
  } else if (root_entries == 0) {
    return "FAT16 boot sector: no root directory entries";
  }
  // Every copy of the FAT must agree (a disagreement is what an interrupted write leaves).
  for (uint32_t k = 1; k < nfats; ++k)
    if (std::memcmp(data_ + fat_offset_, data_ + fat_offset_ + uint64_t(k) * fat_size * bps,
                    fat_need) != 0)
      return "FAT copy " + std::to_string(k + 1) + " differs from FAT copy 1";
  std::vector<uint32_t> owner(clusters_ + 2, 0);
  std::vector<std::string> owners{""};  // id 0 = free
  std::string err =
      walk_directory(type_ == FatType::Fat32 ? root_cluster_ : 0, "", 0, owner, owners);
  if (!err.empty()) {
    data_ = nullptr;
    entries_.clear();
    return err;
  }
  return {};
}

const char* fat_type_name(FatType t) {
  return t == FatType::Fat12 ? "FAT12" : t == FatType::Fat16 ? "FAT16" : "FAT32";
}

const FatEntry* FatVolume::find(std::string_view path) const {
  if (!path.empty() && path[0] != '/') {
    for (const FatEntry& e : entries_)
      if (equal_ci(std::string_view(e.path).substr(1), path)) return &e;
    return nullptr;
  }
  for (const FatEntry& e : entries_)
    if (equal_ci(e.path, path)) return &e;
  return nullptr;
}

std::vector<uint8_t> FatVolume::read(const FatEntry& e) const {
  std::vector<uint8_t> out;
  if (e.directory || e.size == 0 || !data_) return out;
  out.reserve(e.size);
  uint32_t c = e.first_cluster;
  while (out.size() < e.size) {
    size_t n = std::min<size_t>(cluster_bytes_, e.size - out.size());
    const uint8_t* p = cluster_data(c);
    out.insert(out.end(), p, p + n);
    c = next_cluster(c);
  }
  return out;
}

}  // namespace mayfly::image
