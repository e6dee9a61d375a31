#include "deploy/aws/ec2_provider.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <thread>

#include "bundle/reader.h"
#include "core/version.h"
#include "deploy/aws/ebs.h"
#include "deploy/aws/sigv4.h"
#include "hosted/atomic_file.h"
#include "hosted/mapped_file.h"
#include "image/site_disk.h"

namespace mayfly::aws {
namespace {

constexpr const char* kTargetTag = "mayfly:target";
constexpr const char* kImageTag = "mayfly:image";
constexpr const char* kInstanceTag = "mayfly:instance";
constexpr const char* kBundleTag = "mayfly:bundle";
constexpr const char* kAmiTag = "mayfly:ami";

bool is_not_found(const AwsError& error) {
  return error.code().ends_with(".NotFound") || error.code().ends_with(".Malformed");
}

bool is_live_state(const std::string& state) {
  return state == "pending" || state == "running";
}

// The image's record as a tag value: the id and the creation time, so that a new state
// database (ids from 1 again) never mistakes an old image for its own.
std::string record_tag(int64_t id, int64_t created) {
  return std::to_string(id) + "-" + std::to_string(created);
}

}  // namespace

bool is_nitro_instance_type(const std::string& instance_type) {
  // The Xen-based families (AWS's "previous generation" list); everything newer is Nitro.
  static constexpr std::array<const char*, 14> kXenFamilies = {
      "t1", "t2", "m1", "m2", "m3", "m4", "c1", "c3", "c4", "r3", "r4", "i2", "d2", "x1"};
  std::string family = instance_type.substr(0, instance_type.find('.'));
  return std::none_of(kXenFamilies.begin(), kXenFamilies.end(),
                      [&](const char* xen) { return family == xen; });
}

std::string image_flavour(const Ec2ProviderSettings& settings) {
  const std::string& type = settings.instance_type;
  if (settings.flavour != "auto" && settings.flavour != "mayfly" && settings.flavour != "linux") {
    throw deploy::ProviderError("unknown kernel flavour '" + settings.flavour +
                                "' (auto, mayfly, linux)");
  }
  if (!is_nitro_instance_type(type)) {
    if (settings.health_url.empty()) {
      throw deploy::ProviderError("instance type " + type +
                                  " is a Xen type: it cannot boot UEFI images; use a Nitro "
                                  "type (t3, m5, c6i, ...); nothing was created");
    }
    return settings.flavour == "linux" ? "linux" : "mayfly";
  }
  if (settings.flavour == "mayfly" && settings.health_url.empty()) {
    throw deploy::ProviderError("instance type " + type +
                                " networks only through ENA, which mayfly's unikernel does not "
                                "drive yet: use --flavour linux (or auto); nothing was created");
  }
  return settings.flavour == "mayfly" ? "mayfly" : "linux";
}

Ec2Provider::Ec2Provider(Ec2ProviderSettings settings) : settings_(std::move(settings)) {
  ec2_client_ = std::make_unique<AwsClient>(settings_.aws, "ec2", settings_.client);
  ec2_ = std::make_unique<Ec2>(*ec2_client_);
}

Ec2Provider::~Ec2Provider() = default;

bool Ec2Provider::poll_until(std::chrono::seconds timeout, const std::function<bool()>& done) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto pause = settings_.poll_first;
  for (;;) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() + pause > deadline) return false;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, settings_.poll_max);
  }
}

std::string Ec2Provider::idempotency_token(const std::string& kind, const std::string& target,
                                           const std::string& record) const {
  // ClientToken: at most 64 ASCII characters; the same for a repeated step, different for
  // every record of every state (the region and target keep two sites apart).
  return "mayfly-" + sha256_hex(kind + "\n" + settings_.aws.region + "\n" + target + "\n" + record)
                         .substr(0, 40);
}

std::string Ec2Provider::make_disk_image(const deploy::ImageInput& input) {
  hosted::MappedFile mapped = hosted::MappedFile::open(input.bundle_path);
  bundle::Bundle site;
  if (bundle::Error error = site.open(mapped.data(), mapped.size()); error != bundle::Error::None) {
    throw deploy::ProviderError(input.bundle_path + ": " + bundle::describe(error));
  }
  image::SiteDiskInputs in;
  in.flavour = image_flavour(settings_);
  in.loader_file = settings_.loader_path;
  in.kernel_file = in.flavour == "mayfly" ? settings_.kernel_path : "";
  in.init_file = settings_.init_path;
  in.linux_dir = settings_.linux_dir;
  in.bundle = site.bytes();
  in.bundle_size = site.size();
  in.bundle_id = input.bundle_id;
  in.cmdline = settings_.cmdline;
  in.mtime = site.created();  // the bundle's time already honours SOURCE_DATE_EPOCH
  std::vector<uint8_t> disk = image::build_site_disk(in);
  std::string path =
      settings_.scratch_dir + "/ec2-image-" + record_tag(input.image_id, input.created) + ".img";
  hosted::write_file_atomic(path, disk.data(), disk.size());
  return path;
}

