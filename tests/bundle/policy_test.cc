#include <gtest/gtest.h>

#include "bundle/mime.h"
#include "bundle/scan.h"
#include "bundle/writer.h"

namespace mayfly::bundle {
namespace {

TEST(Mime, TypesByExtension) {
  EXPECT_EQ(content_type_for("/a/index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(content_type_for("/A.HTML"), "text/html; charset=utf-8");
  EXPECT_EQ(content_type_for("/feed.xml"), "application/xml; charset=utf-8");
  EXPECT_EQ(content_type_for("/app.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(content_type_for("/x.png"), "image/png");
  EXPECT_EQ(content_type_for("/font.woff2"), "font/woff2");
  EXPECT_EQ(content_type_for("/data.json"), "application/json");
  EXPECT_EQ(content_type_for("/README"), "application/octet-stream");
  EXPECT_EQ(content_type_for("/.hidden"), "application/octet-stream");
  EXPECT_EQ(content_type_for("/x.unknownext"), "application/octet-stream");
}

TEST(Mime, CompressibleTypes) {
  EXPECT_TRUE(worth_compressing("text/html; charset=utf-8"));
  EXPECT_TRUE(worth_compressing("image/svg+xml; charset=utf-8"));
  EXPECT_TRUE(worth_compressing("application/json"));
  EXPECT_FALSE(worth_compressing("image/png"));
  EXPECT_FALSE(worth_compressing("font/woff2"));
  EXPECT_FALSE(worth_compressing("application/zip"));
}

TEST(CachePolicy, FingerprintedNames) {
  EXPECT_TRUE(is_fingerprinted("/assets/app.3f9a2c1b.css"));
  EXPECT_TRUE(is_fingerprinted("/main-9f86d081884c7d65.js"));
  EXPECT_TRUE(is_fingerprinted("/x.12345678.js"));
  EXPECT_FALSE(is_fingerprinted("/app.css"));
  EXPECT_FALSE(is_fingerprinted("/deadbeefcafe.css")) << "no separator before the hash";
  EXPECT_FALSE(is_fingerprinted("/a.deadbeef.css")) << "no digit: a word, not a hash";
  EXPECT_FALSE(is_fingerprinted("/a.3f9a2c.css")) << "too short";
  EXPECT_FALSE(is_fingerprinted("/2024/03/01/post.html"));
  EXPECT_EQ(cache_control_for("/a.3f9a2c1b.css", "text/css"),
            "public, max-age=31536000, immutable");
  EXPECT_EQ(cache_control_for("/index.html", "text/html; charset=utf-8"), "public, no-cache");
  EXPECT_EQ(cache_control_for("/feed.xml", "application/xml; charset=utf-8"), "public, no-cache");
  EXPECT_EQ(cache_control_for("/logo.png", "image/png"), "public, max-age=3600");
}

TEST(Scan, EditorBackups) {
  EXPECT_TRUE(is_editor_backup("post.md~"));
  EXPECT_TRUE(is_editor_backup("#post.md#"));
  EXPECT_TRUE(is_editor_backup(".post.md.swp"));
  EXPECT_TRUE(is_editor_backup("x.orig"));
  EXPECT_FALSE(is_editor_backup("index.html"));
  EXPECT_FALSE(is_editor_backup("#"));
}

}  // namespace
}  // namespace mayfly::bundle
