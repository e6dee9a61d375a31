#pragma once
// The blue/green deploy engine, the same for every provider:
//   image -> instance -> boot -> health -> switch -> drain -> terminate old -> prune
// Each step is journaled in the state store before it runs. Before the switch a failure
// undoes the new instance and leaves the old one serving; after the switch the deploy
// always finishes. A command interrupted anywhere (kill -9) is finished or undone by the
// next `deploy`, `status` or `rollback` (recover()). Hosted code.
#include <chrono>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "deploy/provider.h"
#include "deploy/state_store.h"

namespace mayfly::deploy {

// Told about each step, for the CLI's step list, progress and --json.
class Reporter {
 public:
  virtual ~Reporter() = default;
  virtual void step_started(const std::string& step) = 0;
  virtual void step_finished(const std::string& step, std::chrono::milliseconds took,
                             const std::string& detail) = 0;
  virtual void note(const std::string& text) = 0;
  // How far the running step's long work is (a provider's upload, say).
  virtual void progress(const std::string& what, uint64_t done, uint64_t total) {
    (void)what, (void)done, (void)total;
  }
};

class DeployFailed : public std::runtime_error {
 public:
  DeployFailed(const std::string& what, std::string console)
      : std::runtime_error(what), console_(std::move(console)) {}
  const std::string& console() const { return console_; }

 private:
  std::string console_;
};

struct DeployTimeouts {
  std::chrono::seconds boot{180};
  std::chrono::seconds health{60};  // retrying the health check until this passes
  std::chrono::seconds drain{30};
};

struct DeployOutcome {
  int64_t deployment_id = 0;
  int64_t instance_id = 0;
  int64_t image_id = 0;
  bool unchanged = false;  // the address already served this bundle
  std::chrono::milliseconds to_switch{0};
};

// One step `deploy --plan` would take, and the provider calls it would make.
struct PlannedStep {
  std::string step;
  std::string what;
  std::vector<std::string> calls;
};

class Deployer {
 public:
  // `bundle_cache` is a folder where the engine keeps a copy of each image's bundle (for
  // health checks after a rollback, whatever the provider keeps).
  Deployer(StateStore& store, Provider& provider, Target target, Reporter& reporter,
           std::string bundle_cache, DeployTimeouts timeouts = {});

  // Deploys `bundle_path` (a sealed bundle file). Throws DeployFailed on failure, with
  // the old instance still serving and nothing of the new one left over.
  DeployOutcome deploy(const std::string& bundle_path, bool force = false);
  // What deploy(bundle_path) would do now, from the state alone: nothing is created,
  // changed or deleted, and the provider is not called.
  std::vector<PlannedStep> plan(const std::string& bundle_path);
  // Back to the image that served before the current one (booting it again).
  DeployOutcome rollback();
  // Finishes or undoes an interrupted deployment and removes what the state does not
  // know. Returns a sentence for the user when it had something to do.
  std::string recover();
  // Rebuilds the state of the target from what the provider finds by its tags (a lost or
  // stale state file), then recovers. Returns what it changed, one line each.
  std::vector<std::string> refresh();
  // Removes images beyond `keep` (never the serving one) and instances that do not serve.
  void gc();
  // Terminates every instance, deletes every image, releases the address, forgets the target.
  void destroy();

 private:
  struct SiteBundle;  // a mapped, checked bundle file (deployer.cc)
  DeployOutcome roll_out(int64_t image_id, const std::string& kind, const SiteBundle& site);
  void run_step(int64_t deployment, const std::string& step,
                const std::function<std::string()>& body);
  // Retries the health check at `url` until it passes (returns what was checked) or the
  // health timeout passes or the instance dies (throws ProviderError with its console).
  std::string require_healthy(const std::string& url, const SiteBundle& site,
                              const std::string& instance_ref, const std::string& what);
  void terminate_instance(InstanceRecord& instance);
  void reconcile();

  StateStore& store_;
  Provider& provider_;
  Target target_;
  Reporter& reporter_;
  std::string bundle_cache_;
  DeployTimeouts timeouts_;
  bool holding_lock_ = false;  // this process holds the target's lock (see TargetLock)
};

}  // namespace mayfly::deploy
