#pragma once
// A read-only memory map of a whole file.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace mayfly::hosted {

class MappedFile {
 public:
  MappedFile() = default;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  ~MappedFile();

  // Throws std::runtime_error with the path and the reason.
  static MappedFile open(const std::string& path);
  // Bytes made in memory, placed in an anonymous file (memfd) so that they too have a
  // descriptor to sendfile from.
  static MappedFile from_bytes(const std::vector<uint8_t>& bytes, const char* name);

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  int fd() const { return fd_; }

 private:
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
  int fd_ = -1;
};

}  // namespace mayfly::hosted
