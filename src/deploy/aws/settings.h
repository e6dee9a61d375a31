#pragma once
// Where AWS credentials and the region come from, in the order AWS's own tools use:
// explicit flags, environment variables, then the shared files ~/.aws/credentials and
// ~/.aws/config (profiles). Hosted code; throws SettingsError with file:line.
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "deploy/aws/sigv4.h"

namespace mayfly::aws {

class SettingsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One INI file of the shared config format: section -> key -> value. Sub-sections (an
// indented block under `key =`) are kept as "key.subkey".
using ProfileSections = std::map<std::string, std::map<std::string, std::string>>;
ProfileSections parse_profile_file(std::string_view text, std::string_view file_name);

struct SettingsRequest {
  std::string profile;  // --profile; empty: AWS_PROFILE, then "default"
  std::string region;   // --region; empty: AWS_REGION, AWS_DEFAULT_REGION, the profile
};

struct Settings {
  Credentials credentials;
  std::string region;
  std::string profile;           // the profile that was used, if any
  std::string credentials_from;  // for messages: "environment", "profile 'x' in FILE"
};

// Reads an environment variable; nullptr when unset. Tests pass their own.
using EnvironmentLookup = std::function<const char*(const char*)>;

// What the instance metadata service (imds.h) tells an EC2 instance about itself.
struct InstanceMetadata {
  Credentials credentials;  // the instance profile role's, temporary
  std::string role;
  std::string region;
};
// Asked only when the environment and the shared files have no credentials or no region;
// empty: not asked (tests, and AWS_EC2_METADATA_DISABLED).
using MetadataLookup = std::function<std::optional<InstanceMetadata>()>;

// Resolves credentials and region. Missing credentials or region -> SettingsError naming
// every place that was looked at.
Settings resolve_settings(const SettingsRequest& request, const EnvironmentLookup& environment,
                          const MetadataLookup& metadata = {});

}  // namespace mayfly::aws
