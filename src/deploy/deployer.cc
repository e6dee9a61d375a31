#include "deploy/deployer.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "bundle/reader.h"
#include "deploy/health_check.h"
#include "hosted/mapped_file.h"

namespace mayfly::deploy {
namespace fs = std::filesystem;
namespace {

int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

// A bundle file, mapped, opened and checked once.
struct Deployer::SiteBundle {
  std::string path;
  hosted::MappedFile mapped;
  bundle::Bundle bundle;
  explicit SiteBundle(const std::string& file)
      : path(file), mapped(hosted::MappedFile::open(file)) {
    bundle::Error error = bundle.open(mapped.data(), mapped.size());
    if (error != bundle::Error::None) {
      throw std::runtime_error(file + ": not a usable bundle: " + bundle::describe(error));
    }
  }
  std::string id() const {
    char hex[33];
    bundle.id_hex(hex);
    return hex;
  }
};

namespace {

bool journal_has(const std::vector<JournalEntry>& journal, const std::string& step,
                 const std::string& phase) {
  return std::any_of(journal.begin(), journal.end(), [&](const JournalEntry& entry) {
    return entry.step == step && entry.phase == phase;
  });
}

// Another live mayfly process holds the target.
class TargetBusy : public DeployFailed {
 public:
  explicit TargetBusy(const std::string& target)
      : DeployFailed("another mayfly command is changing target '" + target +
                         "' right now; try again when it has finished",
                     "") {}
};

// Holds the target's lock for one command. Re-entrant within the process: `held` is the
// Deployer's flag, so a step that locks inside a locked command neither waits nor unlocks.
class TargetLock {
 public:
  TargetLock(StateStore& store, const std::string& target, bool& held)
      : store_(store), target_(target), held_(held) {
    if (held_) return;
    if (!store_.try_lock(target_, ::getpid())) throw TargetBusy(target_);
    held_ = acquired_ = true;
  }
  ~TargetLock() {
    if (!acquired_) return;
    held_ = false;
    try {
      store_.unlock(target_, ::getpid());
    } catch (...) {
    }
  }

