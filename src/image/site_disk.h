#pragma once
// A site's bootable disk in either kernel flavour, from a bundle and the artifacts built
// beside mayfly: what `mayfly image` writes and what the ec2 provider uploads.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace mayfly::image {

struct SiteDiskInputs {
  std::string flavour = "mayfly";  // "mayfly" (the unikernel) or "linux" (linux_image.h)
  // "" = the default: beside this binary (artifacts.h), the Linux kernel's cache folder.
  std::string loader_file, kernel_file, init_file, linux_dir;
  const uint8_t* bundle = nullptr;
  size_t bundle_size = 0;
  std::string bundle_id;  // 32 hex digits
  std::string cmdline = "ip=dhcp";
  int64_t mtime = 0;  // SOURCE_DATE_EPOCH, or the bundle's creation time
};

// A raw GPT disk. Throws std::runtime_error / std::invalid_argument for people.
std::vector<uint8_t> build_site_disk(const SiteDiskInputs& in);

// A whole file's bytes; throws std::runtime_error naming the path.
std::vector<uint8_t> read_file_bytes(const std::string& path);

}  // namespace mayfly::image
