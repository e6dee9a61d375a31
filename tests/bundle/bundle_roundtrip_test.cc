#include <gtest/gtest.h>

#include "bundle/reader.h"
#include "bundle/writer.h"
#include "bundle_test_util.h"

namespace mayfly::bundle {
namespace {

using testing::file;
using testing::quiet_options;
using testing::small_site;

class BundleRoundTrip : public ::testing::Test {
 protected:
  void SetUp() override {
    image = write_bundle(small_site(), quiet_options(), &stats);
    ASSERT_EQ(b.open(image.data(), image.size()), Error::None);
  }
  std::vector<uint8_t> image;
  WriteStats stats;
  Bundle b;
};

TEST_F(BundleRoundTrip, FindsEveryFileWithItsBytes) {
  for (const SourceFile& f : small_site()) {
    Entry e;
    ASSERT_TRUE(b.find(f.path, e)) << f.path;
    EXPECT_EQ(e.kind, EntryKind::File);
    const Blob& id = e.variant(Encoding::Identity);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(id.data), id.size),
              std::string(f.contents.begin(), f.contents.end()));
  }
  Entry e;
  EXPECT_FALSE(b.find("/missing.html", e));
  EXPECT_FALSE(b.find("", e));
  EXPECT_FALSE(b.find("/blog/", e));
}

TEST_F(BundleRoundTrip, DirectoriesWithAnIndexGetRedirectEntries) {
  Entry e;
  ASSERT_TRUE(b.find("/blog", e));
  EXPECT_EQ(e.kind, EntryKind::DirectoryRedirect);
  ASSERT_TRUE(b.find("/blog/first", e));
  EXPECT_EQ(e.kind, EntryKind::DirectoryRedirect);
  EXPECT_FALSE(b.find("/css", e)) << "no index.html there";
  EXPECT_EQ(stats.redirects, 2u);
}

