#include "image/cpio.h"

#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace mayfly::image {
namespace {

constexpr size_t kHeader = 110;  // "070701" and 13 fields of 8 hex digits

size_t pad4(size_t n) {
  return (n + 3) & ~size_t(3);
}

void put_header(std::vector<uint8_t>& out, uint32_t ino, uint32_t mode, uint32_t nlink,
                int64_t mtime, size_t filesize, uint32_t rmaj, uint32_t rmin,
                const std::string& name) {
  char h[kHeader + 1];
  std::snprintf(h, sizeof h, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", ino,
                mode, 0u, 0u, nlink, uint32_t(mtime), uint32_t(filesize), 0u, 0u, rmaj, rmin,
                uint32_t(name.size() + 1), 0u);
  out.insert(out.end(), h, h + kHeader);
  out.insert(out.end(), name.begin(), name.end());
  out.push_back(0);
  out.resize(pad4(out.size()), 0);  // the header and name together are padded to 4
}

bool hex8(const uint8_t* p, uint32_t& v) {
  v = 0;
  for (int i = 0; i < 8; ++i) {
    uint8_t c = p[i];
    int d = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                   : -1;
    if (d < 0) return false;
    v = v << 4 | uint32_t(d);
  }
  return true;
}

}  // namespace

std::vector<uint8_t> write_cpio(const std::vector<CpioEntry>& entries, int64_t mtime) {
  if (mtime < 0 || mtime > 0xFFFFFFFFll) throw std::invalid_argument("cpio: mtime out of range");
  std::vector<uint8_t> out;
  uint32_t ino = 1;
  for (const CpioEntry& e : entries) {
    if (e.size > 0xFFFFFFFFu) throw std::invalid_argument("cpio: " + e.path + " exceeds 4 GiB");
    bool dir = (e.mode & 0170000) == kCpioDir;
    put_header(out, ino++, e.mode, dir ? 2 : 1, mtime, e.size, e.rdev_major, e.rdev_minor, e.path);
    if (e.size) out.insert(out.end(), e.data, e.data + e.size);
    out.resize(pad4(out.size()), 0);
  }
  put_header(out, 0, 0, 1, 0, 0, 0, 0, "TRAILER!!!");
  return out;
}

std::string read_cpio(const uint8_t* data, size_t size, std::vector<CpioMember>& out) {
  out.clear();
  size_t pos = 0;
  for (;;) {
    if (size - pos < kHeader) return "cpio: truncated header at offset " + std::to_string(pos);
    const uint8_t* h = data + pos;
    if (std::memcmp(h, "070701", 6) != 0)
      return "cpio: no newc magic at offset " + std::to_string(pos);
    uint32_t f[13];
    for (int i = 0; i < 13; ++i)
      if (!hex8(h + 6 + 8 * i, f[i])) return "cpio: bad header at offset " + std::to_string(pos);
    uint32_t mode = f[1], filesize = f[6], namesize = f[11];
    if (namesize == 0 || namesize > size - pos - kHeader)
      return "cpio: name runs past the archive at offset " + std::to_string(pos);
    const char* name = reinterpret_cast<const char*>(h + kHeader);
    if (name[namesize - 1] != 0)
      return "cpio: name not terminated at offset " + std::to_string(pos);
    std::string path(name, namesize - 1);
    size_t body = pad4(pos + kHeader + namesize);
    if (body > size || filesize > size - body)
      return "cpio: " + path + ": data runs past the archive";
    if (path == "TRAILER!!!") return {};
    out.push_back({path, mode, body, filesize});
    pos = pad4(body + filesize);
    if (pos > size) return "cpio: " + path + ": padding runs past the archive";
  }
}

}  // namespace mayfly::image
