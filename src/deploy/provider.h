#pragma once
// A provider runs instances of site images somewhere and points a stable address at one
// of them. The deploy engine (deployer.h) drives any provider the same way and never knows
// which one it drives; `local` (QEMU on this machine) and `ec2` implement it.
// Every call is idempotent where it can be (terminating a terminated instance, deleting a
// deleted image succeed), so the engine can repeat a step after an interruption.
#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "deploy/model.h"

namespace mayfly::deploy {

struct ImageInput {
  std::string bundle_path;  // the sealed site bundle (.mfb)
  std::string bundle_id;    // its content id (32 hex digits)
  std::string target;
  int64_t image_id = 0;  // the state's record id; providers tag images with it
  int64_t created = 0;   // the record's creation time: with the id, unique across states
};

struct InstanceSpec {
  std::string target;
  int64_t instance_id = 0;  // the state's record id; providers tag instances with it
  uint64_t memory_mib = 64;
  int64_t created = 0;  // the record's creation time
};

struct ProviderInstance {
  std::string ref;
  std::string url;  // where the health check reaches this instance directly
};

// A live instance the provider found, with the record id it was tagged with.
struct ListedInstance {
  std::string ref;
  int64_t instance_id = 0;
};

// What a provider finds of a target by itself (its tags), to rebuild a lost state.
struct DiscoveredImage {
  std::string ref, bundle_id;
  int64_t created = 0;
};
struct DiscoveredInstance {
  std::string ref, image_ref, url;
};
struct Discovery {
  std::vector<DiscoveredImage> images;        // usable ones
  std::vector<DiscoveredInstance> instances;  // live ones
  std::string address_points_to;              // an instance ref, or ""
};

// Thrown by providers; `console` holds the tail of the instance's console when one exists.
class ProviderError : public std::runtime_error {
 public:
  explicit ProviderError(const std::string& what, std::string console = {})
      : std::runtime_error(what), console_(std::move(console)) {}
  const std::string& console() const { return console_; }

 private:
  std::string console_;
};

class Provider {
 public:
  virtual ~Provider() = default;
  virtual std::string name() const = 0;

  virtual std::string create_image(const ImageInput& input) = 0;  // returns its ref
  virtual void delete_image(const std::string& image_ref) = 0;

  virtual ProviderInstance create_instance(const std::string& image_ref,
                                           const InstanceSpec& spec) = 0;
  // Returns once the instance answers HTTP at its url; throws ProviderError (with the
  // console's tail) when it dies or the timeout passes.
  virtual void wait_booted(const ProviderInstance& instance, std::chrono::seconds timeout) = 0;
  virtual void terminate(const std::string& instance_ref) = 0;
  virtual bool is_alive(const std::string& instance_ref) = 0;
  virtual std::vector<ListedInstance> list_instances(const std::string& target) = 0;
  virtual std::string console(const std::string& instance_ref, size_t max_bytes) = 0;

  // The stable address: new connections go to `to` from now on; established ones stay.
  virtual void switch_address(const Target& target, const ProviderInstance& to) = 0;
  // Which instance the address points at now ("" when none), for recovery.
  virtual std::string address_points_to(const Target& target) = 0;
  // Waits until no connection through the address reaches `instance_ref` any more, or the
  // timeout passes. Returns the connections still open when it gave up.
  virtual int drain(const Target& target, const std::string& instance_ref,
                    std::chrono::seconds timeout) = 0;
  virtual void release_address(const Target& target) = 0;

  // Everything of `target` the provider can find without the state; nullopt when it
  // cannot (the local provider keeps nothing outside the state).
  virtual std::optional<Discovery> discover(const std::string& target) {
    (void)target;
    return std::nullopt;
  }
  // Where a health check reaches the site through the stable address once it is switched
  // ("" when the engine need not check it again there).
  virtual std::string address_url(const Target&) { return ""; }
  // For `deploy --plan`: the provider calls one engine step makes ("image", "instance",
  // "switch", "terminate", "delete-image"), made by nobody.
  virtual std::vector<std::string> planned_calls(const std::string& step) const {
    (void)step;
    return {};
  }
};

}  // namespace mayfly::deploy
