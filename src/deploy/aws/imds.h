#pragma once
// The EC2 instance metadata service, version 2 (session tokens): where mayfly finds
// credentials (the instance profile's role) and the region when it runs on an EC2
// instance with nothing configured. Hosted code.
#include <chrono>
#include <optional>
#include <string>

#include "deploy/aws/settings.h"

namespace mayfly::aws {

// The service's address: AWS_EC2_METADATA_SERVICE_ENDPOINT, else the link-local one.
// "" when AWS_EC2_METADATA_DISABLED is true (as AWS's own tools read it).
std::string metadata_endpoint(const EnvironmentLookup& environment);

// PUT /latest/api/token, then the role's credentials and the region. nullopt when the
// service does not answer (not on EC2) or the instance has no role. One short attempt,
// as AWS's SDKs make, so that a machine off EC2 does not wait.
std::optional<InstanceMetadata> fetch_instance_metadata(
    const std::string& endpoint, std::chrono::milliseconds timeout = std::chrono::seconds(1));

}  // namespace mayfly::aws
