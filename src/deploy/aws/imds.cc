#include "deploy/aws/imds.h"

#include <nlohmann/json.hpp>

#include "deploy/http_client.h"

namespace mayfly::aws {

std::string metadata_endpoint(const EnvironmentLookup& environment) {
  const char* disabled = environment("AWS_EC2_METADATA_DISABLED");
  if (disabled && std::string(disabled) == "true") return "";
  const char* endpoint = environment("AWS_EC2_METADATA_SERVICE_ENDPOINT");
  std::string url = endpoint && *endpoint ? endpoint : "http://169.254.169.254";
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

std::optional<InstanceMetadata> fetch_instance_metadata(const std::string& endpoint,
                                                        std::chrono::milliseconds timeout) {
  if (endpoint.empty()) return std::nullopt;
  deploy::HttpTimeouts timeouts;
  timeouts.connect = timeout;
  timeouts.total = timeout * 2;
  deploy::HttpClient http(timeouts);
  try {
    // IMDSv2: a session token first (PUT, so that a misconfigured proxy or an SSRF cannot
    // fetch it with a plain GET); every read carries it.
    deploy::HttpResponse token = http.send({"PUT",
                                            endpoint + "/latest/api/token",
                                            {{"X-aws-ec2-metadata-token-ttl-seconds", "21600"}},
                                            {}});
    if (token.status != 200 || token.body.empty()) return std::nullopt;
    auto get = [&](const std::string& path) -> std::optional<std::string> {
      deploy::HttpResponse answer =
          http.send({"GET", endpoint + path, {{"X-aws-ec2-metadata-token", token.body}}, {}});
      if (answer.status != 200) return std::nullopt;
      return answer.body;
    };
    InstanceMetadata metadata;
    if (auto region = get("/latest/meta-data/placement/region")) metadata.region = *region;
    auto roles = get("/latest/meta-data/iam/security-credentials/");
    if (roles && !roles->empty()) {
      metadata.role = roles->substr(0, roles->find('\n'));
      if (auto document = get("/latest/meta-data/iam/security-credentials/" + metadata.role)) {
        nlohmann::json parsed = nlohmann::json::parse(*document, nullptr, false);
        if (parsed.is_object() && parsed.value("Code", "") == "Success") {
          metadata.credentials = {parsed.value("AccessKeyId", ""),
                                  parsed.value("SecretAccessKey", ""), parsed.value("Token", "")};
        }
      }
    }
    if (metadata.credentials.access_key_id.empty() && metadata.region.empty()) return std::nullopt;
    return metadata;
  } catch (const deploy::TransportError&) {
    return std::nullopt;  // not on EC2, or the service is off
  }
}

}  // namespace mayfly::aws
