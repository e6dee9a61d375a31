#include "hosted/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace mayfly::hosted {

MappedFile::MappedFile(MappedFile&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      map_size_(std::exchange(other.map_size_, 0)),
      fd_(std::exchange(other.fd_, -1)),
      sealed_(std::exchange(other.sealed_, true)) {}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
  if (this != &other) {
    this->~MappedFile();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    map_size_ = std::exchange(other.map_size_, 0);
    fd_ = std::exchange(other.fd_, -1);
    sealed_ = std::exchange(other.sealed_, true);
  }
  return *this;
}

MappedFile::~MappedFile() {
  if (data_ != nullptr && map_size_ != 0) ::munmap(data_, map_size_);
  if (fd_ >= 0) ::close(fd_);
}

MappedFile MappedFile::open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error(path + ": " + std::strerror(errno));
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw std::runtime_error(path + ": not a regular file");
  }
  MappedFile m;
  m.size_ = m.map_size_ = size_t(st.st_size);
  if (m.size_ > 0) {
    void* p = ::mmap(nullptr, m.size_, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    if (p == MAP_FAILED) {
      int err = errno;
      ::close(fd);
      throw std::runtime_error(path + ": mmap: " + std::strerror(err));
    }
    m.data_ = static_cast<uint8_t*>(p);
  }
  m.fd_ = fd;  // kept open: the server sends large bodies from it
  return m;
}

MappedFile MappedFile::create(size_t capacity, const char* name) {
  MappedFile m;
  m.fd_ = ::memfd_create(name, MFD_CLOEXEC);
  if (m.fd_ < 0) throw std::runtime_error(std::string("memfd_create: ") + std::strerror(errno));
  capacity = std::max<size_t>(capacity, 1);
  // fallocate gives the file its pages now; MAP_POPULATE maps them all in one call.
  if (::ftruncate(m.fd_, off_t(capacity)) != 0 || ::fallocate(m.fd_, 0, 0, off_t(capacity)) != 0)
    throw std::runtime_error(std::string("allocating memory for the bundle: ") +
                             std::strerror(errno));
  void* p = ::mmap(nullptr, capacity, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, m.fd_, 0);
  if (p == MAP_FAILED) throw std::runtime_error(std::string("mmap: ") + std::strerror(errno));
  m.data_ = static_cast<uint8_t*>(p);
  m.map_size_ = capacity;
  m.sealed_ = false;
  return m;
}

MappedFile MappedFile::from_bytes(const uint8_t* bytes, size_t size, const char* name) {
  MappedFile m = create(size, name);
  if (size > 0) std::memcpy(m.data_, bytes, size);
  m.seal(size);
  return m;
}

void MappedFile::seal(size_t size) {
  if (sealed_ || size > map_size_)
    throw std::logic_error("MappedFile::seal: not writable or too large");
  // The file and its mapping keep their capacity, and the mapping stays writable underneath:
  // cutting the file or changing the protection of 30 MB of mapped pages costs more than
  // a small site's whole rebuild, and nothing reads past size (sendfile offsets come from
  // within the bundle) or writes through data().
  size_ = size;
  sealed_ = true;
}

}  // namespace mayfly::hosted