std::string Ec2Provider::create_image(const deploy::ImageInput& input) {
  image_flavour(settings_);  // says before anything is made when no flavour can serve
  const std::string record = record_tag(input.image_id, input.created);
  const Tags find = {{kTargetTag, input.target}, {kImageTag, record}};
  Tags tags = find;
  tags[kBundleTag] = input.bundle_id;
  tags["Name"] = "mayfly " + input.target + " " + input.bundle_id.substr(0, 12);

  // An image registered by an interrupted run of this step is this step's result.
  for (const Image& found : ec2_->describe_images(find)) {
    if (found.state == "available") return found.id;
  }
  std::string snapshot_id;
  for (const Snapshot& found : ec2_->describe_snapshots(find)) {
    if (found.state == "completed") snapshot_id = found.id;
  }
  delete_abandoned_snapshots(input.target, record);
  if (snapshot_id.empty()) {
    std::string disk = make_disk_image(input);
    SnapshotUpload upload;
    upload.image_path = disk;
    upload.description = "mayfly " + input.target + " bundle " + input.bundle_id;
    upload.tags = tags;
    upload.client_token = idempotency_token("snapshot", input.target, record);
    upload.workers = settings_.upload_workers;
    if (settings_.progress) {
      upload.progress = [this](uint64_t sent, uint64_t total) {
        settings_.progress("upload", sent, total);
      };
    }
    SnapshotResult result;
    try {
      result = upload_snapshot(settings_.aws, settings_.client, upload);
    } catch (...) {
      std::remove(disk.c_str());
      throw;
    }
    std::remove(disk.c_str());
    snapshot_id = result.snapshot_id;
    wait_for_snapshot(*ec2_, snapshot_id, std::chrono::seconds(1800),
                      [](std::chrono::milliseconds pause) { std::this_thread::sleep_for(pause); });
  }
  RegisterImageRequest request;
  request.name = "mayfly-" + input.target + "-" + input.bundle_id.substr(0, 12) + "-" + record;
  request.description = "mayfly " MAYFLY_VERSION " site " + input.target;
  request.snapshot_id = snapshot_id;
  request.tags = tags;
  std::string image_id = ec2_->register_image(request);
  // The snapshot remembers its image, so a prune interrupted between DeregisterImage and
  // DeleteSnapshot still finds it.
  ec2_->create_tags(snapshot_id, {{kAmiTag, image_id}});
  std::string state;
  bool available = poll_until(std::chrono::seconds(900), [&] {
    auto images = ec2_->describe_images({}, {image_id});
    state = images.empty() ? "missing" : images[0].state;
    if (state == "failed" || state == "invalid" || state == "deregistered") {
      throw deploy::ProviderError("image " + image_id + " became " + state);
    }
    return state == "available";
  });
  if (!available) throw deploy::ProviderError("image " + image_id + " is still " + state);
  return image_id;
}

void Ec2Provider::delete_abandoned_snapshots(const std::string& target, const std::string& record) {
  // A snapshot of this target that no image uses and that belongs to another image record
  // was left by an image step that will never resume (its record was dropped). The
  // target's lock guarantees that no other mayfly is uploading one right now.
  std::vector<std::string> in_use;
  for (const Image& image : ec2_->describe_images({{kTargetTag, target}})) {
    in_use.insert(in_use.end(), image.snapshot_ids.begin(), image.snapshot_ids.end());
  }
  for (const Snapshot& snapshot : ec2_->describe_snapshots({{kTargetTag, target}})) {
    auto tag = snapshot.tags.find(kImageTag);
    if (snapshot.tags.count(kAmiTag) || (tag != snapshot.tags.end() && tag->second == record) ||
        std::find(in_use.begin(), in_use.end(), snapshot.id) != in_use.end()) {
      continue;
    }
    ec2_->delete_snapshot(snapshot.id);
  }
}

void Ec2Provider::delete_image(const std::string& image_ref) {
  std::vector<std::string> snapshots;
  try {
    for (const Image& image : ec2_->describe_images({}, {image_ref})) {
      snapshots.insert(snapshots.end(), image.snapshot_ids.begin(), image.snapshot_ids.end());
    }
  } catch (const AwsError& error) {
    if (!is_not_found(error)) throw;
  }
  for (const Snapshot& snapshot : ec2_->describe_snapshots({{kAmiTag, image_ref}})) {
    if (std::find(snapshots.begin(), snapshots.end(), snapshot.id) == snapshots.end()) {
      snapshots.push_back(snapshot.id);
    }
  }
  // The image first: a snapshot an image uses cannot be deleted.
  ec2_->deregister_image(image_ref);
  for (const std::string& snapshot : snapshots) ec2_->delete_snapshot(snapshot);
}

