// mayfly's UEFI loader (BOOTX64.EFI): reads the kernel, the site bundle and the command
// line from the EFI System Partition it was loaded from, lays out a PVH hvm_start_info
// below 1 MiB, loads the kernel's PT_LOAD segments at their physical addresses, exits boot
// services and enters the kernel's one entry point (the PVH 32-bit entry, docs/kernel.md)
// through trampoline.cc. Freestanding: no library, only the firmware's services.
#include "image/uefi/efi.h"
#include "image/uefi/linux_chain.h"
#include "image/uefi/pvh_start.h"
#include "image/uefi/trampoline.h"

extern "C" void* memset(void* d, int c, size_t n) {
  auto* p = static_cast<uint8_t*>(d);
  while (n--) *p++ = uint8_t(c);
  return d;
}
extern "C" void* memcpy(void* d, const void* s, size_t n) {
  auto* p = static_cast<uint8_t*>(d);
  auto* q = static_cast<const uint8_t*>(s);
  while (n--) *p++ = *q++;
  return d;
}

namespace {

constexpr uint64_t kPage = 4096;
constexpr uint64_t kBelow1M = 0x9FFFF;  // conventional memory under the EBDA
constexpr uint64_t kBelow4G = 0xFFFFFFFF;

efi::SystemTable* st;
efi::BootServices* bs;

void print(const char* s) {
  char16_t buf[128];
  while (*s) {
    size_t n = 0;
    while (*s && n < 126) {
      if (*s == '\n') buf[n++] = u'\r';
      buf[n++] = char16_t(uint8_t(*s++));
    }
    buf[n] = 0;
    st->con_out->output_string(st->con_out, buf);
  }
}

void print_hex(uint64_t v) {
  char buf[19] = "0x";
  for (int i = 0; i < 16; ++i) buf[2 + i] = "0123456789abcdef"[(v >> (60 - 4 * i)) & 15];
  buf[18] = 0;
  print(buf);
}

// Reports and stops: back to the firmware's boot manager, which tries the next option.
efi::Status fail(const char* what, efi::Status status) {
  print("mayfly-uefi: ");
  print(what);
  print(" (status ");
  print_hex(status);
  print(")\n");
  return status == efi::kSuccess ? efi::kLoadError : status;
}

uint64_t pages_for(uint64_t bytes) {
  return (bytes + kPage - 1) / kPage;
}

struct Loaded {
  uint8_t* data = nullptr;
  uint64_t size = 0;
};

// Reads a whole file into pages below `max_address`.
efi::Status read_file(efi::File* root, const char16_t* path, uint64_t max_address, Loaded& out) {
  efi::File* f = nullptr;
  efi::Status s = root->open(root, &f, path, efi::kFileModeRead, 0);
  if (s != efi::kSuccess) return s;
  uint64_t size = 0;
  s = f->set_position(f, ~uint64_t(0));  // end of file
  if (s == efi::kSuccess) s = f->get_position(f, &size);
  if (s == efi::kSuccess) s = f->set_position(f, 0);
  uint64_t addr = max_address;
  if (s == efi::kSuccess)
    s = bs->allocate_pages(efi::kAllocateMaxAddress, efi::kLoaderData, pages_for(size + 1), &addr);
  uint64_t got = size;
  if (s == efi::kSuccess) s = f->read(f, &got, reinterpret_cast<void*>(addr));
  f->close(f);
  if (s != efi::kSuccess) return s;
  if (got != size) return efi::kLoadError;
  out.data = reinterpret_cast<uint8_t*>(addr);
  out.size = size;
  out.data[size] = 0;  // a NUL after the bytes (the command line needs one)
  return efi::kSuccess;
}

uint16_t le16(const uint8_t* p) {
  return uint16_t(p[0] | p[1] << 8);
}
uint32_t le32(const uint8_t* p) {
  return uint32_t(le16(p)) | uint32_t(le16(p + 2)) << 16;
}
uint64_t le64(const uint8_t* p) {
  return uint64_t(le32(p)) | uint64_t(le32(p + 4)) << 32;
}

// ELF64 (System V gABI): loads every PT_LOAD segment at p_paddr and finds the PVH entry
// in the "Xen" note of type 18 (XEN_ELFNOTE_PHYS32_ENTRY), falling back to e_entry.
efi::Status load_kernel(const Loaded& k, uint32_t& entry) {
  const uint8_t* e = k.data;
  if (k.size < 64 || e[0] != 0x7F || e[1] != 'E' || e[2] != 'L' || e[3] != 'F' || e[4] != 2 ||
      le16(e + 18) != 62)
    return fail("mayfly/kernel.elf is not an x86-64 ELF64 file", efi::kLoadError);
  uint64_t phoff = le64(e + 32);
  uint16_t phentsize = le16(e + 54), phnum = le16(e + 56);
  if (phentsize < 56 || phoff > k.size || uint64_t(phnum) * phentsize > k.size - phoff)
    return fail("mayfly/kernel.elf: program headers outside the file", efi::kLoadError);
  uint64_t lo = ~uint64_t(0), hi = 0;
  uint64_t entry64 = le64(e + 24);
  for (int pass = 0; pass < 3; ++pass) {
    for (uint16_t i = 0; i < phnum; ++i) {
      const uint8_t* ph = e + phoff + uint64_t(i) * phentsize;
      uint32_t type = le32(ph);
      uint64_t off = le64(ph + 8), paddr = le64(ph + 24), filesz = le64(ph + 32),
               memsz = le64(ph + 40);
      if (off > k.size || filesz > k.size - off || filesz > memsz)
        return fail("mayfly/kernel.elf: a segment lies outside the file", efi::kLoadError);
      if (type == 1 && pass == 0) {  // PT_LOAD: the range to reserve
        if (paddr < lo) lo = paddr;
        if (paddr + memsz > hi) hi = paddr + memsz;
      } else if (type == 1 && pass == 2) {
        memcpy(reinterpret_cast<void*>(paddr), e + off, filesz);
        memset(reinterpret_cast<void*>(paddr + filesz), 0, memsz - filesz);
      } else if (type == 4 && pass == 0) {  // PT_NOTE
        for (uint64_t p = off; p + 12 <= off + filesz;) {
          uint32_t namesz = le32(e + p), descsz = le32(e + p + 4), ntype = le32(e + p + 8);
          uint64_t name = p + 12, desc = name + ((namesz + 3) & ~3u);
          if (desc + descsz > off + filesz) break;
          if (namesz == 4 && e[name] == 'X' && e[name + 1] == 'e' && e[name + 2] == 'n' &&
              ntype == 18 && descsz >= 4)
            entry64 = le32(e + desc);
          p = desc + ((descsz + 3) & ~3u);
        }
      }
    }
    if (pass == 0) {
      if (hi <= lo || hi > kBelow4G || entry64 > kBelow4G)
        return fail("mayfly/kernel.elf: no loadable segments below 4 GiB", efi::kLoadError);
      uint64_t base = lo & ~(kPage - 1);
      efi::Status s =
          bs->allocate_pages(efi::kAllocateAddress, efi::kLoaderCode, pages_for(hi - base), &base);
      if (s != efi::kSuccess) return fail("the kernel's physical range is not free memory", s);
      pass = 1;  // segments are copied in the next pass
    }
  }
  entry = uint32_t(entry64);
  return efi::kSuccess;
}

// E820 types for UEFI memory types (ACPI 6.5 §15.4, table "UEFI Memory Types and mapping
// to ACPI address range types"): what boot services used is free RAM once they exit.
uint32_t e820_type(uint32_t t) {
  switch (t) {
    case efi::kLoaderCode:
    case efi::kLoaderData:
    case efi::kBootServicesCode:
    case efi::kBootServicesData:
    case efi::kConventionalMemory:
      return pvh::kE820Ram;
    case efi::kACPIReclaimMemory:
      return pvh::kE820Acpi;
    case efi::kACPIMemoryNVS:
      return pvh::kE820Nvs;
    case efi::kUnusableMemory:
      return pvh::kE820Unusable;
    case efi::kPersistentMemory:
      return pvh::kE820Pmem;
    default:
      return pvh::kE820Reserved;
  }
}

// Converts the firmware's map to sorted, merged E820 entries. No allocation: this runs
// after ExitBootServices.
uint32_t convert_memory_map(const uint8_t* map, uint64_t map_size, uint64_t desc_size,
                            pvh::MemmapEntry* out, uint32_t capacity) {
  uint32_t n = 0;
  for (uint64_t off = 0; off + desc_size <= map_size && n < capacity; off += desc_size) {
    const auto* d = reinterpret_cast<const efi::MemoryDescriptor*>(map + off);
    if (d->number_of_pages == 0) continue;
    pvh::MemmapEntry m{d->physical_start, d->number_of_pages * kPage, e820_type(d->type), 0};
    uint32_t i = n++;
    while (i > 0 && out[i - 1].addr > m.addr) {  // insertion sort by address
      out[i] = out[i - 1];
      --i;
    }
    out[i] = m;
  }
  uint32_t merged = 0;
  for (uint32_t i = 0; i < n; ++i) {
    if (merged > 0 && out[merged - 1].type == out[i].type &&
        out[merged - 1].addr + out[merged - 1].size == out[i].addr)
      out[merged - 1].size += out[i].size;
    else
      out[merged++] = out[i];
  }
  return merged;
}

}  // namespace

