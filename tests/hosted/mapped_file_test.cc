#include "hosted/mapped_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>
#include <string>

namespace mayfly::hosted {
namespace {

std::string file_bytes(int fd, size_t n) {
  std::string out(n, '\0');
  EXPECT_EQ(::pread(fd, out.data(), n, 0), ssize_t(n));
  return out;
}

TEST(MappedFile, CreatedFilesAreWrittenThenSealed) {
  MappedFile m = MappedFile::create(1 << 20, "mayfly-test");
  ASSERT_NE(m.writable_data(), nullptr);
  EXPECT_GE(m.capacity(), size_t(1 << 20));
  const char text[] = "bytes made in memory";
  std::memcpy(m.writable_data(), text, sizeof text);
  m.seal(sizeof text);
  EXPECT_EQ(m.writable_data(), nullptr) << "sealed: nothing more to write";
  EXPECT_EQ(m.size(), sizeof text);
  EXPECT_EQ(std::memcmp(m.data(), text, sizeof text), 0);
  // The descriptor holds the same bytes: the server sends large bodies from it.
  EXPECT_EQ(file_bytes(m.fd(), sizeof text), std::string(text, sizeof text));
  EXPECT_THROW(m.seal(1), std::logic_error);
}

TEST(MappedFile, SealingMoreThanTheCapacityIsRefused) {
  MappedFile m = MappedFile::create(4096, "mayfly-test");
  EXPECT_THROW(m.seal(m.capacity() + 1), std::logic_error);
}

TEST(MappedFile, FromBytesAndMoves) {
  const uint8_t bytes[] = {1, 2, 3, 4, 5};
  MappedFile a = MappedFile::from_bytes(bytes, sizeof bytes, "mayfly-test");
  int fd = a.fd();
  MappedFile b = std::move(a);
  EXPECT_EQ(a.data(), nullptr);
  EXPECT_EQ(a.fd(), -1);
  EXPECT_EQ(b.fd(), fd);
  ASSERT_EQ(b.size(), sizeof bytes);
  EXPECT_EQ(std::memcmp(b.data(), bytes, sizeof bytes), 0);
  MappedFile empty = MappedFile::from_bytes(nullptr, 0, "mayfly-test");
  EXPECT_EQ(empty.size(), 0u);
}

TEST(MappedFile, OpenNamesAMissingFile) {
  try {
    MappedFile::open("/nonexistent/mayfly-bundle.mfb");
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/mayfly-bundle.mfb"), std::string::npos);
  }
}

}  // namespace
}  // namespace mayfly::hosted
