// The Linux flavour's pieces: the cpio newc writer and reader, the module planner.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "image/cpio.h"
#include "image/modules_dep.h"

namespace mayfly::image {
namespace {

TEST(Cpio, RoundTripIsDeterministicAndAligned) {
  std::string a = "hello", b = "0123456789abcdef";
  std::vector<CpioEntry> e = {
      {"dev", kCpioDir | 0755},
      {"dev/console", kCpioCharDev | 0600, nullptr, 0, 5, 1},
      {"init", kCpioFile | 0755, reinterpret_cast<const uint8_t*>(a.data()), a.size()},
      {"site.mfb", kCpioFile | 0444, reinterpret_cast<const uint8_t*>(b.data()), b.size()},
  };
  std::vector<uint8_t> x = write_cpio(e, 1700000000), y = write_cpio(e, 1700000000);
  EXPECT_EQ(x, y);
  EXPECT_EQ(x.size() % 4, 0u);
  EXPECT_EQ(std::memcmp(x.data(), "070701", 6), 0);
  std::vector<CpioMember> m;
  ASSERT_EQ(read_cpio(x.data(), x.size(), m), "");
  ASSERT_EQ(m.size(), 4u);
  EXPECT_EQ(m[1].path, "dev/console");
  EXPECT_EQ(m[1].mode, kCpioCharDev | 0600);
  EXPECT_EQ(m[3].path, "site.mfb");
  EXPECT_EQ(m[3].offset % 4, 0u);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(x.data() + m[3].offset), m[3].size), b);
  // Inode numbers follow the order; mtime is the one given (fields 1 and 6, 8 hex digits).
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(x.data() + 6), 8), "00000001");
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(x.data() + 6 + 5 * 8), 8), "6553F100");
}

TEST(Cpio, DamageIsReported) {
  std::string a = "hello";
  std::vector<uint8_t> x =
      write_cpio({{"init", kCpioFile | 0755, reinterpret_cast<const uint8_t*>(a.data()), 5}}, 0);
  std::vector<CpioMember> m;
  EXPECT_NE(read_cpio(x.data(), x.size() - 120, m), "");  // no trailer
  x[0] = 'X';
  EXPECT_NE(read_cpio(x.data(), x.size(), m), "");
  x[0] = '0';
  x[6 + 6 * 8] = 'F';  // file size far past the end
  EXPECT_NE(read_cpio(x.data(), x.size(), m), "");
}

TEST(ModulesDep, DependenciesFirstBuiltinsSkipped) {
  std::string dep =
      "kernel/drivers/net/virtio_net.ko: kernel/drivers/net/net_failover.ko "
      "kernel/net/core/failover.ko kernel/drivers/virtio/virtio.ko "
      "kernel/drivers/virtio/virtio_ring.ko\n"
      "kernel/drivers/net/net_failover.ko: kernel/net/core/failover.ko\n"
      "kernel/net/core/failover.ko:\n"
      "kernel/drivers/virtio/virtio.ko: kernel/drivers/virtio/virtio_ring.ko\n"
      "kernel/drivers/virtio/virtio_ring.ko:\n"
      "kernel/drivers/nvme/host/nvme.ko: kernel/drivers/nvme/host/nvme-core.ko\n"
      "kernel/drivers/nvme/host/nvme-core.ko:\n";
  std::string builtin = "kernel/drivers/net/ethernet/amazon/ena/ena.ko\n";
  ModulePlan p;
  ASSERT_EQ(plan_modules(dep, builtin, {"virtio_net", "ena", "nvme"}, p), "");
  std::vector<std::string> want = {
      "kernel/drivers/virtio/virtio_ring.ko", "kernel/drivers/virtio/virtio.ko",
      "kernel/net/core/failover.ko",          "kernel/drivers/net/net_failover.ko",
      "kernel/drivers/net/virtio_net.ko",     "kernel/drivers/nvme/host/nvme-core.ko",
      "kernel/drivers/nvme/host/nvme.ko"};
  EXPECT_EQ(p.load, want);
  EXPECT_EQ(p.builtin, std::vector<std::string>{"ena"});
  EXPECT_EQ(module_name("kernel/drivers/nvme/host/nvme-core.ko"), "nvme_core");
  EXPECT_NE(plan_modules(dep, builtin, {"e1000"}, p), "");
  EXPECT_NE(plan_modules("no colon here\n", "", {"x"}, p), "");
}

}  // namespace
}  // namespace mayfly::image