deploy::ProviderInstance Ec2Provider::create_instance(const std::string& image_ref,
                                                      const deploy::InstanceSpec& spec) {
  RunInstancesRequest request;
  request.image_id = image_ref;
  request.instance_type = settings_.instance_type;
  request.subnet_id = settings_.subnet;
  request.security_group_id = settings_.security_group;
  request.client_token =
      idempotency_token("instance", spec.target, record_tag(spec.instance_id, spec.created));
  request.tags = {{kTargetTag, spec.target},
                  {kInstanceTag, std::to_string(spec.instance_id)},
                  {"Name", "mayfly " + spec.target}};
  Instance instance = ec2_->run_instance(request);
  const std::string id = instance.id;
  bool running = poll_until(settings_.run_timeout, [&] {
    auto found = ec2_->describe_instances({}, {id});
    if (found.empty()) return false;  // not yet visible (EC2 is eventually consistent)
    instance = found[0];
    if (instance.state == "shutting-down" || instance.state == "terminated" ||
        instance.state == "stopped") {
      throw deploy::ProviderError("instance " + id + " became " + instance.state + " before it ran",
                                  console(id, 4096));
    }
    return instance.state == "running";
  });
  if (!running) {
    throw deploy::ProviderError("instance " + id + " is still " + instance.state + " after " +
                                    std::to_string(settings_.run_timeout.count()) + " s",
                                console(id, 4096));
  }
  if (settings_.health_url.empty() && instance.public_ip.empty()) {
    throw deploy::ProviderError("instance " + id +
                                " has no public IPv4 address to check it through: use a "
                                "subnet that assigns one");
  }
  return {id, instance_url(instance)};
}

