// Drives mayfly's AWS client through the calls of a blue/green deploy against an
// endpoint (tests/deploy/fake_aws.py in the tests), printing one JSON summary.
//   aws_scenario_tool ENDPOINT deploy IMAGE [IMAGE2]
//   aws_scenario_tool ENDPOINT call ACTION [Name=value ...]
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "deploy/aws/ebs.h"
#include "deploy/aws/ec2.h"

using namespace mayfly::aws;

namespace {

ClientOptions options_for(const std::string& endpoint, int* retries) {
  ClientOptions options;
  options.endpoint_url = endpoint;
  options.retry = {8, std::chrono::milliseconds(5), std::chrono::milliseconds(50)};
  options.timeouts.connect = std::chrono::milliseconds(2000);
  options.timeouts.total = std::chrono::milliseconds(1500);
  options.on_retry = [retries](int, const std::string& why) {
    ++*retries;
    std::cerr << "retry: " << why << "\n";
  };
  return options;
}

std::string deploy_one(Ec2& ec2, const Settings& settings, const ClientOptions& options,
                       const std::string& image_path, const std::string& version,
                       nlohmann::json& summary) {
  const Tags tags = {{"mayfly:target", "blog"}, {"mayfly:version", version}};
  SnapshotUpload upload;
  upload.image_path = image_path;
  upload.description = "mayfly blog " + version;
  upload.tags = tags;
  upload.client_token = "snap-" + version;
  upload.workers = 4;
  SnapshotResult snapshot = upload_snapshot(settings, options, upload);
  wait_for_snapshot(ec2, snapshot.snapshot_id, std::chrono::seconds(30), [](auto) {});
  std::string image = ec2.register_image(
      {"mayfly-blog-" + version, "blog " + version, snapshot.snapshot_id, "uefi", tags});
  Instance instance =
      ec2.run_instance({image, "t3.micro", "subnet-1", "sg-1", "run-" + version, tags});
  for (int poll = 0; poll < 50 && instance.state != "running"; ++poll) {
    instance = ec2.describe_instances({}, {instance.id}).at(0);
  }
  if (instance.state != "running") throw std::runtime_error("instance never ran");
  ec2.associate_address("eipalloc-0mayfly", instance.id);
  summary[version] = {{"snapshot", snapshot.snapshot_id},
                      {"blocks_sent", snapshot.blocks_sent},
                      {"blocks_skipped", snapshot.blocks_skipped},
                      {"image", image},
                      {"instance", instance.id},
                      {"public_ip", instance.public_ip}};
  return instance.id;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: aws_scenario_tool ENDPOINT deploy IMAGE [IMAGE2] | call ACTION [K=V..]\n";
    return 2;
  }
  int retries = 0;
  try {
    Settings settings = resolve_settings({}, [](const char* name) { return std::getenv(name); });
    ClientOptions options = options_for(argv[1], &retries);
    AwsClient ec2_client(settings, "ec2", options);
    Ec2 ec2(ec2_client);
    nlohmann::json summary;
    std::string mode = argv[2];
    if (mode == "call") {
      QueryParams params;
      for (int i = 4; i < argc; ++i) {
        std::string pair = argv[i];
        size_t eq = pair.find('=');
        params.emplace_back(pair.substr(0, eq), eq == std::string::npos ? "" : pair.substr(eq + 1));
      }
      ec2.call(argv[3], params);
      summary["ok"] = true;
    } else if (mode == "deploy" && argc >= 4) {
      std::string first = deploy_one(ec2, settings, options, argv[3], "v1", summary);
      if (argc >= 5) {
        std::string second = deploy_one(ec2, settings, options, argv[4], "v2", summary);
        ec2.terminate_instances({first});
        // Prune v1: the image, then its snapshot (an AMI keeps its snapshot in use).
        for (const Image& image : ec2.describe_images({{"mayfly:version", "v1"}})) {
          ec2.deregister_image(image.id);
          for (const auto& snapshot : image.snapshot_ids) ec2.delete_snapshot(snapshot);
        }
        auto address = ec2.describe_address("eipalloc-0mayfly");
        summary["address_instance"] = address ? address->instance_id : "";
        summary["second"] = second;
      }
    } else {
      std::cerr << "unknown mode " << mode << "\n";
      return 2;
    }
    summary["retries"] = retries;
    std::cout << summary.dump() << "\n";
    return 0;
  } catch (const AwsError& error) {
    std::cerr << "aws error: " << error.what() << "\n";
    std::cout << nlohmann::json{{"error", error.code()}, {"request_id", error.request_id()}}.dump()
              << "\n";
    return 1;
  } catch (const std::exception& error) {
    std::cerr << "error: " << error.what() << "\n";
    return 1;
  }
}