 private:
  StateStore& store_;
  std::string target_;
  bool& held_;
  bool acquired_ = false;
};

}  // namespace

Deployer::Deployer(StateStore& store, Provider& provider, Target target, Reporter& reporter,
                   std::string bundle_cache, DeployTimeouts timeouts)
    : store_(store),
      provider_(provider),
      target_(std::move(target)),
      reporter_(reporter),
      bundle_cache_(std::move(bundle_cache)),
      timeouts_(timeouts) {}

void Deployer::run_step(int64_t deployment, const std::string& step,
                        const std::function<std::string()>& body) {
  store_.journal(deployment, step, "begin");
  reporter_.step_started(step);
  auto started = std::chrono::steady_clock::now();
  std::string detail;
  try {
    detail = body();
  } catch (const std::exception& error) {
    store_.journal(deployment, step, "fail", error.what());
    throw;
  }
  store_.journal(deployment, step, "end", detail);
  reporter_.step_finished(step,
                          std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::steady_clock::now() - started),
                          detail);
}

std::string Deployer::require_healthy(const std::string& url, const SiteBundle& site,
                                      const std::string& instance_ref, const std::string& what) {
  auto probes = health_probes(site.bundle);
  auto deadline = std::chrono::steady_clock::now() + timeouts_.health;
  for (;;) {
    HealthReport report = check_health(url, probes);
    if (report.healthy) {
      return std::to_string(report.checked) + " paths answered with the bundle's ETags";
    }
    if (std::chrono::steady_clock::now() >= deadline || !provider_.is_alive(instance_ref)) {
      std::string problems;
      for (size_t i = 0; i < report.problems.size() && i < 5; ++i) {
        problems += "\n  " + report.problems[i];
      }
      throw ProviderError(what + " does not serve the new content:" + problems,
                          provider_.console(instance_ref, 4096));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

void Deployer::terminate_instance(InstanceRecord& instance) {
  if (!instance.provider_ref.empty()) provider_.terminate(instance.provider_ref);
  instance.state = "terminated";
  store_.update_instance(instance);
}

DeployOutcome Deployer::deploy(const std::string& bundle_path, bool force) {
  TargetLock lock(store_, target_.name, holding_lock_);
  store_.save_target(target_);
  if (std::string done = recover(); !done.empty()) reporter_.note(done);

  SiteBundle site(bundle_path);
  const std::string bundle_id = site.id();
  auto serving = store_.serving_instance(target_.name);
  if (serving && !force && provider_.is_alive(serving->provider_ref)) {
    auto image = store_.image(serving->image_id);
    if (image && image->bundle_id == bundle_id) {
      DeployOutcome outcome;
      outcome.unchanged = true;
      outcome.instance_id = serving->id;
      outcome.image_id = image->id;
      reporter_.note("the address already serves bundle " + bundle_id.substr(0, 12) +
                     "; nothing to do (--force deploys it again)");
      return outcome;
    }
  }

  // Keep the bundle beside the state so health checks can run after a rollback.
  fs::create_directories(bundle_cache_);
  const std::string cached = bundle_cache_ + "/" + bundle_id + ".mfb";
  if (!fs::exists(cached)) {
    fs::copy_file(bundle_path, cached + ".tmp", fs::copy_options::overwrite_existing);
    fs::rename(cached + ".tmp", cached);
  }

  // An image of the same bundle that is still kept is used again; one an interrupted
  // deploy was making is finished (providers find their half-made resources by its record).
  int64_t image_id = 0;
  for (const auto& image : store_.images(target_.name)) {
    if (image.bundle_id == bundle_id && (image.state == "ready" || image.state == "creating")) {
      image_id = image.id;
      break;
    }
  }
  if (image_id == 0) {
    ImageRecord image{0, target_.name, "", bundle_id, now_seconds(), "creating"};
    image.id = store_.add_image(image);
    image_id = image.id;
  }
  return roll_out(image_id, "deploy", site);
}

std::vector<PlannedStep> Deployer::plan(const std::string& bundle_path) {
  SiteBundle site(bundle_path);
  const std::string bundle_id = site.id();
  std::vector<PlannedStep> steps;
  if (auto unfinished = store_.unfinished_deployment(target_.name)) {
    steps.push_back({"recover",
                     "finish or undo the interrupted deployment " + std::to_string(unfinished->id),
                     {}});
  }
  auto serving = store_.serving_instance(target_.name);
  auto images = store_.images(target_.name);
  const ImageRecord* reused = nullptr;
  for (const auto& image : images) {
    if (image.bundle_id == bundle_id && image.state == "ready") {
      reused = &image;
      break;
    }
  }
  if (serving && reused && serving->image_id == reused->id) {
    steps.push_back({"none",
                     "the address already serves bundle " + bundle_id.substr(0, 12) +
                         "; nothing to do (--force deploys it again)",
                     {}});
    return steps;
  }
  if (reused) {
    steps.push_back(
        {"image",
         "use the kept image " + reused->provider_ref + " of bundle " + bundle_id.substr(0, 12),
         {}});
  } else {
    steps.push_back({"image",
                     "create an image of bundle " + bundle_id.substr(0, 12) + " (" +
                         std::to_string(site.mapped.size()) + " bytes)",
                     provider_.planned_calls("image")});
  }
  steps.push_back({"instance",
                   "start a new instance of it (" + std::to_string(target_.memory_mib) + " MiB)",
                   provider_.planned_calls("instance")});
  steps.push_back({"health",
                   "check " + std::to_string(health_probes(site.bundle).size()) +
                       " paths on the new instance against the bundle's ETags",
                   {}});
  steps.push_back({"switch", "point " + target_.address + " at the new instance",
                   provider_.planned_calls("switch")});
  if (serving) {
    steps.push_back({"terminate", "drain and terminate " + serving->provider_ref + " (serving now)",
                     provider_.planned_calls("terminate")});
  }
  // What the prune after the switch would delete: the rule of gc() with the new image
  // serving.
  int kept = 1;
  for (const auto& image : images) {
    if (image.state == "deleted" || (reused && image.id == reused->id)) continue;
    if (image.state == "ready" && kept < target_.keep) {
      ++kept;
      continue;
    }
    steps.push_back({"prune",
                     "delete image " +
                         (image.provider_ref.empty() ? "(never made)" : image.provider_ref) +
                         " of bundle " + image.bundle_id.substr(0, 12) + " (" + image.state +
                         ", beyond keep " + std::to_string(target_.keep) + ")",
                     image.provider_ref.empty() ? std::vector<std::string>{}
                                                : provider_.planned_calls("delete-image")});
  }
  return steps;
}

DeployOutcome Deployer::rollback() {
  TargetLock lock(store_, target_.name, holding_lock_);
  if (std::string done = recover(); !done.empty()) reporter_.note(done);
  auto serving = store_.serving_instance(target_.name);
  if (!serving) throw DeployFailed("target '" + target_.name + "' serves nothing to roll back", "");
  // The newest image older than the serving one that is still kept.
  for (const auto& image : store_.images(target_.name)) {
    if (image.id < serving->image_id && image.state == "ready") {
      return roll_out(image.id, "rollback",
                      SiteBundle(bundle_cache_ + "/" + image.bundle_id + ".mfb"));
    }
  }
  throw DeployFailed(
      "no earlier image is kept for target '" + target_.name + "' (raise --keep to keep more)", "");
}

DeployOutcome Deployer::roll_out(int64_t image_id, const std::string& kind,
                                 const SiteBundle& site) {
  DeployOutcome outcome;
  outcome.image_id = image_id;
  auto started = std::chrono::steady_clock::now();
  auto old = store_.serving_instance(target_.name);

  Deployment deployment;
  deployment.target = target_.name;
  deployment.image_id = image_id;
  deployment.old_instance_id = old ? old->id : 0;
  deployment.kind = kind;
  deployment.state = "running";
  deployment.started = now_seconds();
  deployment.id = store_.add_deployment(deployment);
  outcome.deployment_id = deployment.id;

  ImageRecord image = *store_.image(image_id);
  const bool new_image = image.state != "ready";
  InstanceRecord instance;
  ProviderInstance live;
  // Undoes the new instance (the old one serves, or got the address back) and fails.
  auto fail_undone = [&](const std::exception& error, const std::string& undone) {
    std::string console;
    if (auto* provider_error = dynamic_cast<const ProviderError*>(&error)) {
      console = provider_error->console();
    }
    if (console.empty() && !instance.provider_ref.empty()) {
      console = provider_.console(instance.provider_ref, 4096);
    }
    if (instance.id != 0) terminate_instance(instance);
    if (new_image) {
      // An image that never served is not worth a retention slot; the next gc removes it.
      image.state = "failed";
      store_.update_image(image);
    }
    deployment.state = "failed";
    deployment.error = error.what();
    deployment.finished = now_seconds();
    store_.update_deployment(deployment);
    store_.journal(deployment.id, "undo", "end", undone);
    throw DeployFailed(error.what(), console);
  };
  // Before the switch: the old instance never stopped serving.
  auto fail_before_switch = [&](const std::exception& error) {
    fail_undone(error, "new instance terminated");
  };
  try {
    if (image.state != "ready") {
      run_step(deployment.id, "image", [&] {
        image.provider_ref = provider_.create_image(
            {site.path, image.bundle_id, target_.name, image.id, image.created});
        image.state = "ready";
        store_.update_image(image);
        return image.provider_ref;
      });
    }
    run_step(deployment.id, "instance", [&] {
      instance = {0, target_.name, image_id, deployment.id, "", "", "creating", now_seconds()};
      instance.id = store_.add_instance(instance);
      deployment.new_instance_id = instance.id;
      store_.update_deployment(deployment);
      live = provider_.create_instance(
          image.provider_ref, {target_.name, instance.id, target_.memory_mib, instance.created});
      instance.provider_ref = live.ref;
      instance.url = live.url;
      instance.state = "booting";
      store_.update_instance(instance);
      return live.ref;
    });
    run_step(deployment.id, "boot", [&] {
      provider_.wait_booted(live, timeouts_.boot);
      return live.url;
    });
    run_step(deployment.id, "health", [&] {
      std::string checked = require_healthy(live.url, site, live.ref, "the new instance");
      instance.state = "healthy";
      store_.update_instance(instance);
      return checked;
    });
  } catch (const std::exception& error) {
    fail_before_switch(error);
  }

  // The point of no return: from here on the deploy finishes, now or in recover().
  auto mark_switched = [&] {
    instance.state = "serving";
    store_.update_instance(instance);
    if (old) {
      old->state = "draining";
      store_.update_instance(*old);
    }
  };
  try {
    run_step(deployment.id, "switch", [&] {
      provider_.switch_address(target_, live);
      mark_switched();
      return target_.address + " -> " + live.ref;
    });
  } catch (const std::exception& error) {
    // The switch itself failed (refused, or no answer): if the address did not move, this
    // is still a failure before the switch; if it moved, the deploy goes on.
    bool moved = false;
    try {
      moved = provider_.address_points_to(target_) == live.ref;
    } catch (const std::exception&) {
    }
    if (!moved) fail_before_switch(error);
    mark_switched();
    store_.journal(deployment.id, "switch", "end",
                   "the address moved despite: " + std::string(error.what()));
  }
  outcome.to_switch = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  if (std::string through = provider_.address_url(target_); !through.empty()) {
    try {
      run_step(deployment.id, "verify",
               [&] { return require_healthy(through, site, live.ref, "the stable address"); });
    } catch (const std::exception& error) {
      // The address must never stay on an instance that does not serve the site through
      // it: back to the old instance (or to nothing on a first deploy), new one gone.
      const bool back = old && provider_.is_alive(old->provider_ref);
      if (back) {
        provider_.switch_address(target_, {old->provider_ref, old->url});
        old->state = "serving";
        store_.update_instance(*old);
      } else {
        provider_.release_address(target_);
      }
      fail_undone(error, back ? "address switched back to the old instance; new one terminated"
                              : "address released; new instance terminated");
    }
  }
  if (old) {
    run_step(deployment.id, "drain", [&] {
      int left = provider_.drain(target_, old->provider_ref, timeouts_.drain);
      return left == 0 ? std::string("no connections left")
                       : std::to_string(left) + " connections still open after " +
                             std::to_string(timeouts_.drain.count()) + " s";
    });
    run_step(deployment.id, "terminate", [&] {
      terminate_instance(*old);
      return old->provider_ref;
    });
  }
  run_step(deployment.id, "prune", [&] {
    gc();
    return std::string("keeping ") + std::to_string(target_.keep) + " images";
  });
  deployment.state = "done";
  deployment.finished = now_seconds();
  store_.update_deployment(deployment);
  outcome.instance_id = instance.id;
  return outcome;
}

std::string Deployer::recover() {
  // A deployment another live process is running is not interrupted: leave it alone.
  std::optional<TargetLock> lock;
  try {
    lock.emplace(store_, target_.name, holding_lock_);
  } catch (const TargetBusy&) {
    return "another mayfly command is deploying target '" + target_.name +
           "' right now; its deployment is shown as it stands";
  }
  std::string said;
  if (auto deployment = store_.unfinished_deployment(target_.name)) {
    auto journal = store_.journal_of(deployment->id);
    auto fresh =
        deployment->new_instance_id ? store_.instance(deployment->new_instance_id) : std::nullopt;
    bool switched = journal_has(journal, "switch", "end");
    if (!switched && journal_has(journal, "switch", "begin") && fresh) {
      // Interrupted inside the switch: the provider knows where the address points.
      switched = !fresh->provider_ref.empty() &&
                 provider_.address_points_to(target_) == fresh->provider_ref;
    }
    if (switched && fresh) {
      fresh->state = "serving";
      store_.update_instance(*fresh);
      if (auto old = deployment->old_instance_id ? store_.instance(deployment->old_instance_id)
                                                 : std::nullopt;
          old && old->state != "terminated") {
        provider_.drain(target_, old->provider_ref, timeouts_.drain);
        terminate_instance(*old);
      }
      deployment->state = "done";
      said = "finished deployment " + std::to_string(deployment->id) +
             ", which was interrupted after the switch";
    } else {
      if (fresh && fresh->state != "terminated") terminate_instance(*fresh);
      if (auto old = deployment->old_instance_id ? store_.instance(deployment->old_instance_id)
                                                 : std::nullopt;
          old && old->state == "draining") {
        // Interrupted inside the switch before it took: the old one still serves.
        provider_.switch_address(target_, {old->provider_ref, old->url});
        old->state = "serving";
        store_.update_instance(*old);
      }
      deployment->state = "undone";
      deployment->error = "interrupted before the switch; undone";
      said = "undid deployment " + std::to_string(deployment->id) +
             ", which was interrupted before the switch";
    }
    deployment->finished = now_seconds();
    store_.update_deployment(*deployment);
    store_.journal(deployment->id, "recover", "end", said);
  }
  reconcile();
  return said;
}

void Deployer::reconcile() {
  // Instances the provider runs for this target that the state does not count as live
  // (created just before an interruption recorded them, or left by a crash): terminate.
  std::set<std::string> known;
  for (auto& instance : store_.instances(target_.name)) {
    if (instance.state == "terminated") continue;
    if (instance.provider_ref.empty()) {
      // Created, but the interruption came before its ref was recorded.
      instance.state = "terminated";
      store_.update_instance(instance);
      continue;
    }
    if (!provider_.is_alive(instance.provider_ref)) {
      if (instance.state != "serving") {
        instance.state = "terminated";
        store_.update_instance(instance);
      }
      continue;
    }
    known.insert(instance.provider_ref);
  }
  for (const auto& listed : provider_.list_instances(target_.name)) {
    if (!known.count(listed.ref)) provider_.terminate(listed.ref);
  }
}

std::vector<std::string> Deployer::refresh() {
  TargetLock lock(store_, target_.name, holding_lock_);
  std::vector<std::string> changed;
  auto found = provider_.discover(target_.name);
  if (!found) {
    throw DeployFailed(
        "the " + provider_.name() + " provider keeps nothing outside the state to refresh it from",
        "");
  }
  store_.save_target(target_);
  std::map<std::string, int64_t> image_of_ref;
  for (const auto& image : store_.images(target_.name)) {
    if (image.state != "deleted" && !image.provider_ref.empty()) {
      image_of_ref[image.provider_ref] = image.id;
    }
  }
  for (auto image : store_.images(target_.name)) {
    bool exists =
        std::any_of(found->images.begin(), found->images.end(),
                    [&](const DiscoveredImage& d) { return d.ref == image.provider_ref; });
    if (image.state == "ready" && !exists) {
      image.state = "deleted";
      store_.update_image(image);
      image_of_ref.erase(image.provider_ref);
      changed.push_back("image " + image.provider_ref + " is gone");
    }
  }
  // Oldest first, so that record ids keep the images' order (rollback goes by it).
  auto discovered = found->images;
  std::sort(
      discovered.begin(), discovered.end(),
      [](const DiscoveredImage& a, const DiscoveredImage& b) { return a.created < b.created; });
  for (const auto& image : discovered) {
    if (image_of_ref.count(image.ref)) continue;
    ImageRecord record{0, target_.name, image.ref, image.bundle_id, image.created, "ready"};
    image_of_ref[image.ref] = store_.add_image(record);
    changed.push_back("image " + image.ref + " (bundle " + image.bundle_id.substr(0, 12) +
                      ") found");
  }
  // The instance the address points at serves, whatever the state said.
  std::set<std::string> known;
  for (auto& instance : store_.instances(target_.name)) {
    if (instance.state == "terminated") continue;
    known.insert(instance.provider_ref);
    if (instance.state == "serving" && found->address_points_to.empty() &&
        provider_.is_alive(instance.provider_ref)) {
      // The address was taken off it (by hand?): point it back.
      provider_.switch_address(target_, {instance.provider_ref, instance.url});
      changed.push_back("address pointed at " + instance.provider_ref + " again");
    } else if (instance.state == "serving" && instance.provider_ref != found->address_points_to) {
      terminate_instance(instance);  // another instance has the address
      changed.push_back("instance " + instance.provider_ref + " no longer served; terminated");
    } else if (instance.state != "serving" && instance.provider_ref == found->address_points_to) {
      instance.state = "serving";
      store_.update_instance(instance);
      changed.push_back("instance " + instance.provider_ref + " serves");
    }
  }
  for (const auto& instance : found->instances) {
    if (known.count(instance.ref) || instance.ref != found->address_points_to) continue;
    auto image = image_of_ref.find(instance.image_ref);
    InstanceRecord record{0,         target_.name, image == image_of_ref.end() ? 0 : image->second,
                          0,         instance.ref, instance.url,
                          "serving", now_seconds()};
    store_.add_instance(record);
    changed.push_back("instance " + instance.ref + " found serving");
  }
  if (std::string done = recover(); !done.empty()) changed.push_back(done);
  return changed;
}

void Deployer::gc() {
  TargetLock lock(store_, target_.name, holding_lock_);
  auto serving = store_.serving_instance(target_.name);
  for (auto& instance : store_.instances(target_.name)) {
    if (instance.state != "terminated" && instance.state != "serving" &&
        instance.state != "draining") {
      terminate_instance(instance);
    }
  }
  // Keep the serving image, then the newest others up to `keep` in all.
  int kept = serving ? 1 : 0;
  for (auto& image : store_.images(target_.name)) {
    if (image.state == "deleted") continue;
    bool in_use = serving && serving->image_id == image.id;
    if (in_use) continue;
    if (image.state == "ready" && kept < target_.keep) {
      ++kept;
      continue;
    }
    if (image.state == "creating" && store_.unfinished_deployment(target_.name)) continue;
    if (!image.provider_ref.empty()) provider_.delete_image(image.provider_ref);
    image.state = "deleted";
    store_.update_image(image);
    std::error_code ignored;
    bool bundle_still_used = false;
    for (const auto& other : store_.images(target_.name)) {
      bundle_still_used |= other.state != "deleted" && other.bundle_id == image.bundle_id;
    }
    if (!bundle_still_used) fs::remove(bundle_cache_ + "/" + image.bundle_id + ".mfb", ignored);
  }
}

void Deployer::destroy() {
  TargetLock lock(store_, target_.name, holding_lock_);
  for (auto& instance : store_.instances(target_.name)) {
    if (instance.state != "terminated") terminate_instance(instance);
  }
  for (const auto& listed : provider_.list_instances(target_.name)) provider_.terminate(listed.ref);
  for (auto& image : store_.images(target_.name)) {
    if (image.state != "deleted" && !image.provider_ref.empty()) {
      provider_.delete_image(image.provider_ref);
    }
    std::error_code ignored;
    fs::remove(bundle_cache_ + "/" + image.bundle_id + ".mfb", ignored);
  }
  provider_.release_address(target_);
  store_.delete_target(target_.name);
}

}  // namespace mayfly::deploy
