#pragma once
// The few UEFI 2.10 types the loader uses, declared from the specification's tables (§4
// system table, §7 boot services, §9.1 loaded image, §13.4-13.5 file system, §4.6
// configuration table). Function pointers use the Microsoft x64 convention, which is the
// default for the x86_64-unknown-windows target this file is compiled for.
#include <stddef.h>
#include <stdint.h>

namespace efi {

using Status = uint64_t;
using Handle = void*;
using Char16 = char16_t;

constexpr Status kSuccess = 0;
constexpr Status kErrorBit = 0x8000000000000000ull;
constexpr Status kInvalidParameter = kErrorBit | 2;
constexpr Status kBufferTooSmall = kErrorBit | 5;
constexpr Status kLoadError = kErrorBit | 1;
constexpr Status kNotFound = kErrorBit | 14;

struct Guid {
  uint32_t d1;
  uint16_t d2, d3;
  uint8_t d4[8];
};

inline bool same_guid(const Guid& a, const Guid& b) {
  const uint8_t* x = reinterpret_cast<const uint8_t*>(&a);
  const uint8_t* y = reinterpret_cast<const uint8_t*>(&b);
  for (int i = 0; i < 16; ++i)
    if (x[i] != y[i]) return false;
  return true;
}

struct TableHeader {
  uint64_t signature;
  uint32_t revision, header_size, crc32, reserved;
};

struct SimpleTextOutput {
  Status (*reset)(SimpleTextOutput*, bool);
  Status (*output_string)(SimpleTextOutput*, const Char16*);
  // The rest is not used.
};

enum AllocateType : uint32_t { kAllocateAnyPages, kAllocateMaxAddress, kAllocateAddress };
enum MemoryType : uint32_t {
  kReservedMemoryType,
  kLoaderCode,
  kLoaderData,
  kBootServicesCode,
  kBootServicesData,
  kRuntimeServicesCode,
  kRuntimeServicesData,
  kConventionalMemory,
  kUnusableMemory,
  kACPIReclaimMemory,
  kACPIMemoryNVS,
  kMemoryMappedIO,
  kMemoryMappedIOPortSpace,
  kPalCode,
  kPersistentMemory,
};

struct MemoryDescriptor {
  uint32_t type;
  uint32_t pad;
  uint64_t physical_start;
  uint64_t virtual_start;
  uint64_t number_of_pages;
  uint64_t attribute;
};

struct BootServices {
  TableHeader hdr;
  void* raise_tpl;
  void* restore_tpl;
  Status (*allocate_pages)(AllocateType, MemoryType, uint64_t pages, uint64_t* memory);
  Status (*free_pages)(uint64_t memory, uint64_t pages);
  Status (*get_memory_map)(uint64_t* map_size, MemoryDescriptor* map, uint64_t* map_key,
                           uint64_t* descriptor_size, uint32_t* descriptor_version);
  Status (*allocate_pool)(MemoryType, uint64_t size, void** buffer);
  Status (*free_pool)(void* buffer);
  void* create_event;
  void* set_timer;
  void* wait_for_event;
  void* signal_event;
  void* close_event;
  void* check_event;
  Status (*install_protocol_interface)(Handle* handle, const Guid* protocol,
                                       uint32_t interface_type, void* interface);
  void* reinstall_protocol_interface;
  void* uninstall_protocol_interface;
  Status (*handle_protocol)(Handle, const Guid*, void** interface);
  void* reserved;
  void* register_protocol_notify;
  void* locate_handle;
  void* locate_device_path;
  void* install_configuration_table;
  Status (*load_image)(bool boot_policy, Handle parent, const void* device_path, const void* source,
                       uint64_t source_size, Handle* image);
  Status (*start_image)(Handle image, uint64_t* exit_data_size, Char16** exit_data);
  void* exit;
  void* unload_image;
  Status (*exit_boot_services)(Handle image, uint64_t map_key);
  // The rest is not used.
};

struct ConfigurationTable {
  Guid vendor_guid;
  void* vendor_table;
};

struct SystemTable {
  TableHeader hdr;
  Char16* firmware_vendor;
  uint32_t firmware_revision;
  Handle console_in_handle;
  void* con_in;
  Handle console_out_handle;
  SimpleTextOutput* con_out;
  Handle standard_error_handle;
  SimpleTextOutput* std_err;
  void* runtime_services;
  BootServices* boot_services;
  uint64_t number_of_table_entries;
  ConfigurationTable* configuration_table;
};

struct LoadedImage {
  uint32_t revision;
  Handle parent_handle;
  SystemTable* system_table;
  Handle device_handle;
  void* file_path;
  void* reserved;
  uint32_t load_options_size;
  void* load_options;
  void* image_base;
  uint64_t image_size;
  MemoryType image_code_type;
  MemoryType image_data_type;
  void* unload;
};

struct File {
  uint64_t revision;
  Status (*open)(File*, File** out, const Char16* name, uint64_t mode, uint64_t attributes);
  Status (*close)(File*);
  void* del;
  Status (*read)(File*, uint64_t* size, void* buffer);
  void* write;
  Status (*get_position)(File*, uint64_t* position);
  Status (*set_position)(File*, uint64_t position);
  // The rest is not used.
};

struct SimpleFileSystem {
  uint64_t revision;
  Status (*open_volume)(SimpleFileSystem*, File** root);
};

constexpr uint64_t kFileModeRead = 1;
constexpr uint32_t kNativeInterface = 0;  // EFI_NATIVE_INTERFACE (§7.3)
constexpr Status kUnsupported = kErrorBit | 3;

// §13.2 EFI_LOAD_FILE2_PROTOCOL: the firmware-side (here: our) provider of a file that has
// no file system, such as Linux's initrd.
struct LoadFile2 {
  Status (*load_file)(LoadFile2* self, const void* file_path, bool boot_policy,
                      uint64_t* buffer_size, void* buffer);
};

// §10.3 device path nodes: type, subtype, 16-bit length (little endian, unaligned).
constexpr uint8_t kMediaDevicePath = 4, kMediaVendorSubtype = 3, kMediaFilePathSubtype = 4;
constexpr uint8_t kEndDevicePath = 0x7F, kEndEntireSubtype = 0xFF;

inline constexpr Guid kLoadedImageGuid = {
    0x5B1B31A1, 0x9562, 0x11d2, {0x8E, 0x3F, 0x00, 0xA0, 0xC9, 0x69, 0x72, 0x3B}};
inline constexpr Guid kSimpleFileSystemGuid = {
    0x964E5B22, 0x6459, 0x11d2, {0x8E, 0x39, 0x00, 0xA0, 0xC9, 0x69, 0x72, 0x3B}};
inline constexpr Guid kAcpi20TableGuid = {
    0x8868e871, 0xe4f1, 0x11d3, {0xbc, 0x22, 0x00, 0x80, 0xc7, 0x3c, 0x88, 0x81}};
inline constexpr Guid kAcpi10TableGuid = {
    0xeb9d2d30, 0x2d88, 0x11d3, {0x9a, 0x16, 0x00, 0x90, 0x27, 0x3f, 0xc1, 0x4d}};

inline constexpr Guid kDevicePathGuid = {
    0x09576e91, 0x6d3f, 0x11d2, {0x8e, 0x39, 0x00, 0xa0, 0xc9, 0x69, 0x72, 0x3b}};
inline constexpr Guid kLoadFile2Guid = {
    0x4006c0c1, 0xfcb3, 0x403e, {0x99, 0x6d, 0x4a, 0x6c, 0x87, 0x24, 0xe0, 0x6d}};
// Linux's LINUX_EFI_INITRD_MEDIA_GUID (include/linux/efi.h): the EFI stub (kernels >= 5.8
// on x86) looks up the LoadFile2 protocol on the handle whose device path is exactly this
// vendor media node and an end node, and loads the initrd through it.
inline constexpr Guid kLinuxInitrdMediaGuid = {
    0x5568e427, 0x68fc, 0x4f3d, {0xac, 0x74, 0xca, 0x55, 0x52, 0x31, 0xcc, 0x68}};

}  // namespace efi
