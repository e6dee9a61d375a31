#include "deploy/aws/settings.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include <unistd.h>

namespace mayfly::aws {
namespace {

namespace fs = std::filesystem;

class SettingsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    home_ = fs::temp_directory_path() /
            ("mayfly-aws-settings-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(home_ / ".aws");
    env_["HOME"] = home_.string();
  }
  void TearDown() override { fs::remove_all(home_); }

  void write(const char* name, const std::string& text) {
    std::ofstream(home_ / ".aws" / name) << text;
  }
  Settings resolve(SettingsRequest request = {}) {
    return resolve_settings(request, [this](const char* name) -> const char* {
      auto found = env_.find(name);
      return found == env_.end() ? nullptr : found->second.c_str();
    });
  }

  Settings resolve_with_instance(const std::optional<InstanceMetadata>& metadata, int& asked,
                                 SettingsRequest request = {}) {
    return resolve_settings(
        request,
        [this](const char* name) -> const char* {
          auto found = env_.find(name);
          return found == env_.end() ? nullptr : found->second.c_str();
        },
        [&metadata, &asked] {
          ++asked;
          return metadata;
        });
  }

  fs::path home_;
  std::map<std::string, std::string> env_;
};

TEST_F(SettingsTest, InstanceMetadataOnlyWhenNothingElseAnswers) {
  InstanceMetadata metadata{
      {"ASIAROLE", "rolesecret", "roletoken"}, "mayfly-deployer", "ap-south-1"};
  int asked = 0;
  Settings settings = resolve_with_instance(metadata, asked);
  EXPECT_EQ(asked, 1);  // once, for credentials and region both
  EXPECT_EQ(settings.credentials.access_key_id, "ASIAROLE");
  EXPECT_EQ(settings.credentials.session_token, "roletoken");
  EXPECT_EQ(settings.region, "ap-south-1");
  EXPECT_NE(settings.credentials_from.find("mayfly-deployer"), std::string::npos);

  env_["AWS_ACCESS_KEY_ID"] = "AKID";
  env_["AWS_SECRET_ACCESS_KEY"] = "SECRET";
  env_["AWS_REGION"] = "eu-west-1";
  asked = 0;
  settings = resolve_with_instance(metadata, asked);
  EXPECT_EQ(asked, 0);
  EXPECT_EQ(settings.credentials.access_key_id, "AKID");

  env_.erase("AWS_REGION");  // keys from the environment, the region from the instance
  settings = resolve_with_instance(metadata, asked);
  EXPECT_EQ(settings.credentials.access_key_id, "AKID");
  EXPECT_EQ(settings.region, "ap-south-1");

  env_.erase("AWS_ACCESS_KEY_ID");  // off EC2: the message says where it looked
  asked = 0;
  try {
    resolve_with_instance(std::nullopt, asked);
    FAIL() << "resolved without credentials";
  } catch (const SettingsError& error) {
    EXPECT_NE(std::string(error.what()).find("EC2 instance with a role"), std::string::npos);
  }
  EXPECT_EQ(asked, 1);
}

TEST_F(SettingsTest, EnvironmentKeysAndRegion) {
  env_["AWS_ACCESS_KEY_ID"] = "AKID";
  env_["AWS_SECRET_ACCESS_KEY"] = "SECRET";
  env_["AWS_SESSION_TOKEN"] = "TOKEN";
  env_["AWS_DEFAULT_REGION"] = "eu-west-1";
  Settings settings = resolve();
  EXPECT_EQ(settings.credentials.access_key_id, "AKID");
  EXPECT_EQ(settings.credentials.session_token, "TOKEN");
  EXPECT_EQ(settings.region, "eu-west-1");
  EXPECT_EQ(settings.credentials_from, "environment");
  env_["AWS_REGION"] = "eu-north-1";  // AWS_REGION wins over AWS_DEFAULT_REGION
  EXPECT_EQ(resolve().region, "eu-north-1");
  EXPECT_EQ(resolve({"", "us-west-2"}).region, "us-west-2");  // and the flag over both
}

TEST_F(SettingsTest, ProfilesFromSharedFiles) {
  write("credentials",
        "# comment\n[default]\naws_access_key_id = DEF\naws_secret_access_key = defsecret\n"
        "\n[blog]\naws_access_key_id=BLOG\naws_secret_access_key=blogsecret\n");
  write("config",
        "[default]\nregion = us-east-1\n[profile blog]\nregion = ap-south-1\n"
        "s3 =\n  max_concurrent_requests = 10\n");
  Settings settings = resolve();
  EXPECT_EQ(settings.credentials.access_key_id, "DEF");
  EXPECT_EQ(settings.region, "us-east-1");
  env_["AWS_PROFILE"] = "blog";
  settings = resolve();
  EXPECT_EQ(settings.credentials.access_key_id, "BLOG");
  EXPECT_EQ(settings.region, "ap-south-1");
  // An explicit profile beats keys in the environment.
  env_["AWS_ACCESS_KEY_ID"] = "ENV";
  env_["AWS_SECRET_ACCESS_KEY"] = "ENVSECRET";
  EXPECT_EQ(resolve().credentials.access_key_id, "ENV");
  EXPECT_EQ(resolve({"blog", ""}).credentials.access_key_id, "BLOG");
}

TEST_F(SettingsTest, ClearErrors) {
  EXPECT_THROW(resolve(), SettingsError);  // nothing anywhere
  write("credentials", "[default]\naws_access_key_id = A\naws_secret_access_key = B\n");
  try {
    resolve();
    FAIL() << "no region must be an error";
  } catch (const SettingsError& error) {
    EXPECT_NE(std::string(error.what()).find("no AWS region"), std::string::npos);
  }
  try {
    resolve({"missing", "us-east-1"});
    FAIL();
  } catch (const SettingsError& error) {
    EXPECT_NE(std::string(error.what()).find("profile 'missing'"), std::string::npos);
  }
  write("config", "[default]\nregion us-east-1\n");
  try {
    resolve();
    FAIL();
  } catch (const SettingsError& error) {
    EXPECT_NE(std::string(error.what()).find("/.aws/config:2:1: expected 'key = value'"),
              std::string::npos)
        << error.what();
  }
}

TEST(ProfileFile, Sections) {
  ProfileSections sections =
      parse_profile_file("[a]\nk = v = w\n; c\n[profile b]\nx=\n  y = 1\nz = 2\n", "f");
  EXPECT_EQ(sections["a"]["k"], "v = w");
  EXPECT_EQ(sections["profile b"]["x.y"], "1");
  EXPECT_EQ(sections["profile b"]["z"], "2");
  EXPECT_THROW(parse_profile_file("k = v\n", "f"), SettingsError);
  EXPECT_THROW(parse_profile_file("[a\n", "f"), SettingsError);
}

}  // namespace
}  // namespace mayfly::aws
