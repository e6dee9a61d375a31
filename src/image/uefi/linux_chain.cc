#include "image/uefi/linux_chain.h"

namespace mayfly_uefi {
namespace {

const uint8_t* g_initrd = nullptr;
uint64_t g_initrd_size = 0;

void copy_bytes(void* d, const void* s, uint64_t n) {
  auto* p = static_cast<uint8_t*>(d);
  auto* q = static_cast<const uint8_t*>(s);
  while (n--) *p++ = *q++;
}

// UEFI 2.10 §13.2.1 LoadFile2.LoadFile(): BootPolicy must be FALSE; a buffer too small (or
// none: how Linux asks for the size first) gets EFI_BUFFER_TOO_SMALL and the size.
efi::Status load_initrd(efi::LoadFile2*, const void*, bool boot_policy, uint64_t* size,
                        void* buffer) {
  if (boot_policy) return efi::kUnsupported;
  if (!size) return efi::kInvalidParameter;
  if (!buffer || *size < g_initrd_size) {
    *size = g_initrd_size;
    return efi::kBufferTooSmall;
  }
  copy_bytes(buffer, g_initrd, g_initrd_size);
  *size = g_initrd_size;
  return efi::kSuccess;
}

efi::LoadFile2 g_load_file2 = {load_initrd};

// VenMedia(LINUX_EFI_INITRD_MEDIA_GUID)/End: a 20-byte vendor node and a 4-byte end node.
uint8_t g_initrd_path[24];

void put_node(uint8_t* p, uint8_t type, uint8_t subtype, uint16_t length) {
  p[0] = type;
  p[1] = subtype;
  p[2] = uint8_t(length);
  p[3] = uint8_t(length >> 8);
}

// The full device path of \mayfly\vmlinuz: the ESP's own path (all its nodes up to the end
// node) followed by a file path node (§10.3.5.4) and an end node. With it, the kernel's
// Loaded Image names the ESP as its device, as if the firmware had loaded it from there.
void* kernel_device_path(efi::BootServices* bs, efi::Handle device) {
  const uint8_t* dp = nullptr;
  if (bs->handle_protocol(device, &efi::kDevicePathGuid,
                          reinterpret_cast<void**>(const_cast<uint8_t**>(&dp))) != efi::kSuccess)
    return nullptr;
  uint64_t len = 0;
  for (int guard = 0; guard < 64; ++guard) {
    uint16_t node = uint16_t(dp[len + 2] | dp[len + 3] << 8);
    if (dp[len] == efi::kEndDevicePath || node < 4) break;
    len += node;
  }
  static const char16_t kFile[] = u"\\mayfly\\vmlinuz";
  uint16_t file_node = uint16_t(4 + sizeof kFile);
  uint8_t* out = nullptr;
  if (bs->allocate_pool(efi::kLoaderData, len + file_node + 4, reinterpret_cast<void**>(&out)) !=
      efi::kSuccess)
    return nullptr;
  copy_bytes(out, dp, len);
  put_node(out + len, efi::kMediaDevicePath, efi::kMediaFilePathSubtype, file_node);
  copy_bytes(out + len + 4, kFile, sizeof kFile);
  put_node(out + len + file_node, efi::kEndDevicePath, efi::kEndEntireSubtype, 4);
  return out;
}

}  // namespace

efi::Status start_linux(efi::Handle image, efi::SystemTable* st, const LinuxBoot& boot,
                        const char*& what) {
  efi::BootServices* bs = st->boot_services;
  g_initrd = boot.initrd;
  g_initrd_size = boot.initrd_size;

  // The initrd: a new handle carrying the device path, then LoadFile2 on that handle.
  put_node(g_initrd_path, efi::kMediaDevicePath, efi::kMediaVendorSubtype, 20);
  copy_bytes(g_initrd_path + 4, &efi::kLinuxInitrdMediaGuid, 16);
  put_node(g_initrd_path + 20, efi::kEndDevicePath, efi::kEndEntireSubtype, 4);
  efi::Handle initrd_handle = nullptr;
  efi::Status s = bs->install_protocol_interface(&initrd_handle, &efi::kDevicePathGuid,
                                                 efi::kNativeInterface, g_initrd_path);
  if (s == efi::kSuccess)
    s = bs->install_protocol_interface(&initrd_handle, &efi::kLoadFile2Guid, efi::kNativeInterface,
                                       &g_load_file2);
  if (s != efi::kSuccess) {
    what = "cannot install the initrd LoadFile2 protocol";
    return s;
  }

  efi::LoadedImage* self = nullptr;
  if ((s = bs->handle_protocol(image, &efi::kLoadedImageGuid, reinterpret_cast<void**>(&self))) !=
      efi::kSuccess) {
    what = "no loaded image protocol";
    return s;
  }
  // §7.4 LoadImage from our buffer; the device path only names where it came from.
  efi::Handle kernel = nullptr;
  s = bs->load_image(false, image, kernel_device_path(bs, self->device_handle), boot.kernel,
                     boot.kernel_size, &kernel);
  if (s != efi::kSuccess) {
    what = "LoadImage refused \\mayfly\\vmlinuz";
    return s;
  }

  // The command line as UCS-2 in LoadOptions (§9.1), which the stub converts back (Linux
  // efi-stub.rst "The command line"); the line ends at the first CR or LF.
  uint64_t n = 0;
  while (boot.cmdline[n] && boot.cmdline[n] != '\n' && boot.cmdline[n] != '\r') ++n;
  char16_t* options = nullptr;
  if ((s = bs->allocate_pool(efi::kLoaderData, (n + 1) * 2, reinterpret_cast<void**>(&options))) !=
      efi::kSuccess) {
    what = "cannot allocate the load options";
    return s;
  }
  for (uint64_t i = 0; i < n; ++i) options[i] = char16_t(uint8_t(boot.cmdline[i]));
  options[n] = 0;
  efi::LoadedImage* li = nullptr;
  if ((s = bs->handle_protocol(kernel, &efi::kLoadedImageGuid, reinterpret_cast<void**>(&li))) !=
      efi::kSuccess) {
    what = "the kernel image has no loaded image protocol";
    return s;
  }
  li->load_options = options;
  li->load_options_size = uint32_t((n + 1) * 2);

  // The stub exits boot services itself and never returns on success.
  s = bs->start_image(kernel, nullptr, nullptr);
  what = "the Linux kernel returned from StartImage";
  return s == efi::kSuccess ? efi::kLoadError : s;
}

}  // namespace mayfly_uefi
