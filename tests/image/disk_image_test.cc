// The whole disk: GPT + ESP + files; determinism; damage `mayfly inspect` must name.
#include <gtest/gtest.h>

#include <cstring>

#include "bundle/reader.h"
#include "bundle/writer.h"
#include "image/cpio.h"
#include "image/disk_image.h"
#include "image/esp_layout.h"

namespace mayfly::image {
namespace {

std::vector<uint8_t> test_bundle(size_t extra_bytes = 0) {
  std::vector<bundle::SourceFile> files(extra_bytes ? 3 : 2);
  if (extra_bytes) {
    files[2].path = "/big.bin";
    uint64_t x = 88172645463325252ull;  // xorshift: incompressible content
    for (size_t i = 0; i < extra_bytes; ++i) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      files[2].contents.push_back(uint8_t(x));
    }
  }
  files[0].path = "/index.html";
  std::string body = "<!doctype html><title>hi</title><p>hello</p>";
  files[0].contents.assign(body.begin(), body.end());
  files[1].path = "/404.html";
  files[1].contents.assign(body.begin(), body.end());
  bundle::WriteOptions o;
  o.threads = 1;
  o.compress = false;
  o.source_date_epoch = 1700000000;
  return bundle::write_bundle(files, o);
}

struct Fixture {
  std::vector<uint8_t> site = test_bundle();
  DiskSpec spec;
  Fixture() {
    spec.loader.assign(4096, 0);
    spec.loader[0] = 'M';
    spec.loader[1] = 'Z';
    spec.kernel.assign(200000, 0x90);
    std::memcpy(spec.kernel.data(),
                "\x7f"
                "ELF\x02\x01\x01",
                7);
    spec.bundle = site.data();
    spec.bundle_size = site.size();
    spec.cmdline = "ip=dhcp log=access";
    spec.kernel_version = "0.1.0";
    spec.mayfly_version = "0.1.0";
    bundle::Bundle b;
    EXPECT_EQ(b.open(site.data(), site.size()), bundle::Error::None);
    char id[33];
    b.id_hex(id);
    spec.bundle_id = id;
    spec.mtime = 1700000000;
  }
};

// Offset of the directory entry whose 8.3 name is `name11` inside the image.
size_t find_short_entry(const std::vector<uint8_t>& disk, const char* name11) {
  for (size_t off = kEspFirstLba * 512; off + 32 <= disk.size(); off += 32)
    if (std::memcmp(&disk[off], name11, 11) == 0 && disk[off + 11] != 0x0F) return off;
  return 0;
}

TEST(DiskImage, BuildsAndInspects) {
  Fixture f;
  auto disk = build_disk_image(f.spec);
  EXPECT_EQ(disk.size() % kDiskAlignment, 0u);
  // A tiny site gets a small FAT12 volume.
  EXPECT_LE(disk.size(), f.site.size() + f.spec.kernel.size() + (256u << 10));
  EXPECT_TRUE(looks_like_disk_image(disk.data(), disk.size()));
  ImageReport r;
  ASSERT_EQ(inspect_disk_image(disk.data(), disk.size(), r), "");
  EXPECT_EQ(r.flavour, "mayfly");
  EXPECT_EQ(r.kernel_version, "0.1.0");
  EXPECT_EQ(r.bundle_id, f.spec.bundle_id);
  EXPECT_EQ(r.cmdline, "ip=dhcp log=access");
  EXPECT_EQ(r.bundle_bytes, f.site.size());
  EXPECT_EQ(r.kernel_bytes, f.spec.kernel.size());
  EXPECT_EQ(r.esp.first_lba, kEspFirstLba);
  EXPECT_EQ(r.gpt.partitions.size(), 1u);
  bool has_loader = false;
  for (const auto& file : r.files) has_loader |= file.path == "/EFI/BOOT/BOOTX64.EFI";
  EXPECT_TRUE(has_loader);
}

TEST(DiskImage, SizeBudget) {
  // The unikernel flavour's budget: the bundle plus at most 2 MiB, with a kernel at its
  // 256 KiB target, for bundles on both sides of the FAT16/FAT32 boundary.
  for (size_t extra : {size_t(1) << 20, size_t(40) << 20, size_t(3) << 20}) {
    Fixture f;
    f.site = test_bundle(extra);
    f.spec.bundle = f.site.data();
    f.spec.bundle_size = f.site.size();
    f.spec.bundle_id.clear();  // not checked when absent
    f.spec.kernel.resize(256 * 1024);
    auto disk = build_disk_image(f.spec);
    EXPECT_LE(disk.size(), f.site.size() + (2u << 20)) << extra;
    ImageReport r;
    ASSERT_EQ(inspect_disk_image(disk.data(), disk.size(), r), "");
    EXPECT_EQ(r.fat_type, extra > (32u << 20)  ? FatType::Fat32
                          : extra > (2u << 20) ? FatType::Fat16
                                               : FatType::Fat12);
  }
}

TEST(DiskImage, ByteIdenticalForSameInputs) {
  Fixture a, b;
  auto da = build_disk_image(a.spec), db = build_disk_image(b.spec);
  EXPECT_TRUE(da == db);
  b.spec.mtime += 2;
  auto dc = build_disk_image(b.spec);
  EXPECT_FALSE(da == dc);
  ImageReport ra, rc;
  ASSERT_EQ(inspect_disk_image(da.data(), da.size(), ra), "");
  ASSERT_EQ(inspect_disk_image(dc.data(), dc.size(), rc), "");
  EXPECT_NE(ra.gpt.disk_guid, rc.gpt.disk_guid);  // GUIDs follow the content
}

TEST(DiskImage, MissingFileIsNamed) {
  Fixture f;
  auto disk = build_disk_image(f.spec);
  size_t off = find_short_entry(disk, "SITE    MFB");
  ASSERT_NE(off, 0u);
  disk[off] = 0xE5;  // deleted
  // The long-name entries before it now name nothing; the chain is left as it was.
  ImageReport r;
  std::string e = inspect_disk_image(disk.data(), disk.size(), r);
  EXPECT_NE(e.find("missing file /mayfly/site.mfb"), std::string::npos) << e;
}

TEST(DiskImage, CorruptBundleIsNamed) {
  Fixture f;
  auto disk = build_disk_image(f.spec);
  // The bundle is the last file: flip a byte in its data.
  ImageReport r;
  ASSERT_EQ(inspect_disk_image(disk.data(), disk.size(), r), "");
  size_t off = 0;
  for (size_t i = kEspFirstLba * 512; i + 8 <= disk.size(); i += 512)
    if (std::memcmp(&disk[i], f.site.data(), 8) == 0) off = i;
  ASSERT_NE(off, 0u);
  disk[off + f.site.size() / 2] ^= 0xFF;
  std::string e = inspect_disk_image(disk.data(), disk.size(), r);
  EXPECT_NE(e.find("/mayfly/site.mfb: "), std::string::npos) << e;
}

TEST(DiskImage, TruncatedAndBadCrc) {
  Fixture f;
  auto disk = build_disk_image(f.spec);
  ImageReport r;
  std::string e = inspect_disk_image(disk.data(), disk.size() - 4096, r);
  EXPECT_NE(e.find("image truncated"), std::string::npos) << e;
  auto bad = disk;
  bad[512 + 100] = 1;  // inside the header CRC's span? no: beyond 92 bytes, not covered
  bad[512 + 48] ^= 1;  // last usable LBA: covered
  e = inspect_disk_image(bad.data(), bad.size(), r);
  EXPECT_NE(e.find("bad header CRC32"), std::string::npos) << e;
}

TEST(DiskImage, NeedsLoaderAndKernel) {
  Fixture f;
  f.spec.loader.clear();
  EXPECT_THROW(build_disk_image(f.spec), std::invalid_argument);
}

// The Linux flavour: vmlinuz and initrd.img instead of kernel.elf and site.mfb; the bundle
// is found inside the initramfs.
struct LinuxFixture : Fixture {
  std::vector<uint8_t> initrd;
  explicit LinuxFixture(bool with_bundle = true) {
    spec.flavour = "linux";
    spec.kernel.assign(300000, 0);
    spec.kernel[0] = 'M';
    spec.kernel[1] = 'Z';
    std::memcpy(spec.kernel.data() + 0x202, "HdrS", 4);
    std::string init = "#!static";
    std::vector<CpioEntry> e = {
        {"init", kCpioFile | 0755, reinterpret_cast<const uint8_t*>(init.data()), init.size()}};
    if (with_bundle) e.push_back({"site.mfb", kCpioFile | 0444, site.data(), site.size()});
    spec.initrd = write_cpio(e, spec.mtime);
    spec.bundle = nullptr;
    spec.bundle_size = 0;
    spec.kernel_version = "6.1.0-57-amd64";
  }
};

TEST(DiskImage, LinuxFlavourRoundTrip) {
  LinuxFixture f;
  std::vector<uint8_t> disk = build_disk_image(f.spec);
  EXPECT_EQ(disk, build_disk_image(f.spec));
  ImageReport r;
  ASSERT_EQ(inspect_disk_image(disk.data(), disk.size(), r), "");
  EXPECT_EQ(r.flavour, "linux");
  EXPECT_EQ(r.kernel_version, "6.1.0-57-amd64");
  EXPECT_EQ(r.bundle_id, f.spec.bundle_id);
  EXPECT_EQ(r.bundle_bytes, f.site.size());
  EXPECT_EQ(r.initrd_bytes, f.spec.initrd.size());
  bool has_vmlinuz = false, has_elf = false;
  for (const ImageFile& file : r.files) {
    has_vmlinuz |= file.path == std::string("/") + esp::kLinuxKernelPath;
    has_elf |= file.path == std::string("/") + esp::kKernelPath;
  }
  EXPECT_TRUE(has_vmlinuz);
  EXPECT_FALSE(has_elf);
}

TEST(DiskImage, LinuxFlavourDamage) {
  LinuxFixture no_bundle(false);
  std::vector<uint8_t> disk = build_disk_image(no_bundle.spec);
  ImageReport r;
  EXPECT_NE(inspect_disk_image(disk.data(), disk.size(), r).find("no site.mfb inside"),
            std::string::npos);
  LinuxFixture not_linux;
  not_linux.spec.kernel[0x202] = 'X';
  disk = build_disk_image(not_linux.spec);
  EXPECT_NE(inspect_disk_image(disk.data(), disk.size(), r).find("not a Linux EFI-stub kernel"),
            std::string::npos);
  LinuxFixture no_initrd;
  no_initrd.spec.initrd.clear();
  EXPECT_THROW(build_disk_image(no_initrd.spec), std::invalid_argument);
}

}  // namespace
}  // namespace mayfly::image
