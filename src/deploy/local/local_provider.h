#pragma once
// The local provider: instances are QEMU VMs on this machine (vm.h), images are folders
// holding a kernel and a bundle. The stable address is, per target (network_mode.h):
//   nat        as root: VMs on TAPs on a bridge of mayfly's own, the address a DNAT rule
//              in an nftables table of mayfly's own, swapped atomically (nat_address.h)
//   forwarder  anyone: VMs with QEMU user networking, the address a detached forwarder
//              (forwarder.h) switched with a signal
// Everything lives under one state folder:
//   images/REF/{kernel,bundle.mfb}   instances/REF/{meta,pid,console.log,port|address}
//   network-TARGET                   the mode chosen for the target (and its network)
//   address-TARGET/                  the forwarder's control folder
//   logs/REF.log                     consoles of terminated instances
#include <string>

#include "deploy/local/network_mode.h"
#include "deploy/provider.h"

namespace mayfly::deploy::local {

struct LocalSettings {
  std::string state_dir;
  std::string kernel_path;  // mayfly's unikernel (PVH ELF)
  std::string mayfly_exe;   // runs `__forwarder`
  // The target's setting: auto, nat or forwarder (network_mode.h), and its stable address,
  // which decide the mode the first time the target runs an instance.
  std::string network = "auto";
  std::string address;
};

class LocalProvider : public Provider {
 public:
  explicit LocalProvider(LocalSettings settings);

  std::string name() const override { return "local"; }
  std::string create_image(const ImageInput& input) override;
  void delete_image(const std::string& image_ref) override;
  ProviderInstance create_instance(const std::string& image_ref, const InstanceSpec& spec) override;
  void wait_booted(const ProviderInstance& instance, std::chrono::seconds timeout) override;
  void terminate(const std::string& instance_ref) override;
  bool is_alive(const std::string& instance_ref) override;
  std::vector<ListedInstance> list_instances(const std::string& target) override;
  std::string console(const std::string& instance_ref, size_t max_bytes) override;
  void switch_address(const Target& target, const ProviderInstance& to) override;
  std::string address_points_to(const Target& target) override;
  int drain(const Target& target, const std::string& instance_ref,
            std::chrono::seconds timeout) override;
  void release_address(const Target& target) override;

  // The mode the target runs in ("forwarder" when nothing was chosen yet), for status.
  std::string network_mode(const std::string& target) const;

 private:
  std::string network_record_path(const std::string& target) const;
  NetworkRecord network_of(const std::string& target) const;
  NetworkRecord settle_network(const std::string& target);
  ProviderInstance create_nat_instance(const BridgeNetwork& network, const std::string& ref,
                                       const std::string& image_dir, const InstanceSpec& spec);
  int free_host_number(const std::string& target) const;
  std::string instance_dir(const std::string& ref) const;
  std::string control_dir(const Target& target) const;
  int forwarder_pid(const Target& target) const;
  int start_forwarder(const Target& target);

  LocalSettings settings_;
};

}  // namespace mayfly::deploy::local
