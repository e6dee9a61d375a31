#include "image/linux_image.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "image/cpio.h"
#include "image/disk_image.h"
#include "image/modules_dep.h"

namespace mayfly::image {
namespace {

namespace fs = std::filesystem;

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error(p.string() + ": cannot open");
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

const char* kFetchHint = "fetch it: scripts/install-deps linux";

}  // namespace

std::string find_linux_dir(const std::string& explicit_dir) {
  if (!explicit_dir.empty()) return explicit_dir;
  if (const char* env = std::getenv(kLinuxDirEnv); env && *env) return env;
  std::error_code ec;
  std::vector<std::string> found;
  for (const auto& d : fs::directory_iterator(kLinuxCacheRoot, ec))
    if (d.is_directory()) found.push_back(d.path().string());
  if (found.empty())
    throw std::runtime_error(std::string("no Linux kernel in ") + kLinuxCacheRoot + " (" +
                             kFetchHint + ", or give --linux-dir / $" + kLinuxDirEnv + ")");
  std::sort(found.begin(), found.end());
  return found.back();
}

LinuxKernel load_linux_kernel(const std::string& dir) {
  LinuxKernel k;
  k.dir = dir;
  std::error_code ec;
  std::vector<std::string> versions;
  for (const auto& d : fs::directory_iterator(fs::path(dir) / "lib/modules", ec))
    if (d.is_directory()) versions.push_back(d.path().filename().string());
  if (versions.size() != 1)
    throw std::runtime_error(dir + ": expected one kernel under lib/modules (" + kFetchHint + ")");
  k.version = versions[0];
  fs::path vmlinuz = fs::path(dir) / "boot" / ("vmlinuz-" + k.version);
  std::string v = read_text(vmlinuz);
  k.vmlinuz.assign(v.begin(), v.end());
  fs::path mods = fs::path(dir) / "lib/modules" / k.version;
  if (!fs::exists(mods / "modules.dep", ec))
    throw std::runtime_error((mods / "modules.dep").string() + ": missing (run depmod -b; " +
                             kFetchHint + ")");
  k.modules_dep = read_text(mods / "modules.dep");
  k.modules_builtin = read_text(mods / "modules.builtin");
  return k;
}

const std::vector<std::string>& linux_wanted_modules() {
  static const std::vector<std::string> kWanted = {"virtio_pci", "virtio_net", "ena", "nvme"};
  return kWanted;
}

std::vector<uint8_t> build_linux_initramfs(const LinuxKernel& kernel,
                                           const std::vector<uint8_t>& init, const uint8_t* bundle,
                                           size_t bundle_size, int64_t mtime) {
  ModulePlan plan;
  if (std::string e =
          plan_modules(kernel.modules_dep, kernel.modules_builtin, linux_wanted_modules(), plan);
      !e.empty())
    throw std::runtime_error(kernel.dir + ": " + e);
  fs::path mods = fs::path(kernel.dir) / "lib/modules" / kernel.version;
  std::vector<std::string> blobs;  // the module files, kept alive for the entries
  std::string load;
  for (const std::string& p : plan.load) {
    if (p.size() < 3 || p.compare(p.size() - 3, 3, ".ko") != 0)
      throw std::runtime_error(p + ": only uncompressed modules are supported");
    blobs.push_back(read_text(mods / p));
    load += "/lib/modules/" + fs::path(p).filename().string() + "\n";
  }
  std::vector<CpioEntry> e = {
      {"dev", kCpioDir | 0755},
      {"dev/console", kCpioCharDev | 0600, nullptr, 0, 5, 1},  // opened by the kernel for /init
      {"proc", kCpioDir | 0555},
      {"sys", kCpioDir | 0555},
      {"init", kCpioFile | 0755, init.data(), init.size()},
      {"lib", kCpioDir | 0755},
      {"lib/modules", kCpioDir | 0755},
  };
  for (size_t i = 0; i < plan.load.size(); ++i)
    e.push_back({"lib/modules/" + fs::path(plan.load[i]).filename().string(), kCpioFile | 0644,
                 reinterpret_cast<const uint8_t*>(blobs[i].data()), blobs[i].size()});
  e.push_back({"lib/modules/load.txt", kCpioFile | 0644,
               reinterpret_cast<const uint8_t*>(load.data()), load.size()});
  e.push_back({"site.mfb", kCpioFile | 0444, bundle, bundle_size});
  return write_cpio(e, mtime);
}

std::string linux_cmdline(const std::string& user_cmdline) {
  // console=ttyS0: the serial console clouds log (AWS get-console-output, GCE serial port 1)
  // and mayfly run shows; quiet keeps the kernel to warnings so mayfly-init's lines show.
  return "console=ttyS0,115200 quiet " + user_cmdline;
}

std::vector<uint8_t> build_linux_disk_image(const LinuxImageInputs& in) {
  if (in.init.empty()) throw std::invalid_argument("no mayfly-init given");
  if (!in.bundle || in.bundle_size == 0) throw std::invalid_argument("no bundle given");
  LinuxKernel k = load_linux_kernel(find_linux_dir(in.kernel_dir));
  DiskSpec spec;
  spec.loader = in.loader;
  spec.kernel = k.vmlinuz;
  spec.initrd = build_linux_initramfs(k, in.init, in.bundle, in.bundle_size, in.mtime);
  spec.cmdline = linux_cmdline(in.cmdline);
  spec.flavour = "linux";
  spec.kernel_version = k.version;
  spec.mayfly_version = in.mayfly_version;
  spec.bundle_id = in.bundle_id;
  spec.mtime = in.mtime;
  return build_disk_image(spec);
}

}  // namespace mayfly::image
