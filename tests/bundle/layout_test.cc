#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "bundle/layout.h"
#include "bundle/reader.h"
#include "bundle/writer.h"
#include "bundle_test_util.h"
#include "core/bytes.h"

namespace mayfly::bundle {
namespace {

using testing::quiet_options;
using testing::repeat;
using testing::small_site;

std::vector<LayoutFile> prepared(const std::vector<SourceFile>& files) {
  std::vector<LayoutFile> out;
  for (const SourceFile& f : files)
    out.push_back({f.path, f.mtime, std::make_shared<PreparedBlob>(prepare_blob(f.contents))});
  return out;
}

std::vector<uint8_t> laid_out(std::vector<LayoutFile> files, const WriteOptions& options) {
  BundleLayout layout(std::move(files), options);
  std::vector<uint8_t> out(layout.size(), 0xAA);  // every byte must be written
  layout.write(out.data());
  return out;
}

// `serve --watch` lays out bundles from prepared files; they must be the bundles the writer
// makes from the same files, byte for byte, whatever order the files come in.
TEST(BundleLayout, EqualsTheWritersBundleWithoutCompression) {
  WriteOptions o = quiet_options();
  o.compress = false;
  std::vector<SourceFile> site = small_site();
  site.push_back(testing::file("/copy-of-404.html", "<p>not here</p>"));  // shares a blob
  std::vector<uint8_t> written = write_bundle(site, o);
  std::vector<LayoutFile> files = prepared(site);
  std::reverse(files.begin(), files.end());
  EXPECT_EQ(laid_out(files, o), written);
  Bundle b;
  ASSERT_EQ(b.open(written.data(), written.size()), Error::None);
}

TEST(BundleLayout, SharedBytesAreNotCopiedOrChanged) {
  WriteOptions o = quiet_options();
  std::vector<LayoutFile> files = prepared(small_site());
  std::shared_ptr<const PreparedBlob> first = files.front().blob;
  std::vector<uint8_t> before = first->identity;
  std::vector<uint8_t> a = laid_out(files, o);
  std::vector<uint8_t> b = laid_out(files, o);
  EXPECT_EQ(a, b) << "reproducible";
  EXPECT_EQ(first->identity, before);
  EXPECT_EQ(first.use_count(), 2) << "the layout keeps no reference after it is gone";
}

TEST(BundleLayout, RefusesWhatTheWriterRefuses) {
  WriteOptions o = quiet_options();
  auto with_path = [&](std::string path) {
    std::vector<LayoutFile> files = prepared(small_site());
    files.back().path = std::move(path);
    return files;
  };
  EXPECT_THROW(BundleLayout(with_path("/index.html"), o), BundleError) << "duplicate";
  EXPECT_THROW(BundleLayout(with_path("/a/../b"), o), BundleError);
  EXPECT_THROW(BundleLayout(with_path("relative.txt"), o), BundleError);
  EXPECT_THROW(BundleLayout(with_path("/a//b"), o), BundleError);
  std::vector<LayoutFile> no_bytes = prepared(small_site());
  no_bytes.front().blob = nullptr;
  EXPECT_THROW(BundleLayout(no_bytes, o), BundleError);
  WriteOptions bad = o;
  bad.site.headers = {{"Content-Length", "1"}};
  EXPECT_THROW(BundleLayout(prepared(small_site()), bad), BundleError);
  bad.site.headers = {};
  bad.site.index_name = "a/index.html";
  EXPECT_THROW(BundleLayout(prepared(small_site()), bad), BundleError);
}

TEST(BundleLayout, LargeFilesAcrossManyPieces) {
  WriteOptions o = quiet_options();
  o.compress = false;
  std::vector<SourceFile> site = small_site();
  site.push_back(testing::file("/big.txt", repeat("0123456789abcdef", 100000)));  // 1.6 MB
  std::vector<uint8_t> written = write_bundle(site, o);
  EXPECT_EQ(laid_out(prepared(site), o), written);
}

// The reader checks the layout whether or not it reads every byte for the checksum.
TEST(BundleReader, SkippingTheChecksumStillChecksTheLayout) {
  std::vector<uint8_t> image = write_bundle(small_site(), quiet_options());
  Bundle b;
  std::vector<uint8_t> stale = image;
  stale[stale.size() - 1] ^= 1;
  EXPECT_EQ(b.open(stale.data(), stale.size()), Error::BadChecksum);
  EXPECT_EQ(b.open(stale.data(), stale.size(), Checksum::Skip), Error::None);
  std::vector<uint8_t> broken = image;
  store_le64(broken.data() + hdr::data_size, load_le64(broken.data() + hdr::data_size) + 1);
  EXPECT_EQ(b.open(broken.data(), broken.size(), Checksum::Skip), Error::BadLayout);
  EXPECT_FALSE(b.is_open());
}

TEST(ReadWholeFile, ReadsEveryByteAndNamesAMissingFile) {
  std::string path = ::testing::TempDir() + "mayfly-read-whole-" + std::to_string(getpid());
  std::string body = repeat("line of text\n", 20000);  // larger than one read
  std::ofstream(path, std::ios::binary) << body;
  std::vector<uint8_t> got = read_whole_file(path);
  EXPECT_EQ(std::string(got.begin(), got.end()), body);
  std::ofstream(path, std::ios::binary | std::ios::trunc);
  EXPECT_TRUE(read_whole_file(path).empty());
  std::remove(path.c_str());
  try {
    read_whole_file(path);
    FAIL() << "no error";
  } catch (const BundleError& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace mayfly::bundle
