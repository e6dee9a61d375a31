// build_fat(): the whole volume in memory. Layout: reserved sectors (boot sector; for FAT32
// also FSInfo and the backup boot sector), two FATs, the FAT16 root directory, then the
// clusters: directories first (breadth-first), then files in the order given, each
// contiguous.
#include <algorithm>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "core/bytes.h"
#include "image/fat.h"
#include "image/fat_layout.h"

namespace mayfly::image {
namespace {

using namespace fat;

constexpr uint32_t kSector = 512;
constexpr uint32_t kFat16RootEntries = 512;
// Stay clear of the type boundaries so every reader agrees on the type.
constexpr uint32_t kFat12MaxClusters = 4000;
constexpr uint32_t kFat16MinClusters = 4200;
constexpr uint32_t kFat16MaxClusters = 65000;
constexpr uint32_t kFat32MinClusters = 65600;

struct Node {
  std::string name;
  bool directory = false;
  const uint8_t* data = nullptr;
  uint32_t size = 0;
  std::vector<std::unique_ptr<Node>> children;
  uint8_t short_name[11];
  bool needs_lfn = false;
  uint32_t first_cluster = 0;
  uint32_t clusters = 0;
  Node* parent = nullptr;
};

bool valid_short_char(char c) {
  if (c >= 'A' && c <= 'Z') return true;
  if (c >= '0' && c <= '9') return true;
  return std::strchr("!#$%&'()-@^_`{}~", c) != nullptr && c != '\0';
}

void check_long_name(const std::string& name, const std::string& path) {
  if (name.empty() || name == "." || name == "..")
    throw std::invalid_argument(path + ": empty or dot path component");
  if (name.size() > 255) throw std::invalid_argument(path + ": name longer than 255 characters");
  if (name.back() == '.' || name.back() == ' ')
    throw std::invalid_argument(path + ": a FAT name cannot end in a dot or space");
  for (unsigned char c : name)
    if (c < 0x20 || c >= 0x7F || std::strchr("\"*/:<>?\\|", c))
      throw std::invalid_argument(path + ": character not allowed in a FAT name (ASCII only)");
}

// The name as an exact 8.3 short name ("KERNEL  ELF"), if it is one once upper-cased.
bool as_short_name(const std::string& name, uint8_t out[11]) {
  size_t dot = name.rfind('.');
  std::string base = dot == std::string::npos ? name : name.substr(0, dot);
  std::string ext = dot == std::string::npos ? "" : name.substr(dot + 1);
  if (base.empty() || base.size() > 8 || ext.size() > 3) return false;
  if (dot != std::string::npos && ext.empty()) return false;
  std::memset(out, ' ', 11);
  for (size_t i = 0; i < base.size(); ++i) {
    char c = char(std::toupper(uint8_t(base[i])));
    if (!valid_short_char(c)) return false;
    out[i] = uint8_t(c);
  }
  for (size_t i = 0; i < ext.size(); ++i) {
    char c = char(std::toupper(uint8_t(ext[i])));
    if (!valid_short_char(c)) return false;
    out[8 + i] = uint8_t(c);
  }
  return true;
}

// A "BASE~N.EXT" short name for a long name, unique among `taken` (numeric tails as in
// the specification's §7 basis-name algorithm, simplified to ASCII).
void numbered_short_name(const std::string& name, const std::vector<const uint8_t*>& taken,
                         uint8_t out[11]) {
  size_t dot = name.rfind('.');
  std::string base, ext;
  auto clean = [](std::string_view s, size_t max) {
    std::string r;
    for (char ch : s) {
      if (ch == ' ' || ch == '.') continue;
      char c = char(std::toupper(uint8_t(ch)));
      r += valid_short_char(c) ? c : '_';
      if (r.size() == max) break;
    }
    return r;
  };
  base = clean(dot == std::string::npos || dot == 0 ? name : name.substr(0, dot), 8);
  if (dot != std::string::npos && dot != 0) ext = clean(name.substr(dot + 1), 3);
  if (base.empty()) base = "_";
  for (uint32_t n = 1; n < 1000000; ++n) {
    std::string tail = "~" + std::to_string(n);
    std::string b = base.substr(0, std::min(base.size(), 8 - tail.size())) + tail;
    std::memset(out, ' ', 11);
    std::memcpy(out, b.data(), b.size());
    std::memcpy(out + 8, ext.data(), ext.size());
    bool clash = std::any_of(taken.begin(), taken.end(),
                             [&](const uint8_t* t) { return std::memcmp(t, out, 11) == 0; });
    if (!clash) return;
  }
  throw std::invalid_argument(name + ": no free short name");
}

bool same_name_ci(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::toupper(uint8_t(a[i])) != std::toupper(uint8_t(b[i]))) return false;
  return true;
}

Node* child(Node* dir, const std::string& name) {
  for (auto& c : dir->children)
    if (same_name_ci(c->name, name)) return c.get();
  return nullptr;
}

uint32_t lfn_entries(const Node& n) {
  return n.needs_lfn ? uint32_t((n.name.size() + dirent::lfn_units - 1) / dirent::lfn_units) : 0;
}

// Directory entries a directory needs (dot entries, long names, the volume label in root).
uint32_t entry_count(const Node& dir, bool is_root) {
  uint32_t n = is_root ? 1 : 2;
  for (const auto& c : dir.children) n += 1 + lfn_entries(*c);
  return n;
}

uint32_t clusters_for(uint64_t bytes, uint32_t cluster_bytes) {
  return uint32_t((bytes + cluster_bytes - 1) / cluster_bytes);
}

struct Layout {
  FatType type;
  uint32_t sectors_per_cluster;
  uint32_t clusters;
  uint32_t reserved;
  uint32_t fat_sectors;
  uint32_t root_sectors;
  uint32_t data_start;
  uint32_t total_sectors;
};

Layout make_layout(FatType type, uint32_t spc, uint32_t clusters) {
  Layout l{type, spc, clusters, 0, 0, 0, 0, 0};
  l.reserved = type == FatType::Fat32 ? 32 : 1;
  uint32_t half_bytes = type == FatType::Fat32 ? 8 : type == FatType::Fat16 ? 4 : 3;  // per entry
  uint64_t fat_bytes = (uint64_t(clusters + 2) * half_bytes + 1) / 2;
  l.fat_sectors = uint32_t((fat_bytes + kSector - 1) / kSector);
  l.root_sectors = type == FatType::Fat32 ? 0 : kFat16RootEntries * 32 / kSector;
  l.data_start = l.reserved + 2 * l.fat_sectors + l.root_sectors;
  l.total_sectors = l.data_start + clusters * spc;
  return l;
}

void set_entry(uint8_t* e, const uint8_t name[11], uint8_t attributes, uint32_t cluster,
               uint32_t size, uint16_t date, uint16_t time) {
  std::memcpy(e + dirent::name, name, 11);
  e[dirent::attr] = attributes;
  store_le16(e + dirent::create_time, time);
  store_le16(e + dirent::create_date, date);
  store_le16(e + dirent::access_date, date);
  store_le16(e + dirent::cluster_hi, uint16_t(cluster >> 16));
  store_le16(e + dirent::write_time, time);
  store_le16(e + dirent::write_date, date);
  store_le16(e + dirent::cluster_lo, uint16_t(cluster));
  store_le32(e + dirent::file_size, size);
}

// Writes the long-name entries for `n` followed by its short entry; returns the entry after.
uint8_t* write_named_entry(uint8_t* e, const Node& n, uint16_t date, uint16_t time) {
  uint32_t count = lfn_entries(n);
  uint8_t sum = short_name_checksum(n.short_name);
  for (uint32_t k = count; k >= 1; --k) {  // the last part comes first on disk
    std::memset(e, 0, dirent::size);
    e[dirent::lfn_order] = uint8_t(k | (k == count ? dirent::lfn_last : 0));
    e[dirent::attr] = attr::long_name;
    e[dirent::lfn_checksum] = sum;
    for (int u = 0; u < dirent::lfn_units; ++u) {
      size_t idx = (k - 1) * dirent::lfn_units + u;
      uint16_t unit = idx < n.name.size()    ? uint8_t(n.name[idx])
                      : idx == n.name.size() ? 0x0000
                                             : 0xFFFF;
      store_le16(e + kLfnUnitOffsets[u], unit);
    }
    e += dirent::size;
  }
  set_entry(e, n.short_name, n.directory ? attr::directory : attr::archive,
            n.directory ? n.first_cluster : (n.size ? n.first_cluster : 0),
            n.directory ? 0 : n.size, date, time);
  return e + dirent::size;
}

}  // namespace

