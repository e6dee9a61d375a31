#include "deploy/state_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>

namespace mayfly::deploy {
namespace {

namespace fs = std::filesystem;

class StateStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("mayfly-state-test-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    path_ = (dir_ / "state.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  void exec(const char* sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    sqlite3_close(db);
  }

  fs::path dir_;
  std::string path_;
};

TEST_F(StateStoreTest, TargetSettingsRoundTrip) {
  Target target;
  target.name = "blog";
  target.provider = "ec2";
  target.address = "eipalloc-1";
  target.keep = 2;
  target.settings = {{"region", "eu-west-1"}, {"health_url", "http://127.0.0.1:9/a=b"}};
  {
    StateStore store(path_);
    store.save_target(target);
  }
  StateStore store(path_);
  auto saved = store.target("blog");
  ASSERT_TRUE(saved);
  EXPECT_EQ(saved->provider, "ec2");
  EXPECT_EQ(saved->keep, 2);
  EXPECT_EQ(saved->settings, target.settings);
}

// A state file made by the first schema (no target settings) opens, keeps its rows and
// takes settings from then on.
TEST_F(StateStoreTest, UpgradesSchemaOne) {
  exec(
      "CREATE TABLE targets (name TEXT PRIMARY KEY, provider TEXT NOT NULL, address TEXT NOT "
      "NULL, memory_mib INTEGER NOT NULL, keep INTEGER NOT NULL);"
      "INSERT INTO targets VALUES ('default', 'local', '127.0.0.1:8080', 64, 3);"
      "PRAGMA user_version = 1;");
  StateStore store(path_);
  auto old = store.target("default");
  ASSERT_TRUE(old);
  EXPECT_EQ(old->address, "127.0.0.1:8080");
  EXPECT_TRUE(old->settings.empty());
  old->settings["network"] = "forwarder";
  store.save_target(*old);
  EXPECT_EQ(store.target("default")->settings.at("network"), "forwarder");
}

TEST_F(StateStoreTest, RefusesANewerSchema) {
  exec("PRAGMA user_version = 99;");
  EXPECT_THROW(StateStore store(path_), StateError);
}

}  // namespace
}  // namespace mayfly::deploy
