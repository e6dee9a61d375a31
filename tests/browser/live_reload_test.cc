// Unit tests for the pieces of `serve --watch` that need no server: the live-reload script
// injection and the Markdown conversion cache kept between rebuilds.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "cli/watch.h"
#include "site/jekyll/render.h"

namespace mayfly {
namespace {

TEST(LiveReload, ScriptGoesBeforeTheLastBodyEndInAnyCase) {
  std::string html = "<html><body><p>&lt;/body&gt;</p></BODY>\n</html>";
  std::string out = cli::inject_live_reload(html);
  size_t at = out.find(cli::kLiveReloadScript);
  ASSERT_NE(at, std::string::npos);
  EXPECT_EQ(out.substr(0, at), "<html><body><p>&lt;/body&gt;</p>");
  EXPECT_EQ(out.substr(at + std::string(cli::kLiveReloadScript).size()), "</BODY>\n</html>");
}

TEST(LiveReload, PagesWithoutBodyEndGetTheScriptAppended) {
  std::string out = cli::inject_live_reload("<p>fragment</p>");
  EXPECT_EQ(out, std::string("<p>fragment</p>") + cli::kLiveReloadScript);
  EXPECT_NE(std::string(cli::kLiveReloadScript).find("/__mayfly/livereload"), std::string::npos);
}

TEST(ConversionCache, HitsNeedTheCheckAndSweepsDropUnusedEntries) {
  site::ConversionCache cache;
  auto html = std::make_shared<const std::string>("<p>x</p>\n");
  cache.put(1, 10, html);
  EXPECT_EQ(cache.find(1, 10), html);
  EXPECT_EQ(cache.find(1, 11), nullptr);  // same key, different text: a miss
  cache.sweep();                          // used since the last sweep: kept
  EXPECT_EQ(cache.size(), 1u);
  cache.sweep();  // not used since: dropped
  EXPECT_EQ(cache.size(), 0u);
}

}  // namespace
}  // namespace mayfly
