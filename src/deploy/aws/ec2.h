#pragma once
// The EC2 calls a blue/green deploy makes, over the EC2 Query API (form-encoded POST,
// XML answers; API version 2016-11-15). Hosted code; errors are AwsError.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <pugixml.hpp>

#include "deploy/aws/client.h"

namespace mayfly::aws {

using Tags = std::map<std::string, std::string>;

// Query parameters in the order given; `Name.1`, `Name.2` for lists (EC2's flattening).
using QueryParams = std::vector<std::pair<std::string, std::string>>;
std::string form_encode(const QueryParams& params);

struct Instance {
  std::string id, state, image_id, instance_type, public_ip, private_ip;
  Tags tags;
};
struct Image {
  std::string id, name, state;
  std::vector<std::string> snapshot_ids;
  Tags tags;
};
struct Snapshot {
  std::string id, state, progress;
  Tags tags;
};
struct Address {
  std::string allocation_id, public_ip, instance_id, association_id;
};

struct RunInstancesRequest {
  std::string image_id, instance_type, subnet_id, security_group_id, client_token;
  Tags tags;
};
struct RegisterImageRequest {
  std::string name, description, snapshot_id, boot_mode = "uefi";
  Tags tags;
};

class Ec2 {
 public:
  explicit Ec2(AwsClient& client) : client_(client) {}

  // Any action; the answer's XML. Pagination is the caller's (see the describe calls).
  pugi::xml_document call(const std::string& action, QueryParams params);

  std::vector<Instance> describe_instances(const Tags& tag_filter,
                                           const std::vector<std::string>& ids = {});
  Instance run_instance(const RunInstancesRequest& request);
  void terminate_instances(const std::vector<std::string>& ids);

  // Images owned by this account.
  std::vector<Image> describe_images(const Tags& tag_filter,
                                     const std::vector<std::string>& ids = {});
  std::string register_image(const RegisterImageRequest& request);
  void deregister_image(const std::string& image_id);
  void create_tags(const std::string& resource_id, const Tags& tags);

  std::vector<Snapshot> describe_snapshots(const Tags& tag_filter,
                                           const std::vector<std::string>& ids = {});
  void delete_snapshot(const std::string& snapshot_id);

  std::optional<Address> describe_address(const std::string& allocation_id);
  // Moves the Elastic IP to `instance_id`, even from another instance.
  std::string associate_address(const std::string& allocation_id, const std::string& instance_id);
  void disassociate_address(const std::string& association_id);

  // The instance's serial console as EC2 last captured it (decoded), "" when none yet.
  std::string console_output(const std::string& instance_id);

 private:
  AwsClient& client_;
};

}  // namespace mayfly::aws