extern "C" efi::Status efi_main(efi::Handle image, efi::SystemTable* system_table) {
  st = system_table;
  bs = st->boot_services;
  print("mayfly-uefi: loading\n");

  efi::LoadedImage* li = nullptr;
  efi::Status s = bs->handle_protocol(image, &efi::kLoadedImageGuid, reinterpret_cast<void**>(&li));
  if (s != efi::kSuccess) return fail("no loaded image protocol", s);
  efi::SimpleFileSystem* fs = nullptr;
  s = bs->handle_protocol(li->device_handle, &efi::kSimpleFileSystemGuid,
                          reinterpret_cast<void**>(&fs));
  if (s != efi::kSuccess) return fail("the boot device has no file system", s);
  efi::File* root = nullptr;
  s = fs->open_volume(fs, &root);
  if (s != efi::kSuccess) return fail("cannot open the EFI System Partition", s);

  // The Linux fallback flavour (docs/image.md) has \mayfly\vmlinuz instead of kernel.elf.
  Loaded vmlinuz;
  if (read_file(root, u"\\mayfly\\vmlinuz", ~uint64_t(0), vmlinuz) == efi::kSuccess) {
    Loaded initrd, line;
    if ((s = read_file(root, u"\\mayfly\\initrd.img", ~uint64_t(0), initrd)) != efi::kSuccess)
      return fail("cannot read \\mayfly\\initrd.img", s);
    if ((s = read_file(root, u"\\mayfly\\cmdline.txt", ~uint64_t(0), line)) != efi::kSuccess)
      return fail("cannot read \\mayfly\\cmdline.txt", s);
    root->close(root);
    print("mayfly-uefi: starting Linux (vmlinuz ");
    print_hex(vmlinuz.size);
    print(", initrd ");
    print_hex(initrd.size);
    print(" bytes)\n");
    mayfly_uefi::LinuxBoot boot{vmlinuz.data, vmlinuz.size, initrd.data, initrd.size,
                                reinterpret_cast<const char*>(line.data)};
    const char* what = "";
    s = mayfly_uefi::start_linux(image, st, boot, what);
    return fail(what, s);
  }

  // The kernel first: its fixed physical range is claimed before anything else is placed.
  Loaded kernel, bundle, cmdline;
  if ((s = read_file(root, u"\\mayfly\\kernel.elf", kBelow4G, kernel)) != efi::kSuccess)
    return fail("cannot read \\mayfly\\kernel.elf", s);
  uint32_t entry = 0;
  if ((s = load_kernel(kernel, entry)) != efi::kSuccess) return s;
  if ((s = read_file(root, u"\\mayfly\\site.mfb", kBelow4G, bundle)) != efi::kSuccess)
    return fail("cannot read \\mayfly\\site.mfb", s);
  if ((s = read_file(root, u"\\mayfly\\cmdline.txt", kBelow4G, cmdline)) != efi::kSuccess)
    return fail("cannot read \\mayfly\\cmdline.txt", s);
  root->close(root);

  // Boot information and the trampoline below 1 MiB, where the kernel never allocates
  // (docs/kernel.md). Page 0: trampoline and GDT (code); pages 1-7: start info, module
  // list, command line, memory map.
  constexpr uint64_t kInfoPages = 8;
  uint64_t low = kBelow1M;
  s = bs->allocate_pages(efi::kAllocateMaxAddress, efi::kLoaderCode, kInfoPages, &low);
  if (s != efi::kSuccess) return fail("no free memory below 1 MiB for the boot information", s);
  auto* low_bytes = reinterpret_cast<uint8_t*>(low);
  memset(low_bytes, 0, kInfoPages * kPage);
  auto* info = reinterpret_cast<pvh::StartInfo*>(low + kPage);
  auto* mod = reinterpret_cast<pvh::ModlistEntry*>(low + kPage + 256);
  char* line = reinterpret_cast<char*>(low + kPage + 512);
  constexpr uint64_t kLineMax = kPage - 512 - 1;
  auto* memmap = reinterpret_cast<pvh::MemmapEntry*>(low + 2 * kPage);
  constexpr uint32_t kMemmapMax = uint32_t((kInfoPages - 2) * kPage / sizeof(pvh::MemmapEntry));

  uint64_t n = 0;
  for (; n < cmdline.size && n < kLineMax; ++n) {
    char c = char(cmdline.data[n]);
    if (c == '\n' || c == '\r' || c == 0) break;
    line[n] = c;
  }
  line[n] = 0;
  mod->paddr = reinterpret_cast<uint64_t>(bundle.data);
  mod->size = bundle.size;
  info->magic = pvh::kStartMagic;
  info->version = 1;
  info->nr_modules = 1;
  info->modlist_paddr = reinterpret_cast<uint64_t>(mod);
  info->cmdline_paddr = reinterpret_cast<uint64_t>(line);
  for (uint64_t i = 0; i < st->number_of_table_entries; ++i) {
    const efi::ConfigurationTable& t = st->configuration_table[i];
    if (efi::same_guid(t.vendor_guid, efi::kAcpi20TableGuid))
      info->rsdp_paddr = reinterpret_cast<uint64_t>(t.vendor_table);
    else if (!info->rsdp_paddr && efi::same_guid(t.vendor_guid, efi::kAcpi10TableGuid))
      info->rsdp_paddr = reinterpret_cast<uint64_t>(t.vendor_table);
  }
  install_trampoline(low_bytes);

  print("mayfly-uefi: kernel entry ");
  print_hex(entry);
  print(", bundle ");
  print_hex(bundle.size);
  print(" bytes; exiting boot services\n");

  // The memory map, taken right before ExitBootServices; a stale key (the map changed,
  // e.g. by our own pool allocation or a firmware event) gives EFI_INVALID_PARAMETER:
  // take the map again and retry (UEFI 2.10 §7.4, ExitBootServices).
  // Once ExitBootServices has failed, only GetMemoryMap and ExitBootServices may be
  // called: the buffer is sized (with slack) before the first attempt and never again.
  uint8_t* map = nullptr;
  uint64_t map_capacity = 0, map_size = 0, key = 0, desc_size = 0;
  uint32_t desc_version = 0;
  s = bs->get_memory_map(&map_size, nullptr, &key, &desc_size, &desc_version);
  if (s != efi::kBufferTooSmall) return fail("GetMemoryMap gave no size", s);
  map_capacity = map_size + 64 * desc_size;  // the allocation below splits a region or two
  if ((s = bs->allocate_pool(efi::kLoaderData, map_capacity, reinterpret_cast<void**>(&map))) !=
      efi::kSuccess)
    return fail("cannot allocate the memory map", s);
  for (int attempt = 0; attempt < 16; ++attempt) {
    map_size = map_capacity;
    s = bs->get_memory_map(&map_size, reinterpret_cast<efi::MemoryDescriptor*>(map), &key,
                           &desc_size, &desc_version);
    if (s != efi::kSuccess) return fail("GetMemoryMap failed", s);
    s = bs->exit_boot_services(image, key);
    if (s == efi::kSuccess) break;
    if (s != efi::kInvalidParameter) return fail("ExitBootServices failed", s);
  }
  if (s != efi::kSuccess) return fail("ExitBootServices kept failing", s);

  // Boot services are gone: no more calls into the firmware.
  info->memmap_entries = convert_memory_map(map, map_size, desc_size, memmap, kMemmapMax);
  info->memmap_paddr = reinterpret_cast<uint64_t>(memmap);
  enter_pvh(low_bytes, uint32_t(reinterpret_cast<uint64_t>(info)), entry);
}
