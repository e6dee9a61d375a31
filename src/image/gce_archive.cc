#include "image/gce_archive.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include <fcntl.h>
#include <unistd.h>

namespace mayfly::image {
namespace {

// A tar header block (POSIX ustar fields with the GNU "ustar  " magic that GNU tar's
// --format=oldgnu writes, which is what the import documentation asks for).
// An octal number of width-1 digits and a NUL, as tar fields hold them.
void octal(uint8_t* field, size_t width, uint64_t v) {
  field[width - 1] = 0;
  for (size_t i = width - 1; i-- > 0; v >>= 3) field[i] = uint8_t('0' + (v & 7));
}

void tar_header(uint8_t block[512], const char* name, uint64_t size, int64_t mtime) {
  std::memset(block, 0, 512);
  std::snprintf(reinterpret_cast<char*>(block), 100, "%s", name);
  octal(block + 100, 8, 0644);
  octal(block + 108, 8, 0);
  octal(block + 116, 8, 0);
  octal(block + 124, 12, size);  // up to 8 GiB - 1
  octal(block + 136, 12, uint64_t(mtime < 0 ? 0 : mtime));
  block[156] = '0';                        // regular file
  std::memcpy(block + 257, "ustar  ", 8);  // GNU magic + version (" \0")
  std::memcpy(block + 265, "root", 4);
  std::memcpy(block + 297, "root", 4);
  std::memset(block + 148, ' ', 8);
  unsigned sum = 0;
  for (int i = 0; i < 512; ++i) sum += block[i];
  octal(block + 148, 7, sum);
  block[155] = ' ';
}

class GzipFile {
 public:
  explicit GzipFile(int fd, const std::string& path) : fd_(fd), path_(path) {
    std::memset(&z_, 0, sizeof z_);
    // windowBits 16+15: a gzip wrapper; zlib writes MTIME 0 and no name (RFC 1952 §2.3).
    if (deflateInit2(&z_, 6, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
      throw std::runtime_error("zlib: deflateInit2 failed");
  }
  ~GzipFile() { deflateEnd(&z_); }
  void write(const uint8_t* data, size_t size) {
    z_.next_in = const_cast<uint8_t*>(data);
    z_.avail_in = uInt(size);
    while (z_.avail_in > 0) {
      uint8_t out[1 << 16];
      z_.next_out = out;
      z_.avail_out = sizeof out;
      if (deflate(&z_, Z_NO_FLUSH) == Z_STREAM_ERROR)
        throw std::runtime_error("zlib: deflate failed");
      put(out, sizeof out - z_.avail_out);
    }
  }
  void finish() {
    while (true) {
      uint8_t out[1 << 16];
      z_.next_in = nullptr;
      z_.avail_in = 0;
      z_.next_out = out;
      z_.avail_out = sizeof out;
      int rc = deflate(&z_, Z_FINISH);
      put(out, sizeof out - z_.avail_out);
      if (rc == Z_STREAM_END) return;
      if (rc != Z_OK && rc != Z_BUF_ERROR) throw std::runtime_error("zlib: deflate failed");
    }
  }

 private:
  void put(const uint8_t* p, size_t n) {
    while (n > 0) {
      ssize_t w = ::write(fd_, p, n);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) throw std::runtime_error(path_ + ": " + std::strerror(errno));
      p += w;
      n -= size_t(w);
    }
  }
  z_stream z_;
  int fd_;
  std::string path_;
};

}  // namespace

void write_gce_archive(const std::string& path, const std::vector<uint8_t>& disk, int64_t mtime) {
  uint64_t size = (disk.size() + kGceDiskMultiple - 1) / kGceDiskMultiple * kGceDiskMultiple;
  if (size >= (uint64_t(1) << 33))
    throw std::runtime_error(path + ": disk too large for a tar header");
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error(tmp + ": " + std::strerror(errno));
  try {
    GzipFile gz(fd, tmp);
    uint8_t header[512];
    tar_header(header, "disk.raw", size, mtime);
    gz.write(header, sizeof header);
    gz.write(disk.data(), disk.size());
    static const uint8_t kZeros[1 << 20] = {};
    for (uint64_t left = size - disk.size(); left > 0;) {
      size_t n = size_t(std::min<uint64_t>(left, sizeof kZeros));
      gz.write(kZeros, n);
      left -= n;
    }
    // The data fills whole blocks already (GiB); two zero blocks end the archive.
    gz.write(kZeros, 1024);
    gz.finish();
    if (::fsync(fd) != 0) throw std::runtime_error(tmp + ": " + std::strerror(errno));
    ::close(fd);
    fd = -1;
    if (::rename(tmp.c_str(), path.c_str()) != 0)
      throw std::runtime_error(path + ": " + std::strerror(errno));
  } catch (...) {
    if (fd >= 0) ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
}

}  // namespace mayfly::image
