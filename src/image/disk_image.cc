#include "image/disk_image.h"

#include <cstring>
#include <stdexcept>

#include "bundle/reader.h"
#include "core/xxhash64.h"
#include "image/cpio.h"
#include "image/esp_layout.h"

namespace mayfly::image {
namespace {

std::string manifest_text(const DiskSpec& s) {
  return "flavour " + s.flavour + "\nkernel-version " + s.kernel_version + "\nmayfly-version " +
         s.mayfly_version + "\nbundle-id " + s.bundle_id + "\n";
}

std::string manifest_value(const std::string& text, const std::string& key) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(pos, end - pos);
    if (line.size() > key.size() && line.compare(0, key.size(), key) == 0 &&
        line[key.size()] == ' ')
      return line.substr(key.size() + 1);
    pos = end + 1;
  }
  return {};
}

}  // namespace

std::vector<uint8_t> build_disk_image(const DiskSpec& spec) {
  if (spec.loader.empty()) throw std::invalid_argument("no UEFI loader given");
  if (spec.kernel.empty()) throw std::invalid_argument("no kernel given");
  bool linux_flavour = spec.flavour == "linux";
  if (linux_flavour == spec.initrd.empty())
    throw std::invalid_argument("an initramfs goes with the linux flavour, and only with it");
  std::string manifest = manifest_text(spec);
  // Everything that names the image feeds the hash the GUIDs come from.
  uint64_t h = xxhash64(spec.loader.data(), spec.loader.size(), 0);
  h = xxhash64(spec.kernel.data(), spec.kernel.size(), h);
  h = xxhash64(spec.bundle, spec.bundle_size, h);
  h = xxhash64(spec.initrd.data(), spec.initrd.size(), h);
  h = xxhash64(spec.cmdline.data(), spec.cmdline.size(), h);
  h = xxhash64(manifest.data(), manifest.size(), h);
  h = xxhash64(&spec.mtime, sizeof spec.mtime, h);

  std::string cmdline = spec.cmdline + "\n";
  std::vector<FatFileInput> files = {
      {esp::kLoaderPath, spec.loader.data(), spec.loader.size()},
      {linux_flavour ? esp::kLinuxKernelPath : esp::kKernelPath, spec.kernel.data(),
       spec.kernel.size()},
      {esp::kCmdlinePath, reinterpret_cast<const uint8_t*>(cmdline.data()), cmdline.size()},
      {esp::kManifestPath, reinterpret_cast<const uint8_t*>(manifest.data()), manifest.size()},
  };
  if (linux_flavour)
    files.push_back({esp::kInitrdPath, spec.initrd.data(), spec.initrd.size()});
  else
    files.push_back({esp::kBundlePath, spec.bundle, spec.bundle_size});
  FatOptions fo;
  fo.mtime = spec.mtime;
  fo.volume_id = uint32_t(h ^ (h >> 32));
  fo.label = "MAYFLY";
  fo.hidden_sectors = uint32_t(kEspFirstLba);
  std::vector<uint8_t> fat = build_fat(files, fo);

  uint64_t needed = (kEspFirstLba + kGptBackupSectors) * kSectorSize + fat.size();
  uint64_t disk_bytes = (needed + kDiskAlignment - 1) / kDiskAlignment * kDiskAlignment;
  std::vector<uint8_t> disk(disk_bytes, 0);
  std::memcpy(disk.data() + kEspFirstLba * kSectorSize, fat.data(), fat.size());
  GptPartition part;
  Guid::parse(kEspTypeGuid, part.type);
  part.unique = Guid::derive(h, "esp");
  part.first_lba = kEspFirstLba;
  part.last_lba = disk_bytes / kSectorSize - 1 - kGptBackupSectors;
  part.name = "EFI System Partition";
  write_gpt(disk.data(), disk_bytes, Guid::derive(h, "disk"), {part});
  return disk;
}

bool looks_like_disk_image(const uint8_t* data, size_t size) {
  return size >= 1024 && data[510] == 0x55 && data[511] == 0xAA &&
         std::memcmp(data + 512, "EFI PART", 8) == 0;
}

