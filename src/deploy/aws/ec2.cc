#include "deploy/aws/ec2.h"

#include <pugixml.hpp>

namespace mayfly::aws {
namespace {

constexpr const char* kApiVersion = "2016-11-15";

void add_tag_filters(QueryParams& params, const Tags& tags, int& filter) {
  for (const auto& [key, value] : tags) {
    std::string prefix = "Filter." + std::to_string(filter++);
    params.emplace_back(prefix + ".Name", "tag:" + key);
    params.emplace_back(prefix + ".Value.1", value);
  }
}

void add_ids(QueryParams& params, const std::string& name, const std::vector<std::string>& ids) {
  for (size_t i = 0; i < ids.size(); ++i) {
    params.emplace_back(name + "." + std::to_string(i + 1), ids[i]);
  }
}

void add_tag_specification(QueryParams& params, int index, const char* resource, const Tags& tags) {
  if (tags.empty()) return;
  std::string prefix = "TagSpecification." + std::to_string(index);
  params.emplace_back(prefix + ".ResourceType", resource);
  int n = 1;
  for (const auto& [key, value] : tags) {
    std::string tag = prefix + ".Tag." + std::to_string(n++);
    params.emplace_back(tag + ".Key", key);
    params.emplace_back(tag + ".Value", value);
  }
}

Tags read_tags(const pugi::xml_node& parent) {
  Tags tags;
  for (pugi::xml_node item : parent.child("tagSet").children("item")) {
    tags[item.child_value("key")] = item.child_value("value");
  }
  return tags;
}

Instance read_instance(const pugi::xml_node& item) {
  Instance instance;
  instance.id = item.child_value("instanceId");
  instance.state = item.child("instanceState").child_value("name");
  instance.image_id = item.child_value("imageId");
  instance.instance_type = item.child_value("instanceType");
  instance.public_ip = item.child_value("ipAddress");
  instance.private_ip = item.child_value("privateIpAddress");
  instance.tags = read_tags(item);
  return instance;
}

// Runs a Describe call through every page (NextToken).
template <typename Each>
void paginate(Ec2& ec2, const std::string& action, const QueryParams& params, Each each) {
  std::string token;
  for (int page = 0; page < 1000; ++page) {
    QueryParams with_token = params;
    if (!token.empty()) with_token.emplace_back("NextToken", token);
    pugi::xml_document answer = ec2.call(action, with_token);
    pugi::xml_node response = answer.first_child();
    each(response);
    token = response.child_value("nextToken");
    if (token.empty()) return;
  }
  throw AwsError("TooManyPages", action + " returned more than 1000 pages", "", 0);
}

}  // namespace

std::string form_encode(const QueryParams& params) {
  std::string body;
  for (const auto& [key, value] : params) {
    if (!body.empty()) body += '&';
    body += uri_encode(key, false) + "=" + uri_encode(value, false);
  }
  return body;
}

pugi::xml_document Ec2::call(const std::string& action, QueryParams params) {
  params.insert(params.begin(), {{"Action", action}, {"Version", kApiVersion}});
  ServiceRequest request;
  request.method = "POST";
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  request.body = form_encode(params);
  HttpResponse response = client_.call(request);
  pugi::xml_document xml;
  if (!xml.load_buffer(response.body.data(), response.body.size())) {
    throw AwsError("MalformedResponse", action + " answered with XML that does not parse",
                   response.header("x-amzn-RequestId"), response.status);
  }
  return xml;
}

std::vector<Instance> Ec2::describe_instances(const Tags& tag_filter,
                                              const std::vector<std::string>& ids) {
  QueryParams params;
  int filter = 1;
  add_tag_filters(params, tag_filter, filter);
  add_ids(params, "InstanceId", ids);
  std::vector<Instance> instances;
  paginate(*this, "DescribeInstances", params, [&](const pugi::xml_node& response) {
    for (pugi::xml_node reservation : response.child("reservationSet").children("item")) {
      for (pugi::xml_node item : reservation.child("instancesSet").children("item")) {
        instances.push_back(read_instance(item));
      }
    }
  });
  return instances;
}

Instance Ec2::run_instance(const RunInstancesRequest& request) {
  QueryParams params = {{"ImageId", request.image_id},
                        {"InstanceType", request.instance_type},
                        {"MinCount", "1"},
                        {"MaxCount", "1"},
                        {"ClientToken", request.client_token}};
  if (!request.subnet_id.empty()) params.emplace_back("SubnetId", request.subnet_id);
  if (!request.security_group_id.empty()) {
    params.emplace_back("SecurityGroupId.1", request.security_group_id);
  }
  add_tag_specification(params, 1, "instance", request.tags);
  pugi::xml_document answer = call("RunInstances", params);
  pugi::xml_node item = answer.first_child().child("instancesSet").child("item");
  if (!item) throw AwsError("MalformedResponse", "RunInstances returned no instance", "", 0);
  return read_instance(item);
}

void Ec2::terminate_instances(const std::vector<std::string>& ids) {
  if (ids.empty()) return;
  QueryParams params;
  add_ids(params, "InstanceId", ids);
  call("TerminateInstances", params);
}

std::vector<Image> Ec2::describe_images(const Tags& tag_filter,
                                        const std::vector<std::string>& ids) {
  QueryParams params = {{"Owner.1", "self"}};
  int filter = 1;
  add_tag_filters(params, tag_filter, filter);
  add_ids(params, "ImageId", ids);
  std::vector<Image> images;
  paginate(*this, "DescribeImages", params, [&](const pugi::xml_node& response) {
    for (pugi::xml_node item : response.child("imagesSet").children("item")) {
      Image image;
      image.id = item.child_value("imageId");
      image.name = item.child_value("name");
      image.state = item.child_value("imageState");
      for (pugi::xml_node mapping : item.child("blockDeviceMapping").children("item")) {
        std::string snapshot = mapping.child("ebs").child_value("snapshotId");
        if (!snapshot.empty()) image.snapshot_ids.push_back(snapshot);
      }
      image.tags = read_tags(item);
      images.push_back(std::move(image));
    }
  });
  return images;
}

std::string Ec2::register_image(const RegisterImageRequest& request) {
  QueryParams params = {{"Name", request.name},
                        {"Architecture", "x86_64"},
                        {"RootDeviceName", "/dev/xvda"},
                        {"BlockDeviceMapping.1.DeviceName", "/dev/xvda"},
                        {"BlockDeviceMapping.1.Ebs.SnapshotId", request.snapshot_id},
                        {"BlockDeviceMapping.1.Ebs.DeleteOnTermination", "true"},
                        {"BlockDeviceMapping.1.Ebs.VolumeType", "gp3"},
                        {"VirtualizationType", "hvm"},
                        {"EnaSupport", "true"},
                        {"BootMode", request.boot_mode}};
  if (!request.description.empty()) params.emplace_back("Description", request.description);
  // RegisterImage in API 2016-11-15 as Debian's botocore models it has no
  // TagSpecifications: tag with CreateTags right after.
  std::string id;
  try {
    pugi::xml_document answer = call("RegisterImage", params);
    id = answer.first_child().child_value("imageId");
  } catch (const AwsError& error) {
    // RegisterImage takes no idempotency token: when an answer was lost and the retry
    // finds the name taken, the image is ours if it was made from the same snapshot.
    if (error.code() != "InvalidAMIName.Duplicate") throw;
    pugi::xml_document found =
        call("DescribeImages",
             {{"Owner.1", "self"}, {"Filter.1.Name", "name"}, {"Filter.1.Value.1", request.name}});
    pugi::xml_node item = found.first_child().child("imagesSet").child("item");
    std::string snapshot =
        item.child("blockDeviceMapping").child("item").child("ebs").child_value("snapshotId");
    if (!item || snapshot != request.snapshot_id) throw;
    id = item.child_value("imageId");
  }
  if (id.empty()) throw AwsError("MalformedResponse", "RegisterImage returned no imageId", "", 0);
  create_tags(id, request.tags);
  return id;
}

void Ec2::create_tags(const std::string& resource_id, const Tags& tags) {
  if (tags.empty()) return;
  QueryParams params = {{"ResourceId.1", resource_id}};
  int n = 1;
  for (const auto& [key, value] : tags) {
    std::string tag = "Tag." + std::to_string(n++);
    params.emplace_back(tag + ".Key", key);
    params.emplace_back(tag + ".Value", value);
  }
  call("CreateTags", params);
}

// Deleting what is already gone succeeds: a retry after a lost answer, or a second run
// of an interrupted prune, must not fail.
static bool is_not_found(const AwsError& error) {
  return error.code().ends_with(".NotFound");
}

void Ec2::deregister_image(const std::string& image_id) {
  try {
    call("DeregisterImage", {{"ImageId", image_id}});
  } catch (const AwsError& error) {
    if (!is_not_found(error)) throw;
  }
}

std::vector<Snapshot> Ec2::describe_snapshots(const Tags& tag_filter,
                                              const std::vector<std::string>& ids) {
  QueryParams params = {{"Owner.1", "self"}};
  int filter = 1;
  add_tag_filters(params, tag_filter, filter);
  add_ids(params, "SnapshotId", ids);
  std::vector<Snapshot> snapshots;
  paginate(*this, "DescribeSnapshots", params, [&](const pugi::xml_node& response) {
    for (pugi::xml_node item : response.child("snapshotSet").children("item")) {
      snapshots.push_back({item.child_value("snapshotId"), item.child_value("status"),
                           item.child_value("progress"), read_tags(item)});
    }
  });
  return snapshots;
}

void Ec2::delete_snapshot(const std::string& snapshot_id) {
  try {
    call("DeleteSnapshot", {{"SnapshotId", snapshot_id}});
  } catch (const AwsError& error) {
    if (!is_not_found(error)) throw;
  }
}

std::optional<Address> Ec2::describe_address(const std::string& allocation_id) {
  pugi::xml_document answer = call("DescribeAddresses", {{"AllocationId.1", allocation_id}});
  pugi::xml_node item = answer.first_child().child("addressesSet").child("item");
  if (!item) return std::nullopt;
  return Address{item.child_value("allocationId"), item.child_value("publicIp"),
                 item.child_value("instanceId"), item.child_value("associationId")};
}

std::string Ec2::associate_address(const std::string& allocation_id,
                                   const std::string& instance_id) {
  pugi::xml_document answer = call("AssociateAddress", {{"AllocationId", allocation_id},
                                                        {"InstanceId", instance_id},
                                                        {"AllowReassociation", "true"}});
  return answer.first_child().child_value("associationId");
}

void Ec2::disassociate_address(const std::string& association_id) {
  try {
    call("DisassociateAddress", {{"AssociationId", association_id}});
  } catch (const AwsError& error) {
    if (!is_not_found(error)) throw;
  }
}

std::string Ec2::console_output(const std::string& instance_id) {
  pugi::xml_document answer = call("GetConsoleOutput", {{"InstanceId", instance_id}});
  std::string encoded = answer.first_child().child_value("output");
  std::string decoded = base64_decode(encoded);
  return decoded;
}

}  // namespace mayfly::aws