void dos_date_time(int64_t t, uint16_t& date, uint16_t& time) {
  constexpr int64_t kMin = 315532800;   // 1980-01-01T00:00:00Z
  constexpr int64_t kMax = 4354819198;  // 2107-12-31T23:59:58Z
  t = std::clamp(t, kMin, kMax);
  int64_t days = t / 86400, secs = t % 86400;
  // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
  int64_t z = days + 719468;
  int64_t era = z / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1;
  int64_t m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  date = uint16_t(((y - 1980) << 9) | (m << 5) | d);
  time = uint16_t(((secs / 3600) << 11) | (((secs / 60) % 60) << 5) | ((secs % 60) / 2));
}

std::vector<uint8_t> build_fat(const std::vector<FatFileInput>& files, const FatOptions& options) {
  // 1. The tree.
  Node root;
  root.directory = true;
  std::vector<Node*> file_nodes;
  for (const FatFileInput& f : files) {
    if (f.size >= 0xFFFFFFFFull)
      throw std::invalid_argument(f.path + ": FAT cannot hold a file of 4 GiB or more");
    Node* dir = &root;
    size_t start = 0;
    while (true) {
      size_t slash = f.path.find('/', start);
      std::string part = f.path.substr(start, slash == std::string::npos ? slash : slash - start);
      check_long_name(part, f.path);
      Node* existing = child(dir, part);
      if (slash == std::string::npos) {
        if (existing) throw std::invalid_argument(f.path + ": given twice");
        auto n = std::make_unique<Node>();
        n->name = part;
        n->data = f.data;
        n->size = uint32_t(f.size);
        n->parent = dir;
        file_nodes.push_back(n.get());
        dir->children.push_back(std::move(n));
        break;
      }
      if (existing && !existing->directory)
        throw std::invalid_argument(f.path + ": " + part + " is a file");
      if (!existing) {
        auto n = std::make_unique<Node>();
        n->name = part;
        n->directory = true;
        n->parent = dir;
        existing = n.get();
        dir->children.push_back(std::move(n));
      }
      dir = existing;
      start = slash + 1;
    }
  }

  // 2. Short names, and the directories in breadth-first order.
  std::vector<Node*> dirs{&root};
  for (size_t i = 0; i < dirs.size(); ++i) {
    std::vector<const uint8_t*> taken;
    for (auto& c : dirs[i]->children) {
      uint8_t exact[11];
      bool is_short = as_short_name(c->name, exact);
      bool clash = is_short && std::any_of(taken.begin(), taken.end(), [&](const uint8_t* t) {
                     return std::memcmp(t, exact, 11) == 0;
                   });
      if (is_short && !clash) {
        std::memcpy(c->short_name, exact, 11);
        // Stored as typed: a long name when the case differs from the short name.
        c->needs_lfn = std::any_of(c->name.begin(), c->name.end(),
                                   [](char ch) { return ch >= 'a' && ch <= 'z'; });
      } else {
        numbered_short_name(c->name, taken, c->short_name);
        c->needs_lfn = true;
      }
      taken.push_back(c->short_name);
      if (c->directory) dirs.push_back(c.get());
    }
  }
  if (entry_count(root, true) > kFat16RootEntries)
    throw std::invalid_argument("too many entries in the root directory");

  // 3. Type, cluster size and count.
  auto clusters_needed = [&](uint32_t cluster_bytes, bool root_in_clusters) {
    uint64_t n = 0;
    for (size_t i = 0; i < dirs.size(); ++i) {
      if (i == 0 && !root_in_clusters) continue;
      n += std::max<uint32_t>(1, clusters_for(entry_count(*dirs[i], i == 0) * 32, cluster_bytes));
    }
    for (Node* f : file_nodes) n += clusters_for(f->size, cluster_bytes);
    return n;
  };
  Layout layout;
  uint64_t need16 = clusters_needed(kSector, false);
  if (need16 <= kFat12MaxClusters) {
    // Small sites: FAT12, so the volume is not padded to FAT16's 2 MiB minimum.
    layout = make_layout(FatType::Fat12, 1, std::max<uint32_t>(uint32_t(need16), 16));
  } else if (need16 <= kFat16MaxClusters) {
    layout =
        make_layout(FatType::Fat16, 1, std::max<uint32_t>(uint32_t(need16), kFat16MinClusters));
  } else {
    uint32_t spc = 64;  // 32 KiB clusters at most
    while (spc > 1 && clusters_needed(spc * kSector, true) < kFat32MinClusters) spc /= 2;
    uint64_t need = clusters_needed(spc * kSector, true);
    if (need > 0x0FFFFFF0ull) throw std::invalid_argument("too much data for one FAT volume");
    layout =
        make_layout(FatType::Fat32, spc, std::max<uint32_t>(uint32_t(need), kFat32MinClusters));
  }
  const bool fat32 = layout.type == FatType::Fat32;
  const uint32_t cluster_bytes = layout.sectors_per_cluster * kSector;

  // 4. Cluster assignment.
  uint32_t next = 2;
  for (size_t i = 0; i < dirs.size(); ++i) {
    if (i == 0 && !fat32) continue;
    dirs[i]->first_cluster = next;
    dirs[i]->clusters =
        std::max<uint32_t>(1, clusters_for(entry_count(*dirs[i], i == 0) * 32, cluster_bytes));
    next += dirs[i]->clusters;
  }
  for (Node* f : file_nodes) {
    f->clusters = clusters_for(f->size, cluster_bytes);
    f->first_cluster = f->clusters ? next : 0;
    next += f->clusters;
  }
  const uint32_t used = next - 2;

  // 5. The bytes.
  std::vector<uint8_t> vol(uint64_t(layout.total_sectors) * kSector, 0);
  uint8_t* bs = vol.data();
  bs[0] = 0xEB;
  bs[1] = uint8_t((fat32 ? bpb::boot_code32 : bpb::boot_code16) - 2);
  bs[2] = 0x90;
  std::memcpy(bs + bpb::oem, "MAYFLY  ", 8);
  store_le16(bs + bpb::bytes_per_sector, kSector);
  bs[bpb::sectors_per_cluster] = uint8_t(layout.sectors_per_cluster);
  store_le16(bs + bpb::reserved_sectors, uint16_t(layout.reserved));
  bs[bpb::num_fats] = 2;
  store_le16(bs + bpb::root_entries, fat32 ? 0 : kFat16RootEntries);
  if (!fat32 && layout.total_sectors < 0x10000)
    store_le16(bs + bpb::total_sectors16, uint16_t(layout.total_sectors));
  else
    store_le32(bs + bpb::total_sectors32, layout.total_sectors);
  bs[bpb::media] = 0xF8;
  store_le16(bs + bpb::sectors_per_track, 32);
  store_le16(bs + bpb::heads, 64);
  store_le32(bs + bpb::hidden_sectors, options.hidden_sectors);
  uint8_t label[11];
  std::memset(label, ' ', 11);
  std::string lab = options.label.empty() ? "NO NAME" : options.label;
  for (size_t i = 0; i < lab.size() && i < 11; ++i) {
    char c = char(std::toupper(uint8_t(lab[i])));
    if (!valid_short_char(c) && c != ' ')
      throw std::invalid_argument("volume label: character not allowed");
    label[i] = uint8_t(c);
  }
  // The boot code a firmware never runs: halt if someone BIOS-boots the partition.
  static const uint8_t kHalt[] = {0xFA, 0xF4, 0xEB, 0xFD};  // cli; hlt; jmp $-1
  if (fat32) {
    store_le32(bs + bpb::fat_size32, layout.fat_sectors);
    store_le32(bs + bpb::root_cluster, root.first_cluster);
    store_le16(bs + bpb::fsinfo_sector, 1);
    store_le16(bs + bpb::backup_boot_sector, 6);
    bs[bpb::drive32] = 0x80;
    bs[bpb::boot_sig32] = 0x29;
    store_le32(bs + bpb::volume_id32, options.volume_id);
    std::memcpy(bs + bpb::label32, label, 11);
    std::memcpy(bs + bpb::fs_type32, "FAT32   ", 8);
    std::memcpy(bs + bpb::boot_code32, kHalt, sizeof kHalt);
  } else {
    store_le16(bs + bpb::fat_size16, uint16_t(layout.fat_sectors));
    bs[bpb::drive16] = 0x80;
    bs[bpb::boot_sig16] = 0x29;
    store_le32(bs + bpb::volume_id16, options.volume_id);
    std::memcpy(bs + bpb::label16, label, 11);
    std::memcpy(bs + bpb::fs_type16, layout.type == FatType::Fat16 ? "FAT16   " : "FAT12   ", 8);
    std::memcpy(bs + bpb::boot_code16, kHalt, sizeof kHalt);
  }
  bs[510] = 0x55;
  bs[511] = 0xAA;
  if (fat32) {
    uint8_t* fsi = vol.data() + kSector;
    store_le32(fsi + fsinfo::lead_sig, 0x41615252);
    store_le32(fsi + fsinfo::struct_sig, 0x61417272);
    store_le32(fsi + fsinfo::free_count, layout.clusters - used);
    store_le32(fsi + fsinfo::next_free, used < layout.clusters ? next : 0xFFFFFFFF);
    store_le32(fsi + fsinfo::trail_sig, 0xAA550000);
    vol[2 * kSector + 510] = 0x55;
    vol[2 * kSector + 511] = 0xAA;
    std::memcpy(vol.data() + 6 * kSector, vol.data(), 3 * kSector);  // backup boot sectors
  }

  // The FAT: media and end-of-chain markers in entries 0 and 1, then each chain.
  uint8_t* fat_area = vol.data() + uint64_t(layout.reserved) * kSector;
  auto set_fat = [&](uint32_t cluster, uint32_t value) {
    if (layout.type == FatType::Fat12) {  // 12-bit entries, two in three bytes
      uint8_t* p = fat_area + cluster + cluster / 2;
      if (cluster & 1) {
        p[0] = uint8_t((p[0] & 0x0F) | ((value << 4) & 0xF0));
        p[1] = uint8_t(value >> 4);
      } else {
        p[0] = uint8_t(value);
        p[1] = uint8_t((p[1] & 0xF0) | ((value >> 8) & 0x0F));
      }
    } else if (fat32)
      store_le32(fat_area + 4 * uint64_t(cluster), value);
    else
      store_le16(fat_area + 2 * uint64_t(cluster), uint16_t(value));
  };
  const uint32_t eoc = fat32 ? 0x0FFFFFFF : layout.type == FatType::Fat16 ? 0xFFFF : 0xFFF;
  set_fat(0, fat32 ? 0x0FFFFFF8 : layout.type == FatType::Fat16 ? 0xFFF8 : 0xFF8);
  set_fat(1, eoc);
  auto chain = [&](uint32_t first, uint32_t count) {
    for (uint32_t k = 0; k < count; ++k) set_fat(first + k, k + 1 == count ? eoc : first + k + 1);
  };
  for (Node* d : dirs)
    if (d->clusters) chain(d->first_cluster, d->clusters);
  for (Node* f : file_nodes)
    if (f->clusters) chain(f->first_cluster, f->clusters);
  std::memcpy(fat_area + uint64_t(layout.fat_sectors) * kSector, fat_area,
              uint64_t(layout.fat_sectors) * kSector);

  uint8_t* data_area = vol.data() + uint64_t(layout.data_start) * kSector;
  auto cluster_ptr = [&](uint32_t c) { return data_area + uint64_t(c - 2) * cluster_bytes; };
  uint16_t date, time;
  dos_date_time(options.mtime, date, time);
  for (size_t i = 0; i < dirs.size(); ++i) {
    Node* d = dirs[i];
    uint8_t* e = i == 0 && !fat32
                     ? vol.data() + uint64_t(layout.reserved + 2 * layout.fat_sectors) * kSector
                     : cluster_ptr(d->first_cluster);
    if (i == 0) {
      set_entry(e, label, attr::volume_id, 0, 0, date, time);
      e[dirent::create_date] = e[dirent::create_date + 1] = 0;
      e[dirent::create_time] = e[dirent::create_time + 1] = 0;
      e[dirent::access_date] = e[dirent::access_date + 1] = 0;
      e += dirent::size;
    } else {
      uint8_t dot[11], dotdot[11];
      std::memset(dot, ' ', 11);
      std::memset(dotdot, ' ', 11);
      dot[0] = dotdot[0] = dotdot[1] = '.';
      set_entry(e, dot, attr::directory, d->first_cluster, 0, date, time);
      uint32_t parent = d->parent == &root ? 0 : d->parent->first_cluster;
      set_entry(e + dirent::size, dotdot, attr::directory, parent, 0, date, time);
      e += 2 * dirent::size;
    }
    for (auto& c : d->children) e = write_named_entry(e, *c, date, time);
  }
  for (Node* f : file_nodes)
    if (f->size) std::memcpy(cluster_ptr(f->first_cluster), f->data, f->size);
  return vol;
}

}  // namespace mayfly::image