std::string inspect_disk_image(const uint8_t* data, size_t size, ImageReport& out) {
  out = ImageReport{};
  out.image_bytes = size;
  if (std::string e = read_gpt(data, size, out.gpt); !e.empty()) return e;
  Guid esp_type;
  Guid::parse(kEspTypeGuid, esp_type);
  const GptPartition* esp = nullptr;
  for (const GptPartition& p : out.gpt.partitions)
    if (p.type == esp_type) esp = &p;
  if (!esp) return "no EFI System Partition in the partition table";
  out.esp = *esp;
  uint64_t off = esp->first_lba * kSectorSize;
  uint64_t len = (esp->last_lba - esp->first_lba + 1) * kSectorSize;
  FatVolume vol;
  if (std::string e = vol.open(data + off, len); !e.empty()) return "EFI System Partition: " + e;
  out.fat_type = vol.type();
  out.cluster_bytes = vol.cluster_bytes();
  out.volume_label = vol.label();
  for (const FatEntry& e : vol.entries()) out.files.push_back({e.path, e.size, e.directory});

  auto need = [&](const char* path, const FatEntry*& f) -> std::string {
    f = vol.find(path);
    if (!f || f->directory)
      return std::string("missing file /") + path + " on the EFI System Partition";
    return {};
  };
  const FatEntry* manifest = nullptr;
  if (std::string e = need(esp::kManifestPath, manifest); !e.empty()) return e;
  std::vector<uint8_t> bytes = vol.read(*manifest);
  std::string m(bytes.begin(), bytes.end());
  out.flavour = manifest_value(m, "flavour");
  out.kernel_version = manifest_value(m, "kernel-version");
  out.mayfly_version = manifest_value(m, "mayfly-version");
  std::string manifest_id = manifest_value(m, "bundle-id");
  bool linux_flavour = out.flavour == "linux";

  const FatEntry *loader, *kernel, *bundle_file, *cmdline;
  for (auto [path, slot] : {std::pair{esp::kLoaderPath, &loader},
                            {linux_flavour ? esp::kLinuxKernelPath : esp::kKernelPath, &kernel},
                            {linux_flavour ? esp::kInitrdPath : esp::kBundlePath, &bundle_file},
                            {esp::kCmdlinePath, &cmdline}})
    if (std::string e = need(path, *slot); !e.empty()) return e;

  bytes = vol.read(*loader);
  out.loader_bytes = bytes.size();
  if (bytes.size() < 64 || bytes[0] != 'M' || bytes[1] != 'Z')
    return std::string("/") + esp::kLoaderPath + ": not a PE executable";
  bytes = vol.read(*kernel);
  out.kernel_bytes = bytes.size();
  if (linux_flavour) {
    // An x86 bzImage with the EFI stub: a PE file ("MZ") whose real-mode header carries
    // "HdrS" at 0x202 (Linux Documentation/arch/x86/boot.rst).
    if (bytes.size() < 0x206 || bytes[0] != 'M' || bytes[1] != 'Z' ||
        std::memcmp(bytes.data() + 0x202, "HdrS", 4) != 0)
      return std::string("/") + esp::kLinuxKernelPath + ": not a Linux EFI-stub kernel";
  } else if (bytes.size() < 64 ||
             std::memcmp(bytes.data(),
                         "\x7f"
                         "ELF",
                         4) != 0 ||
             bytes[4] != 2) {
    return std::string("/") + esp::kKernelPath + ": not a 64-bit ELF file";
  }
  bytes = vol.read(*cmdline);
  out.cmdline.assign(bytes.begin(), bytes.end());
  while (!out.cmdline.empty() && (out.cmdline.back() == '\n' || out.cmdline.back() == '\r'))
    out.cmdline.pop_back();

  bytes = vol.read(*bundle_file);
  const uint8_t* bundle_data = bytes.data();
  size_t bundle_size = bytes.size();
  std::string bundle_name = std::string("/") + esp::kBundlePath;
  if (linux_flavour) {
    out.initrd_bytes = bytes.size();
    std::vector<CpioMember> members;
    if (std::string e = read_cpio(bytes.data(), bytes.size(), members); !e.empty())
      return std::string("/") + esp::kInitrdPath + ": " + e;
    const CpioMember* found = nullptr;
    for (const CpioMember& c : members)
      if (c.path == esp::kInitrdBundlePath) found = &c;
    if (!found)
      return std::string("/") + esp::kInitrdPath + ": no " + esp::kInitrdBundlePath + " inside";
    bundle_data = bytes.data() + found->offset;
    bundle_size = found->size;
    bundle_name = std::string("/") + esp::kInitrdPath + ":" + esp::kInitrdBundlePath;
  }
  out.bundle_bytes = bundle_size;
  bundle::Bundle b;
  if (bundle::Error e = b.open(bundle_data, bundle_size); e != bundle::Error::None)
    return bundle_name + ": " + bundle::describe(e);
  char id[33];
  b.id_hex(id);
  out.bundle_id = id;
  if (!manifest_id.empty() && manifest_id != out.bundle_id)
    return std::string("/") + esp::kManifestPath + " names bundle " + manifest_id +
           " but the bundle is " + out.bundle_id;
  return {};
}

}  // namespace mayfly::image