TEST_F(BundleRoundTrip, SiteDataAndMetadata) {
  EXPECT_EQ(b.index_name(), "index.html");
  Entry nf;
  ASSERT_TRUE(b.not_found(nf));
  EXPECT_EQ(nf.path, "/404.html");
  EXPECT_EQ(b.created(), 1700000500);
  Entry e;
  ASSERT_TRUE(b.find("/index.html", e));
  EXPECT_EQ(e.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(e.cache_control, "public, no-cache");
  EXPECT_EQ(e.mtime, 1700000000) << "older than SOURCE_DATE_EPOCH: kept";
  EXPECT_EQ(e.etag.size(), 20u);
  ASSERT_TRUE(b.find("/css/app.3f9a2c1b.css", e));
  EXPECT_EQ(e.cache_control, "public, max-age=31536000, immutable");
}

TEST_F(BundleRoundTrip, CompressedVariantsOnlyWhenTheySave) {
  Entry e;
  ASSERT_TRUE(b.find("/index.html", e));
  EXPECT_TRUE(e.has(Encoding::Gzip));
  EXPECT_TRUE(e.has(Encoding::Brotli));
  EXPECT_LT(e.variant(Encoding::Brotli).size, e.variant(Encoding::Identity).size * 95 / 100);
  ASSERT_TRUE(b.find("/blog/first/index.html", e));
  EXPECT_FALSE(e.has(Encoding::Gzip)) << "too small to gain";
  ASSERT_TRUE(b.find("/img/a.png", e));
  EXPECT_FALSE(e.has(Encoding::Brotli)) << "images are not recompressed";
  ASSERT_TRUE(b.find("/empty.txt", e));
  EXPECT_EQ(e.variant(Encoding::Identity).size, 0u);
}

TEST(BundleWriter, IsReproducible) {
  auto a = write_bundle(small_site(), quiet_options());
  auto files = small_site();
  std::reverse(files.begin(), files.end());
  for (auto& f : files) f.mtime += 1000000;  // newer than SOURCE_DATE_EPOCH: clamped
  auto b = write_bundle(files, quiet_options());
  auto c = write_bundle(small_site(), quiet_options());
  EXPECT_EQ(a, c);
  // Clamping changes Last-Modified for the newer tree, so compare a tree with clamped
  // mtimes on both sides instead.
  auto clamp = small_site();
  for (auto& f : clamp) f.mtime = 1800000000;
  auto d = write_bundle(clamp, quiet_options());
  for (auto& f : files) f.mtime = 1900000000;
  auto e = write_bundle(files, quiet_options());
  EXPECT_EQ(d, e);
  EXPECT_NE(a, b);
}

TEST(BundleWriter, IdenticalFilesShareOneBlob) {
  std::vector<SourceFile> files = {file("/a.txt", std::string(1000, 'x')),
                                   file("/b.txt", std::string(1000, 'x'))};
  WriteStats st;
  auto img = write_bundle(files, quiet_options(), &st);
  EXPECT_EQ(st.unique_blobs, 1u);
  Bundle b;
  ASSERT_EQ(b.open(img.data(), img.size()), Error::None);
  Entry x, y;
  ASSERT_TRUE(b.find("/a.txt", x));
  ASSERT_TRUE(b.find("/b.txt", y));
  EXPECT_EQ(x.variant(Encoding::Identity).data, y.variant(Encoding::Identity).data);
}

TEST(BundleWriter, ExtraHeadersArePreformatted) {
  WriteOptions o = quiet_options();
  o.site.headers = {{"Content-Security-Policy", "default-src 'self'"}, {"X-Frame-Options", "DENY"}};
  auto img = write_bundle(small_site(), o);
  Bundle b;
  ASSERT_EQ(b.open(img.data(), img.size()), Error::None);
  EXPECT_EQ(b.extra_headers(),
            "Content-Security-Policy: default-src 'self'\r\nX-Frame-Options: DENY\r\n");
}

TEST(BundleWriter, RejectsBadInput) {
  WriteOptions o = quiet_options();
  EXPECT_THROW(write_bundle({file("/a", "1"), file("/a", "2")}, o), BundleError);
  EXPECT_THROW(write_bundle({file("a", "1")}, o), BundleError);
  EXPECT_THROW(write_bundle({file("/a/../b", "1")}, o), BundleError);
  EXPECT_THROW(write_bundle({file("/a//b", "1")}, o), BundleError);
  EXPECT_THROW(write_bundle({file("/a\nb", "1")}, o), BundleError);
  o.site.headers = {{"Bad Name", "x"}};
  EXPECT_THROW(write_bundle({file("/a", "1")}, o), BundleError);
  o.site.headers = {{"X-Ok", "line\r\nInjected: 1"}};
  EXPECT_THROW(write_bundle({file("/a", "1")}, o), BundleError);
  o.site.headers = {{"Content-Length", "1"}};
  EXPECT_THROW(write_bundle({file("/a", "1")}, o), BundleError);
  o.site.headers = {};
  o.site.index_name = "a/b.html";
  EXPECT_THROW(write_bundle({file("/a", "1")}, o), BundleError);
}

TEST(BundleWriter, ManyEntriesAllFound) {
  std::vector<SourceFile> files;
  for (int i = 0; i < 3000; ++i)
    files.push_back(file("/p/" + std::to_string(i) + ".html", std::to_string(i)));
  WriteOptions o = quiet_options();
  o.compress = false;
  auto img = write_bundle(files, o);
  Bundle b;
  ASSERT_EQ(b.open(img.data(), img.size()), Error::None);
  for (int i = 0; i < 3000; ++i) {
    Entry e;
    ASSERT_TRUE(b.find("/p/" + std::to_string(i) + ".html", e));
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(e.variant(Encoding::Identity).data),
                          e.variant(Encoding::Identity).size),
              std::to_string(i));
  }
}

}  // namespace
}  // namespace mayfly::bundle
