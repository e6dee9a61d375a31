#pragma once
// A read-only memory map of a whole file.
#include <cstddef>
#include <cstdint>
#include <string>

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
  // An anonymous file (memfd) for bytes made in memory, so that they too have a descriptor
  // to sendfile from: capacity bytes, allocated and mapped writable now, so that filling it
  // later costs no page faults (for a 26 MB bundle they cost more than the copy itself).
  static MappedFile create(size_t capacity, const char* name);
  // create(), filled with bytes and sealed.
  static MappedFile from_bytes(const uint8_t* bytes, size_t size, const char* name);
  // Between create() and seal(): where to write, and how much room there is.
  uint8_t* writable_data() const { return sealed_ ? nullptr : data_; }
  size_t capacity() const { return map_size_; }
  // Ends writing: the first size bytes are the file's content from now on.
  void seal(size_t size);

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  int fd() const { return fd_; }

 private:
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t map_size_ = 0;  // the mapping's length: size_, or create()'s capacity
  int fd_ = -1;
  bool sealed_ = true;
};

}  // namespace mayfly::hosted