std::string Ec2Provider::instance_url(const Instance& instance) const {
  std::string url = settings_.health_url;
  if (url.empty() && !instance.public_ip.empty()) url = "http://" + instance.public_ip;
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

std::optional<deploy::Discovery> Ec2Provider::discover(const std::string& target) {
  deploy::Discovery found;
  for (const Image& image : ec2_->describe_images({{kTargetTag, target}})) {
    if (image.state != "available") continue;
    deploy::DiscoveredImage discovered;
    discovered.ref = image.id;
    if (auto tag = image.tags.find(kBundleTag); tag != image.tags.end()) {
      discovered.bundle_id = tag->second;
    }
    if (auto tag = image.tags.find(kImageTag); tag != image.tags.end()) {
      // "ID-CREATED" (record_tag)
      discovered.created =
          std::strtoll(tag->second.substr(tag->second.find('-') + 1).c_str(), nullptr, 10);
    }
    found.images.push_back(std::move(discovered));
  }
  for (const Instance& instance : ec2_->describe_instances({{kTargetTag, target}})) {
    if (is_live_state(instance.state)) {
      found.instances.push_back({instance.id, instance.image_id, instance_url(instance)});
    }
  }
  found.address_points_to = address_points_to({});
  return found;
}

void Ec2Provider::wait_booted(const deploy::ProviderInstance& instance,
                              std::chrono::seconds timeout) {
  HttpTimeouts timeouts;
  timeouts.connect = std::chrono::milliseconds(3000);
  timeouts.total = std::chrono::milliseconds(5000);
  HttpClient http(timeouts);
  std::string last;
  bool answered = poll_until(timeout, [&] {
    try {
      http.send({"GET", instance.url + "/", {}, {}});
      return true;  // any HTTP answer: the health check judges it
    } catch (const TransportError& error) {
      last = error.what();
    }
    if (!is_alive(instance.ref)) {
      throw deploy::ProviderError("instance " + instance.ref + " stopped while booting",
                                  console(instance.ref, 4096));
    }
    return false;
  });
  if (!answered) {
    throw deploy::ProviderError("instance " + instance.ref + " did not answer HTTP at " +
                                    instance.url + " within " + std::to_string(timeout.count()) +
                                    " s (" + last + ")",
                                console(instance.ref, 4096));
  }
}

void Ec2Provider::terminate(const std::string& instance_ref) {
  try {
    ec2_->terminate_instances({instance_ref});
  } catch (const AwsError& error) {
    if (!is_not_found(error)) throw;
  }
}

bool Ec2Provider::is_alive(const std::string& instance_ref) {
  try {
    auto found = ec2_->describe_instances({}, {instance_ref});
    return !found.empty() && is_live_state(found[0].state);
  } catch (const AwsError& error) {
    if (is_not_found(error)) return false;
    throw;
  }
}

std::vector<deploy::ListedInstance> Ec2Provider::list_instances(const std::string& target) {
  std::vector<deploy::ListedInstance> listed;
  for (const Instance& instance : ec2_->describe_instances({{kTargetTag, target}})) {
    if (!is_live_state(instance.state)) continue;
    int64_t record = 0;
    if (auto tag = instance.tags.find(kInstanceTag); tag != instance.tags.end()) {
      record = std::strtoll(tag->second.c_str(), nullptr, 10);
    }
    listed.push_back({instance.id, record});
  }
  return listed;
}

std::string Ec2Provider::console(const std::string& instance_ref, size_t max_bytes) {
  try {
    std::string text = ec2_->console_output(instance_ref);
    return text.size() > max_bytes ? text.substr(text.size() - max_bytes) : text;
  } catch (const std::exception&) {
    return {};  // the console is a courtesy in error messages; never a second failure
  }
}

void Ec2Provider::switch_address(const deploy::Target&, const deploy::ProviderInstance& to) {
  ec2_->associate_address(settings_.elastic_ip, to.ref);
  auto address = ec2_->describe_address(settings_.elastic_ip);
  if (!address || address->instance_id != to.ref) {
    throw deploy::ProviderError("Elastic IP " + settings_.elastic_ip + " does not point at " +
                                to.ref + " after AssociateAddress");
  }
  address_ip_ = address->public_ip;
}

std::string Ec2Provider::address_points_to(const deploy::Target&) {
  auto address = ec2_->describe_address(settings_.elastic_ip);
  return address ? address->instance_id : std::string();
}

int Ec2Provider::drain(const deploy::Target&, const std::string&, std::chrono::seconds) {
  // Moving an Elastic IP is atomic at AWS's edge and ends the flows that reached the old
  // instance through it; there is nothing left to wait for through the address.
  return 0;
}

void Ec2Provider::release_address(const deploy::Target& target) {
  auto address = ec2_->describe_address(settings_.elastic_ip);
  if (!address || address->association_id.empty()) return;
  // Only when it points at one of this target's instances: the address is the user's.
  for (const Instance& instance : ec2_->describe_instances({{kTargetTag, target.name}})) {
    if (instance.id == address->instance_id) {
      ec2_->disassociate_address(address->association_id);
      return;
    }
  }
}

std::string Ec2Provider::address_url(const deploy::Target&) {
  if (!settings_.health_url.empty()) {
    std::string url = settings_.health_url;
    while (!url.empty() && url.back() == '/') url.pop_back();
    return url;
  }
  if (address_ip_.empty()) {
    auto address = ec2_->describe_address(settings_.elastic_ip);
    if (address) address_ip_ = address->public_ip;
  }
  return address_ip_.empty() ? std::string() : "http://" + address_ip_;
}

std::string Ec2Provider::flavour_for_plan() const {
  try {
    return image_flavour(settings_);
  } catch (const deploy::ProviderError& error) {
    return std::string("none: ") + error.what();
  }
}

std::vector<std::string> Ec2Provider::planned_calls(const std::string& step) const {
  if (step == "image") {
    return {"EBS StartSnapshot (tags mayfly:target, mayfly:image; ClientToken)",
            "EBS PutSnapshotBlock for each non-zero 512 KiB block (" +
                std::to_string(settings_.upload_workers) + " at once)",
            "EBS CompleteSnapshot (LINEAR SHA-256 aggregate)",
            "EC2 DescribeSnapshots until completed",
            "EC2 RegisterImage (BootMode uefi, EnaSupport, gp3 root from the snapshot; kernel "
            "flavour " +
                flavour_for_plan() + ")",
            "EC2 CreateTags on the image and the snapshot"};
  }
  if (step == "instance") {
    return {"EC2 RunInstances (" + settings_.instance_type +
                (settings_.subnet.empty() ? "" : ", subnet " + settings_.subnet) +
                (settings_.security_group.empty() ? "" : ", group " + settings_.security_group) +
                ", no key pair, ClientToken)",
            "EC2 DescribeInstances until running"};
  }
  if (step == "switch") {
    return {"EC2 AssociateAddress (" + settings_.elastic_ip + ", AllowReassociation)",
            "EC2 DescribeAddresses"};
  }
  if (step == "terminate") return {"EC2 TerminateInstances"};
  if (step == "delete-image") return {"EC2 DeregisterImage", "EC2 DeleteSnapshot"};
  return {};
}

}  // namespace mayfly::aws
