// mayfly image PATH -o site.img: a bootable GPT disk (UEFI) holding the kernel and the site.
#include <nlohmann/json.hpp>

#include <sys/wait.h>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "cli/site_source.h"
#include "cli/term.h"
#include "core/version.h"
#include "hosted/atomic_file.h"
#include "image/artifacts.h"
#include "image/disk_image.h"
#include "image/gce_archive.h"
#include "image/linux_image.h"
#include "image/site_disk.h"

namespace mayfly::cli {
namespace {

// qcow2 through Debian's qemu-img: the raw image goes to a temporary file beside the
// output, qemu-img writes a second temporary file, which is renamed into place.
void write_qcow2(const std::string& output, const std::vector<uint8_t>& disk) {
  std::string raw = output + ".raw.tmp", qcow = output + ".qcow2.tmp";
  hosted::write_file_atomic(raw, disk.data(), disk.size());
  pid_t pid = fork();
  if (pid < 0) {
    std::remove(raw.c_str());
    throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    execlp("qemu-img", "qemu-img", "convert", "-q", "-f", "raw", "-O", "qcow2", raw.c_str(),
           qcow.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  std::remove(raw.c_str());
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::remove(qcow.c_str());
    throw std::runtime_error(WIFEXITED(status) && WEXITSTATUS(status) == 127
                                 ? "qemu-img not found (Debian package qemu-utils)"
                                 : "qemu-img convert failed");
  }
  if (std::rename(qcow.c_str(), output.c_str()) != 0) {
    std::remove(qcow.c_str());
    throw std::runtime_error(output + ": cannot rename into place");
  }
}

}  // namespace

void add_image_command(CLI::App& app, int& exit_code) {
  struct Args {
    std::string path;
    std::string output = "site.img";
    std::string format = "raw";
    std::string kernel = "mayfly";
    std::string cmdline = "ip=dhcp";
    std::string kernel_file, loader_file, linux_dir, init_file;
    BundleFlags flags;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("image", "Make a bootable UEFI disk image of a site");
  cmd->add_option("PATH", args->path, "Bundle (.mfb), built site directory or blog source")
      ->required();
  cmd->add_option("-o,--output", args->output, "Image file to write")->capture_default_str();
  cmd->add_option("--format", args->format,
                  "raw (a disk), qcow2 (through qemu-img) or gce (tar.gz holding disk.raw)")
      ->check(CLI::IsMember({"raw", "qcow2", "gce"}))
      ->capture_default_str();
  cmd->add_option("--kernel", args->kernel,
                  "Kernel flavour: mayfly (the unikernel) or linux (Debian's kernel, the "
                  "fallback for clouds whose devices mayfly has no driver for)")
      ->check(CLI::IsMember({"mayfly", "linux"}))
      ->capture_default_str();
  cmd->add_option("--cmdline", args->cmdline, "Kernel command line (see docs/kernel.md)")
      ->capture_default_str();
  cmd->add_option("--kernel-file", args->kernel_file,
                  "Kernel ELF to use (default: mayfly-kernel beside this binary)");
  cmd->add_option("--loader-file", args->loader_file,
                  "UEFI loader to use (default: mayfly-uefi.efi beside this binary)");
  cmd->add_option("--linux-dir", args->linux_dir,
                  "With --kernel linux: the extracted Debian kernel (default: $MAYFLY_LINUX_DIR, "
                  "else the newest under /var/cache/mayfly/linux; scripts/install-deps linux)");
  cmd->add_option("--init-file", args->init_file,
                  "With --kernel linux: PID 1 to use (default: mayfly-init beside this binary)");
  cmd->add_option("--header", args->flags.headers,
                  "Extra response header when bundling a directory, 'Name: value' (repeatable)");
  cmd->add_flag("--json", args->json, "Print the result as JSON on stdout");
  cmd->footer(
      "The disk is GPT with one EFI System Partition: EFI/BOOT/BOOTX64.EFI (mayfly's loader), "
      "mayfly/kernel.elf, mayfly/site.mfb, mayfly/cmdline.txt. With SOURCE_DATE_EPOCH set "
      "(else the bundle's creation time), the same inputs give a byte-identical image.");
  cmd->callback([args, &exit_code] {
    try {
      // The loader reads one line into a 3.5 KiB buffer below 1 MiB.
      if (args->cmdline.size() > 3000 ||
          args->cmdline.find_first_of(std::string("\r\n\0", 3)) != std::string::npos)
        throw std::runtime_error("--cmdline: one line of at most 3000 characters");
      LoadedBundle lb;
      load_bundle(args->path, args->flags, lb);
      char id[33];
      lb.bundle.id_hex(id);
      std::optional<int64_t> epoch = source_date_epoch();
      const int64_t mtime = epoch ? *epoch : lb.bundle.created();
      image::SiteDiskInputs in;
      in.flavour = args->kernel;
      in.loader_file = args->loader_file;
      in.kernel_file = args->kernel_file;
      in.init_file = args->init_file;
      in.linux_dir = args->linux_dir;
      in.bundle = lb.bundle.bytes();
      in.bundle_size = lb.bundle.size();
      in.bundle_id = id;
      in.cmdline = args->cmdline;
      in.mtime = mtime;
      std::vector<uint8_t> disk = image::build_site_disk(in);
      image::ImageReport check;
      if (std::string e = image::inspect_disk_image(disk.data(), disk.size(), check); !e.empty())
        throw std::runtime_error("internal error: wrote a damaged image: " + e);
      if (args->format == "raw")
        hosted::write_file_atomic(args->output, disk.data(), disk.size());
      else if (args->format == "qcow2")
        write_qcow2(args->output, disk);
      else
        image::write_gce_archive(args->output, disk, mtime);
      if (args->json) {
        nlohmann::json j = {{"output", args->output},
                            {"format", args->format},
                            {"flavour", args->kernel},
                            {"disk_bytes", disk.size()},
                            {"bundle_bytes", lb.bundle.size()},
                            {"kernel_bytes", check.kernel_bytes},
                            {"initrd_bytes", check.initrd_bytes},
                            {"kernel_version", check.kernel_version},
                            {"loader_bytes", check.loader_bytes},
                            {"bundle_id", std::string(id)},
                            {"disk_guid", check.gpt.disk_guid.to_string()}};
        std::cout << j.dump(2) << "\n";
      } else {
        // The linux flavour's bundle travels inside the initramfs (docs/image.md).
        std::string parts =
            args->kernel == "linux"
                ? "Linux " + check.kernel_version + " " + human_bytes(check.kernel_bytes) +
                      " + initramfs " + human_bytes(check.initrd_bytes) +
                      " (mayfly-init, modules, bundle " + human_bytes(lb.bundle.size()) + ")"
                : "bundle " + human_bytes(lb.bundle.size()) + " + kernel " +
                      human_bytes(check.kernel_bytes);
        std::cout << "wrote " << args->output << " (" << args->format << "): disk "
                  << human_bytes(disk.size()) << " = " << parts << " + loader "
                  << human_bytes(check.loader_bytes) << " + file system\nbundle id " << id << "\n";
      }
      exit_code = kExitOk;
    } catch (const std::exception& e) {
      print_error(e.what());
      exit_code = kExitFailure;
    }
  });
}

}  // namespace mayfly::cli

namespace mayfly::cli {

bool is_disk_image_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  uint8_t head[1024] = {};
  in.read(reinterpret_cast<char*>(head), sizeof head);
  return in.gcount() == sizeof head && image::looks_like_disk_image(head, sizeof head);
}

std::string disk_image_bundle_id(const uint8_t* data, size_t size, const std::string& path) {
  image::ImageReport r;
  if (std::string e = image::inspect_disk_image(data, size, r); !e.empty())
    throw std::runtime_error(path + ": damaged disk image: " + e);
  return r.bundle_id;
}

int inspect_image(const std::string& path, bool json) {
  try {
    hosted::MappedFile file = hosted::MappedFile::open(path);
    image::ImageReport r;
    if (std::string e = image::inspect_disk_image(file.data(), file.size(), r); !e.empty())
      throw std::runtime_error(path + ": damaged disk image: " + e);
    const char* fat = image::fat_type_name(r.fat_type);
    if (json) {
      nlohmann::json files = nlohmann::json::array();
      for (const auto& f : r.files)
        files.push_back({{"path", f.path}, {"directory", f.directory}, {"size", f.size}});
      nlohmann::json j = {{"path", path},
                          {"bytes", r.image_bytes},
                          {"disk_guid", r.gpt.disk_guid.to_string()},
                          {"partitions",
                           {{{"name", r.esp.name},
                             {"type", r.esp.type.to_string()},
                             {"guid", r.esp.unique.to_string()},
                             {"first_lba", r.esp.first_lba},
                             {"last_lba", r.esp.last_lba},
                             {"filesystem", fat},
                             {"cluster_bytes", r.cluster_bytes},
                             {"label", r.volume_label}}}},
                          {"files", files},
                          {"flavour", r.flavour},
                          {"kernel_version", r.kernel_version},
                          {"mayfly_version", r.mayfly_version},
                          {"cmdline", r.cmdline},
                          {"bundle_id", r.bundle_id},
                          {"bundle_bytes", r.bundle_bytes},
                          {"kernel_bytes", r.kernel_bytes},
                          {"loader_bytes", r.loader_bytes},
                          {"initrd_bytes", r.initrd_bytes}};
      std::cout << j.dump(2) << "\n";
    } else {
      std::printf("image    %s\nsize     %s\ndisk     GPT %s\n", path.c_str(),
                  human_bytes(r.image_bytes).c_str(), r.gpt.disk_guid.to_string().c_str());
      std::printf("part 1   %s, LBA %llu..%llu (%s), %s, %u-byte clusters, label %s\n",
                  r.esp.name.c_str(), static_cast<unsigned long long>(r.esp.first_lba),
                  static_cast<unsigned long long>(r.esp.last_lba),
                  human_bytes((r.esp.last_lba - r.esp.first_lba + 1) * 512).c_str(), fat,
                  r.cluster_bytes, r.volume_label.c_str());
      std::printf("kernel   %s %s (%s)\nmayfly   %s\ncmdline  %s\nbundle   %s (%s)\n\n",
                  r.flavour.c_str(), r.kernel_version.c_str(), human_bytes(r.kernel_bytes).c_str(),
                  r.mayfly_version.c_str(), r.cmdline.c_str(), r.bundle_id.c_str(),
                  human_bytes(r.bundle_bytes).c_str());
      if (r.initrd_bytes)  // the linux flavour: the bundle travels inside the initramfs
        std::printf("initrd   %s (mayfly-init, modules, the bundle)\n\n",
                    human_bytes(r.initrd_bytes).c_str());
      std::printf("%10s  %s\n", "SIZE", "PATH");
      for (const auto& f : r.files)
        std::printf("%10s  %s%s\n", f.directory ? "-" : std::to_string(f.size).c_str(),
                    f.path.c_str(), f.directory ? "/" : "");
    }
    return kExitOk;
  } catch (const std::exception& e) {
    print_error(e.what());
    return kExitFailure;
  }
}

}  // namespace mayfly::cli
