#pragma once
// The local provider: instances are QEMU VMs on this machine (vm.h), images are folders
// holding a kernel and a bundle, and the stable address is a detached forwarder
// (forwarder.h) switched with a signal. Everything lives under one state folder:
//   images/REF/{kernel,bundle.mfb}   instances/REF/{meta,pid,console.log}
//   address-TARGET/                  the forwarder's control folder
//   logs/REF.log                     consoles of terminated instances
#include <string>

#include "deploy/provider.h"

namespace mayfly::deploy::local {

struct LocalSettings {
  std::string state_dir;
  std::string kernel_path;  // mayfly's unikernel (PVH ELF)
  std::string mayfly_exe;   // runs `__forwarder`
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

 private:
  std::string instance_dir(const std::string& ref) const;
  std::string control_dir(const Target& target) const;
  int forwarder_pid(const Target& target) const;
  int start_forwarder(const Target& target);

  LocalSettings settings_;
};

}  // namespace mayfly::deploy::local
