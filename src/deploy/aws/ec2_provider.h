#pragma once
// The ec2 provider: the deploy ritual of the original post, spoken to AWS directly.
//   image:    disk image (raw, UEFI) -> EBS snapshot through EBS direct -> RegisterImage
//   instance: RunInstances (tagged with the target and the state's record id)
//   address:  the target's Elastic IP, moved with AssociateAddress
// Every resource carries the tags `mayfly:target` and `mayfly:image`/`mayfly:instance`, and
// every create call an idempotency token derived from the state's record id, so a step
// repeated after an interruption finds or makes the same resource, never a second one.
// Hosted code; AWS failures surface as AwsError with AWS's code and request id.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "deploy/aws/client.h"
#include "deploy/aws/ec2.h"
#include "deploy/provider.h"

namespace mayfly::aws {

struct Ec2ProviderSettings {
  Settings aws;          // credentials and region
  ClientOptions client;  // endpoint_url, retries, timeouts
  std::string instance_type = "t3.micro";
  std::string subnet;          // empty: the default VPC's default subnet
  std::string security_group;  // empty: the VPC's default group
  std::string elastic_ip;      // the allocation id (eipalloc-...) that is the stable address
  // A stand-in URL for the health checks, for emulators whose instances are not real
  // machines. Flagged in the output whenever it is used.
  std::string health_url;
  std::string kernel_path, loader_path;  // mayfly-kernel, mayfly-uefi.efi
  // The image's kernel flavour: "auto" (by instance type: Nitro types network only through
  // ENA, so they get "linux"), "mayfly" (the unikernel), or "linux" (Debian's kernel with
  // mayfly-init, docs/image.md).
  std::string flavour = "auto";
  std::string init_path;  // mayfly-init; "" = beside this binary
  std::string linux_dir;  // the unpacked Debian kernel; "" = image::find_linux_dir's default
  std::string cmdline = "ip=dhcp";
  std::string scratch_dir;  // the disk image is written here before the upload
  int upload_workers = 16;
  std::chrono::milliseconds poll_first{250}, poll_max{5000};
  std::chrono::seconds run_timeout{300};  // pending -> running
  // Long work (the snapshot upload): what, done, total. Called from one thread at a time.
  std::function<void(const std::string&, uint64_t, uint64_t)> progress;
};

// The instance families built on the Nitro system: they network only through ENA. Used to
// tell people which kernel flavour an instance type needs.
bool is_nitro_instance_type(const std::string& instance_type);

// The flavour an image for `settings` gets, or throws ProviderError saying why none can
// serve there (a Xen type cannot boot UEFI; no EC2 type offers virtio-net for the
// unikernel, unless health checks go to a stand-in).
std::string image_flavour(const Ec2ProviderSettings& settings);

class Ec2Provider : public deploy::Provider {
 public:
  explicit Ec2Provider(Ec2ProviderSettings settings);
  ~Ec2Provider() override;

  std::string name() const override { return "ec2"; }
  std::string create_image(const deploy::ImageInput& input) override;
  void delete_image(const std::string& image_ref) override;
  deploy::ProviderInstance create_instance(const std::string& image_ref,
                                           const deploy::InstanceSpec& spec) override;
  void wait_booted(const deploy::ProviderInstance& instance, std::chrono::seconds timeout) override;
  void terminate(const std::string& instance_ref) override;
  bool is_alive(const std::string& instance_ref) override;
  std::vector<deploy::ListedInstance> list_instances(const std::string& target) override;
  std::string console(const std::string& instance_ref, size_t max_bytes) override;
  void switch_address(const deploy::Target& target, const deploy::ProviderInstance& to) override;
  std::string address_points_to(const deploy::Target& target) override;
  int drain(const deploy::Target& target, const std::string& instance_ref,
            std::chrono::seconds timeout) override;
  void release_address(const deploy::Target& target) override;
  std::string address_url(const deploy::Target& target) override;
  std::optional<deploy::Discovery> discover(const std::string& target) override;
  std::vector<std::string> planned_calls(const std::string& step) const override;

 private:
  // Polls with growing pauses (poll_first doubling to poll_max) until `done` or timeout.
  bool poll_until(std::chrono::seconds timeout, const std::function<bool()>& done);
  std::string make_disk_image(const deploy::ImageInput& input);
  void delete_abandoned_snapshots(const std::string& target, const std::string& record);
  std::string instance_url(const Instance& instance) const;
  std::string flavour_for_plan() const;
  std::string idempotency_token(const std::string& kind, const std::string& target,
                                const std::string& record) const;

  Ec2ProviderSettings settings_;
  std::unique_ptr<AwsClient> ec2_client_;
  std::unique_ptr<Ec2> ec2_;
  std::string address_ip_;  // the Elastic IP's public address, once looked up
};

}  // namespace mayfly::aws
