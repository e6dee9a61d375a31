// mayfly deploy / status / rollback / logs / gc / destroy: blue/green deploys of a site
// through a provider (src/deploy), with the state in SQLite beside the site.
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <toml++/toml.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/commands.h"
#include "cli/kernel_path.h"
#include "cli/progress_line.h"
#include "cli/site_source.h"
#include "cli/term.h"
#include "deploy/aws/ec2_provider.h"
#include "deploy/aws/imds.h"
#include "deploy/aws/settings.h"
#include "deploy/deployer.h"
#include "deploy/local/forwarder.h"
#include "deploy/local/local_provider.h"
#include "hosted/atomic_file.h"
#include "image/artifacts.h"

namespace mayfly::cli {
namespace {

namespace fs = std::filesystem;
using deploy::Target;

struct DeployArgs {
  std::string source = ".";
  std::string state;
  std::string target = "default";
  std::string provider, address, memory, kernel, network;
  int keep = 0;
  bool json = false, force = false, yes = false, follow = false;
  double boot_timeout = 180, health_timeout = 60, drain_timeout = 30;
  std::string instance;
  std::string loader;
  bool plan = false, refresh = false;
  // Provider settings by their config key (ec2: region, instance_type, elastic_ip, ...).
  std::map<std::string, std::string> settings;
  BundleFlags flags;
};

// The ec2 provider's settings: config key, flag, what it is.
struct ProviderSetting {
  const char* key;
  const char* flag;
  const char* help;
};
constexpr ProviderSetting kEc2Settings[] = {
    {"region", "--region", "ec2: AWS region (default: AWS_REGION, the profile)"},
    {"profile", "--profile", "ec2: AWS profile in ~/.aws (default: AWS_PROFILE, default)"},
    {"instance_type", "--instance-type", "ec2: instance type (default t3.micro)"},
    {"subnet", "--subnet", "ec2: subnet id (default: the default VPC's)"},
    {"security_group", "--security-group", "ec2: security group id"},
    {"elastic_ip", "--elastic-ip", "ec2: the Elastic IP's allocation id, the stable address"},
    {"endpoint_url", "--endpoint-url", "ec2: another endpoint (emulators, other partitions)"},
    {"health_url", "--health-url",
     "ec2: check health at this stand-in URL instead of the instances (emulators)"},
    {"flavour", "--flavour",
     "ec2: the image's kernel: auto (by instance type), linux (Debian's, for Nitro), mayfly"},
};

bool is_provider_setting(const std::string& key) {
  for (const auto& setting : kEc2Settings) {
    if (key == setting.key) return true;
  }
  return false;
}

// Memory as "64M", "1G", "512" (MiB).
uint64_t parse_memory_mib(const std::string& text) {
  size_t used = 0;
  unsigned long long value = 0;
  try {
    value = std::stoull(text, &used);
  } catch (const std::exception&) {
    throw CLI::ValidationError("--memory", "'" + text + "' is not a size like 64M or 1G");
  }
  std::string unit = text.substr(used);
  if (unit == "G" || unit == "GiB")
    value *= 1024;
  else if (!unit.empty() && unit != "M" && unit != "MiB")
    throw CLI::ValidationError("--memory", "'" + text + "' is not a size like 64M or 1G");
  if (value < 16) throw CLI::ValidationError("--memory", "at least 16M");
  return value;
}

// The folder the state lives beside: SRC itself, or a bundle file's folder.
fs::path site_folder(const std::string& source) {
  fs::path path = fs::absolute(source);
  return fs::is_directory(path) ? path : path.parent_path();
}

std::string state_path(const DeployArgs& args) {
  if (!args.state.empty()) return args.state;
  return (site_folder(args.source) / ".mayfly" / "state.db").string();
}

// The target: defaults, then what the state remembers, then the site's `deploy:` section
// (_config.yml), then its mayfly.toml [deploy] table, then flags.
Target resolve_target(const DeployArgs& args, deploy::StateStore& store) {
  Target target;
  target.name = args.target;
  if (auto saved = store.target(args.target)) target = *saved;
  fs::path config = site_folder(args.source) / "_config.yml";
  if (fs::exists(config)) {
    YAML::Node root;
    try {
      root = YAML::LoadFile(config.string());
    } catch (const YAML::Exception& error) {
      throw std::runtime_error(config.string() + ":" + std::to_string(error.mark.line + 1) + ":" +
                               std::to_string(error.mark.column + 1) + ": " + error.msg);
    }
    if (YAML::Node section = root["deploy"]; section && section.IsMap()) {
      try {
        if (section["provider"]) target.provider = section["provider"].as<std::string>();
        if (section["address"]) target.address = section["address"].as<std::string>();
        if (section["memory"])
          target.memory_mib = parse_memory_mib(section["memory"].as<std::string>());
        if (section["keep"]) target.keep = section["keep"].as<int>();
        for (const auto& setting : kEc2Settings) {
          if (section[setting.key]) {
            target.settings[setting.key] = section[setting.key].as<std::string>();
          }
        }
        if (section["network"]) target.network = section["network"].as<std::string>();
      } catch (const YAML::Exception& error) {
        throw std::runtime_error(config.string() + ":" + std::to_string(error.mark.line + 1) + ":" +
                                 std::to_string(error.mark.column + 1) + ": deploy: " + error.msg);
      }
    }
  }
  // mayfly.toml beside the site: a [deploy] table with the same keys.
  fs::path toml_file = site_folder(args.source) / "mayfly.toml";
  if (fs::exists(toml_file)) {
    toml::table root;
    try {
      root = toml::parse_file(toml_file.string());
    } catch (const toml::parse_error& error) {
      throw std::runtime_error(
          toml_file.string() + ":" + std::to_string(error.source().begin.line) + ":" +
          std::to_string(error.source().begin.column) + ": " + std::string(error.description()));
    }
    if (const toml::table* section = root["deploy"].as_table()) {
      for (const auto& [key, value] : *section) {
        const std::string where =
            toml_file.string() + ":" + std::to_string(value.source().begin.line) + ":" +
            std::to_string(value.source().begin.column) + ": deploy." + std::string(key.str());
        if (key == "provider" || key == "address" || key == "memory" || key == "network" ||
            is_provider_setting(std::string(key.str()))) {
          auto text = value.value<std::string>();
          if (!text) throw std::runtime_error(where + ": expected a string");
          if (key == "provider") target.provider = *text;
          if (key == "network") target.network = *text;
          if (key == "address") target.address = *text;
          if (key == "memory") target.memory_mib = parse_memory_mib(*text);
          if (is_provider_setting(std::string(key.str()))) {
            target.settings[std::string(key.str())] = *text;
          }
        } else if (key == "keep") {
          auto number = value.value<int64_t>();
          if (!number) throw std::runtime_error(where + ": expected a number");
          target.keep = static_cast<int>(*number);
        } else {
          throw std::runtime_error(where +
                                   ": unknown setting (provider, address, memory, keep, "
                                   "network, region, profile, instance_type, subnet, "
                                   "security_group, elastic_ip, endpoint_url, health_url, "
                                   "flavour)");
        }
      }
    }
  }
  if (!args.provider.empty()) target.provider = args.provider;
  if (!args.address.empty()) target.address = args.address;
  if (!args.memory.empty()) target.memory_mib = parse_memory_mib(args.memory);
  if (args.keep > 0) target.keep = args.keep;
  for (const auto& [key, value] : args.settings) {
    if (!value.empty()) target.settings[key] = value;
  }
  if (!args.network.empty()) target.network = args.network;
  if (std::string bad = deploy::local::check_network_setting(target.network); !bad.empty()) {
    throw CLI::ValidationError("--network", bad);
  }
  if (target.keep < 1) throw std::runtime_error("keep must be at least 1");
  if (target.provider == "ec2") {
    // The Elastic IP is the stable address.
    auto eip = target.settings.find("elastic_ip");
    if (eip == target.settings.end() || eip->second.empty()) {
      throw std::runtime_error(
          "the ec2 provider needs the Elastic IP that is the site's address: --elastic-ip "
          "eipalloc-... (or elastic_ip in the deploy settings)");
    }
    target.address = eip->second;
  }
  return target;
}

std::string setting_of(const Target& target, const std::string& key) {
  auto found = target.settings.find(key);
  return found == target.settings.end() ? std::string() : found->second;
}

std::string required_kernel(const DeployArgs& args) {
  std::vector<std::string> tried;
  std::string kernel = find_kernel(args.kernel, tried);
  if (kernel.empty()) {
    std::string where;
    for (const auto& place : tried) where += "\n  " + place;
    throw std::runtime_error("mayfly-kernel not found; looked at:" + where);
  }
  return kernel;
}

std::unique_ptr<deploy::Provider> make_ec2_provider(const Target& target, const DeployArgs& args,
                                                    const std::string& state_dir,
                                                    deploy::Reporter& reporter) {
  aws::Ec2ProviderSettings settings;
  aws::EnvironmentLookup environment = [](const char* name) { return std::getenv(name); };
  const std::string metadata = aws::metadata_endpoint(environment);
  settings.aws = aws::resolve_settings(
      {setting_of(target, "profile"), setting_of(target, "region")}, environment,
      [&metadata] { return aws::fetch_instance_metadata(metadata); });
  settings.client.endpoint_url = setting_of(target, "endpoint_url");
  if (std::string type = setting_of(target, "instance_type"); !type.empty()) {
    settings.instance_type = type;
  }
  settings.subnet = setting_of(target, "subnet");
  settings.security_group = setting_of(target, "security_group");
  settings.elastic_ip = setting_of(target, "elastic_ip");
  settings.health_url = setting_of(target, "health_url");
  if (std::string flavour = setting_of(target, "flavour"); !flavour.empty()) {
    settings.flavour = flavour;
  }
  settings.kernel_path = required_kernel(args);
  settings.loader_path = image::find_artifact(args.loader, "mayfly-uefi.efi",
                                              "build it: cmake --build build --target mayfly-uefi");
  settings.scratch_dir = state_dir;
  settings.progress = [&reporter](const std::string& what, uint64_t done, uint64_t total) {
    reporter.progress(what, done, total);
  };
  return std::make_unique<aws::Ec2Provider>(std::move(settings));
}

std::unique_ptr<deploy::Provider> make_provider(const Target& target, const DeployArgs& args,
                                                const std::string& state_dir,
                                                deploy::Reporter& reporter) {
  if (target.provider == "local") {
    std::string kernel = required_kernel(args);
    std::error_code ec;
    std::string self = fs::read_symlink("/proc/self/exe", ec).string();
    return std::make_unique<deploy::local::LocalProvider>(
        deploy::local::LocalSettings{state_dir, kernel, self, target.network, target.address});
  }
  if (target.provider == "ec2") return make_ec2_provider(target, args, state_dir, reporter);
  throw std::runtime_error("unknown provider '" + target.provider + "' (local, ec2)");
}

// Prints the steps as they happen: a table for people, JSON lines' worth for scripts.
class CliReporter : public deploy::Reporter {
 public:
  explicit CliReporter(bool json) : json_(json) {}
  void step_started(const std::string& step) override {
    if (!json_) live_ = std::make_unique<ProgressLine>(step);
  }
  void progress(const std::string& what, uint64_t done, uint64_t total) override {
    if (live_) live_->update(what, done, total);
  }
  void step_finished(const std::string& step, std::chrono::milliseconds took,
                     const std::string& detail) override {
    live_.reset();
    steps_.push_back({{"step", step}, {"ms", took.count()}, {"detail", detail}});
    if (json_) return;
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%7.2f s", took.count() / 1000.0);
    std::cerr << "  " << step << std::string(step.size() < 10 ? 10 - step.size() : 1, ' ')
              << seconds << "  " << detail << "\n";
  }
  void note(const std::string& text) override {
    live_.reset();
    notes_.push_back(text);
    if (!json_) print_notice(text);
  }
  nlohmann::json steps() const { return steps_; }
  nlohmann::json notes() const { return notes_; }

 private:
  bool json_;
  std::unique_ptr<ProgressLine> live_;  // the running step's line, on a terminal
  nlohmann::json steps_ = nlohmann::json::array();
  nlohmann::json notes_ = nlohmann::json::array();
};

// Everything a deploy-family command needs, opened once.
struct Session {
  std::string state_dir;
  std::unique_ptr<deploy::StateStore> store;
  Target target;
  std::unique_ptr<CliReporter> reporter;  // before the provider, which reports through it
  std::unique_ptr<deploy::Provider> provider;
  std::unique_ptr<deploy::Deployer> deployer;

  explicit Session(const DeployArgs& args) {
    std::string db = state_path(args);
    state_dir = fs::path(db).parent_path().string();
    fs::create_directories(state_dir);
    store = std::make_unique<deploy::StateStore>(db);
    target = resolve_target(args, *store);
    reporter = std::make_unique<CliReporter>(args.json);
    provider = make_provider(target, args, state_dir, *reporter);
    deploy::DeployTimeouts timeouts;
    timeouts.boot = std::chrono::seconds(static_cast<int64_t>(args.boot_timeout));
    timeouts.health = std::chrono::seconds(static_cast<int64_t>(args.health_timeout));
    timeouts.drain = std::chrono::seconds(static_cast<int64_t>(args.drain_timeout));
    deployer = std::make_unique<deploy::Deployer>(*store, *provider, target, *reporter,
                                                  state_dir + "/bundles", timeouts);
  }
};

void add_common_options(CLI::App* cmd, DeployArgs& args, bool with_target_settings) {
  cmd->add_option("SRC", args.source, "The site: a blog source, a built site or a .mfb bundle")
      ->capture_default_str();
  cmd->add_option("--state", args.state, "State database (default: SRC/.mayfly/state.db)");
  cmd->add_option("--target", args.target, "Which target of the site")->capture_default_str();
  cmd->add_flag("--json", args.json, "Print the result as JSON on stdout");
  if (with_target_settings) {
    cmd->add_option("--provider", args.provider, "local (QEMU on this machine) or ec2");
    cmd->add_option("--address", args.address,
                    "The stable address, HOST:PORT (default 127.0.0.1:8080)");
    cmd->add_option("--memory", args.memory, "Instance memory, e.g. 64M (default 64M)");
    cmd->add_option("--keep", args.keep, "Images kept for rollback (default 3)");
    cmd->add_option("--network", args.network,
                    "local provider: nat (root: bridge, TAPs, nftables DNAT), forwarder, or "
                    "auto (nat when it can work here; the default)");
    cmd->add_option("--kernel", args.kernel,
                    "The unikernel ELF (default: found as mayfly run does)");
    cmd->add_option("--boot-timeout", args.boot_timeout,
                    "Seconds a new instance may take to answer")
        ->capture_default_str();
    cmd->add_option("--health-timeout", args.health_timeout,
                    "Seconds the health check is retried before the deploy gives up")
        ->capture_default_str();
    cmd->add_option("--drain-timeout", args.drain_timeout,
                    "Seconds the old instance keeps its open connections after the switch")
        ->capture_default_str();
    cmd->add_option("--loader-file", args.loader,
                    "ec2: the UEFI loader (default: mayfly-uefi.efi beside this binary)");
  }
  // Remembered with the target by `deploy`; any command may override them for itself.
  for (const auto& setting : kEc2Settings) {
    cmd->add_option(setting.flag, args.settings[setting.key], setting.help);
  }
}

void print_failure(const deploy::DeployFailed& failure) {
  print_error(std::string("deploy failed: ") + failure.what());
  if (!failure.console().empty()) {
    std::cerr << "--- the new instance's console (last lines) ---\n" << failure.console();
    if (failure.console().back() != '\n') std::cerr << "\n";
    std::cerr << "--- end of console ---\n";
  }
}

template <typename Body>
void guarded(int& exit_code, Body body) {
  try {
    body();
  } catch (const deploy::DeployFailed& failure) {
    print_failure(failure);
    exit_code = kExitFailure;
  } catch (const CLI::ValidationError& error) {
    print_error(error.what());
    exit_code = kExitUsage;
  } catch (const std::exception& error) {
    print_error(error.what());
    exit_code = kExitFailure;
  }
}

nlohmann::json status_json(Session& session) {
  auto& store = *session.store;
  nlohmann::json out;
  out["target"] = {{"name", session.target.name},
                   {"provider", session.target.provider},
                   {"address", session.target.address},
                   {"memory_mib", session.target.memory_mib},
                   {"keep", session.target.keep}};
  if (auto* local = dynamic_cast<deploy::local::LocalProvider*>(session.provider.get())) {
    out["target"]["network"] = local->network_mode(session.target.name);
  }
  out["serving"] = nullptr;
  if (auto serving = store.serving_instance(session.target.name)) {
    auto image = store.image(serving->image_id);
    out["serving"] = {{"instance", serving->provider_ref},
                      {"url", serving->url},
                      {"alive", session.provider->is_alive(serving->provider_ref)},
                      {"bundle_id", image ? image->bundle_id : ""},
                      {"image", image ? image->provider_ref : ""}};
  }
  out["instances"] = nlohmann::json::array();
  for (const auto& instance : store.instances(session.target.name)) {
    if (instance.state == "terminated") continue;
    out["instances"].push_back({{"id", instance.id},
                                {"ref", instance.provider_ref},
                                {"state", instance.state},
                                {"url", instance.url}});
  }
  out["images"] = nlohmann::json::array();
  for (const auto& image : store.images(session.target.name)) {
    if (image.state == "deleted") continue;
    out["images"].push_back({{"id", image.id},
                             {"ref", image.provider_ref},
                             {"bundle_id", image.bundle_id},
                             {"state", image.state},
                             {"created", image.created}});
  }
  out["deployments"] = nlohmann::json::array();
  for (const auto& d : store.deployments(session.target.name, 5)) {
    out["deployments"].push_back({{"id", d.id},
                                  {"kind", d.kind},
                                  {"state", d.state},
                                  {"started", d.started},
                                  {"seconds", d.finished ? d.finished - d.started : 0},
                                  {"error", d.error}});
  }
  return out;
}

void print_status(const nlohmann::json& status) {
  const auto& target = status["target"];
  std::cout << "target " << target["name"].get<std::string>() << ": "
            << target["provider"].get<std::string>() << ", address "
            << target["address"].get<std::string>() << ", keep " << target["keep"];
  if (target.contains("network")) std::cout << ", network " << target["network"].get<std::string>();
  std::cout << "\n";
  if (status["serving"].is_null()) {
    std::cout << "serving: nothing\n";
  } else {
    const auto& s = status["serving"];
    std::cout << "serving: " << s["instance"].get<std::string>() << " (bundle "
              << s["bundle_id"].get<std::string>().substr(0, 12) << ")"
              << (s["alive"].get<bool>() ? "" : "  ** not running **") << "\n";
  }
  std::cout << "instances:\n";
  for (const auto& i : status["instances"]) {
    std::cout << "  " << i["ref"].get<std::string>() << "  " << i["state"].get<std::string>()
              << "  " << i["url"].get<std::string>() << "\n";
  }
  std::cout << "images:\n";
  for (const auto& i : status["images"]) {
    std::cout << "  " << i["ref"].get<std::string>() << "  bundle "
              << i["bundle_id"].get<std::string>().substr(0, 12) << "  "
              << i["state"].get<std::string>() << "\n";
  }
  std::cout << "recent deployments:\n";
  for (const auto& d : status["deployments"]) {
    std::cout << "  #" << d["id"] << " " << d["kind"].get<std::string>() << " "
              << d["state"].get<std::string>() << " (" << d["seconds"] << " s)";
    if (!d["error"].get<std::string>().empty()) std::cout << ": " << d["error"].get<std::string>();
    std::cout << "\n";
  }
}

void print_plan(const std::vector<deploy::PlannedStep>& steps, const Session& session, bool json) {
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& step : steps) {
      out.push_back({{"step", step.step}, {"what", step.what}, {"calls", step.calls}});
    }
    std::cout << nlohmann::json{{"plan", out}, {"notes", session.reporter->notes()}}.dump(2)
              << "\n";
    return;
  }
  std::cout << "plan for target " << session.target.name << " (" << session.target.provider
            << "); nothing has been done:\n";
  for (const auto& step : steps) {
    std::cout << "  " << step.step
              << std::string(step.step.size() < 10 ? 10 - step.step.size() : 1, ' ') << step.what
              << "\n";
    for (const auto& call : step.calls) std::cout << "              " << call << "\n";
  }
}

// The bundle to deploy as a file: a .mfb as it is; anything else bundled into the state dir.
std::string bundle_file(const DeployArgs& args, const std::string& state_dir) {
  if (fs::is_regular_file(args.source)) return args.source;
  LoadedBundle loaded;
  load_bundle(args.source, args.flags, loaded);
  std::string path = state_dir + "/pending-" + std::to_string(getpid()) + ".mfb";
  hosted::write_file_atomic(path, loaded.mapped.data(), loaded.mapped.size());
  return path;
}

}  // namespace

void add_deploy_commands(CLI::App& app, int& exit_code) {
  {
    auto args = std::make_shared<DeployArgs>();
    CLI::App* cmd = app.add_subcommand("deploy",
                                       "Deploy the site blue/green: a new instance, "
                                       "checked, then the address switched to it");
    add_common_options(cmd, *args, true);
    cmd->add_flag("--force", args->force,
                  "Deploy even when the address already serves this bundle");
    cmd->add_flag("--plan", args->plan,
                  "Print the steps and provider calls the deploy would make, and make none");
    cmd->footer(
        "Steps: build, bundle, image, instance, boot, health (GET / and a sample of files, "
        "each ETag checked against the bundle), switch, drain, terminate the old instance, "
        "prune old images. A failure before the switch leaves the old instance serving. An "
        "interrupted deploy is finished or undone by the next deploy, status or rollback.");
    cmd->callback([args, &exit_code] {
      guarded(exit_code, [&] {
        Session session(*args);
        std::string bundle = bundle_file(*args, session.state_dir);
        struct Cleanup {
          std::string path;
          bool remove;
          ~Cleanup() {
            if (remove) {
              std::error_code ignored;
              fs::remove(path, ignored);
            }
          }
        } cleanup{bundle, bundle != args->source};
        if (std::string stand_in = setting_of(session.target, "health_url"); !stand_in.empty()) {
          session.reporter->note("health checks go to the stand-in " + stand_in +
                                 " (--health-url), not to the instances themselves");
        }
        if (args->plan) {
          print_plan(session.deployer->plan(bundle), session, args->json);
          exit_code = kExitOk;
          return;
        }
        auto outcome = session.deployer->deploy(bundle, args->force);
        auto serving = session.store->serving_instance(session.target.name);
        if (args->json) {
          nlohmann::json out = {{"deployment", outcome.deployment_id},
                                {"unchanged", outcome.unchanged},
                                {"address", session.target.address},
                                {"instance", serving ? serving->provider_ref : ""},
                                {"to_switch_ms", outcome.to_switch.count()},
                                {"steps", session.reporter->steps()},
                                {"notes", session.reporter->notes()}};
          std::cout << out.dump(2) << "\n";
        } else if (!outcome.unchanged) {
          std::string url = session.provider->address_url(session.target);
          if (url.empty()) url = "http://" + session.target.address;
          std::cout << "deployed: " << url << "/ now served by "
                    << (serving ? serving->provider_ref : "?") << " (switch after "
                    << outcome.to_switch.count() / 1000.0 << " s)\n";
        }
        exit_code = kExitOk;
      });
    });
  }
  {
    auto args = std::make_shared<DeployArgs>();
    CLI::App* cmd = app.add_subcommand("status",
                                       "Show the target: what serves, instances, "
                                       "images, recent deployments");
    add_common_options(cmd, *args, false);
    cmd->add_flag("--refresh", args->refresh,
                  "Rebuild the state from what the provider finds by its tags (a lost or "
                  "stale state file)");
    cmd->add_option("--provider", args->provider, "With --refresh on a new state: the provider");
    cmd->callback([args, &exit_code] {
      guarded(exit_code, [&] {
        Session session(*args);
        nlohmann::json refreshed = nlohmann::json::array();
        if (args->refresh) {
          for (const auto& line : session.deployer->refresh()) {
            refreshed.push_back(line);
            if (!args->json) print_notice(line);
          }
        } else if (std::string done = session.deployer->recover(); !done.empty()) {
          print_notice(done);
        }
        nlohmann::json status = status_json(session);
        if (args->refresh) status["refreshed"] = refreshed;
        if (args->json) {
          std::cout << status.dump(2) << "\n";
        } else {
          print_status(status);
        }
        exit_code = kExitOk;
      });
    });
  }
  {
    auto args = std::make_shared<DeployArgs>();
    CLI::App* cmd = app.add_subcommand("rollback", "Serve the previous image again (blue/green)");
    add_common_options(cmd, *args, false);
    cmd->callback([args, &exit_code] {
      guarded(exit_code, [&] {
        Session session(*args);
        auto outcome = session.deployer->rollback();
        auto serving = session.store->serving_instance(session.target.name);
        if (args->json) {
          std::cout << nlohmann::json{{"deployment", outcome.deployment_id},
                                      {"instance", serving ? serving->provider_ref : ""},
                                      {"steps", session.reporter->steps()}}
                           .dump(2)
                    << "\n";
        } else {
          std::cout << "rolled back: " << (serving ? serving->provider_ref : "?")
                    << " serves http://" << session.target.address << "/\n";
        }
        exit_code = kExitOk;
      });
    });
  }
  {
    auto args = std::make_shared<DeployArgs>();
    CLI::App* cmd =
        app.add_subcommand("logs", "Print an instance's console (default: the serving one)");
    add_common_options(cmd, *args, false);
    cmd->add_option("--instance", args->instance, "Instance ref (see mayfly status)");
    cmd->add_flag("-f,--follow", args->follow, "Keep printing as the console grows (Ctrl-C stops)");
    cmd->callback([args, &exit_code] {
      guarded(exit_code, [&] {
        Session session(*args);
        std::string ref = args->instance;
        if (ref.empty()) {
          auto serving = session.store->serving_instance(session.target.name);
          if (!serving) throw std::runtime_error("nothing serves target '" + args->target + "'");
          ref = serving->provider_ref;
        }
        std::string text = session.provider->console(ref, 1 << 20);
        std::cout << text << std::flush;
        size_t shown = text.size();
        static volatile std::sig_atomic_t stop = 0;
        std::signal(SIGINT, [](int) { stop = 1; });
        while (args->follow && !stop) {
          std::this_thread::sleep_for(std::chrono::milliseconds(200));
          std::string now = session.provider->console(ref, 1 << 20);
          if (now.size() > shown) std::cout << now.substr(shown) << std::flush;
          if (now.size() >= shown) shown = now.size();
          if (!session.provider->is_alive(ref)) break;
        }
        exit_code = kExitOk;
      });
    });
  }
  {
    auto args = std::make_shared<DeployArgs>();
    CLI::App* cmd =
        app.add_subcommand("gc", "Remove images beyond --keep and instances that do not serve");
    add_common_options(cmd, *args, false);
    cmd->add_option("--keep", args->keep, "Images kept, the serving one included");
    cmd->callback([args, &exit_code] {
      guarded(exit_code, [&] {
        Session session(*args);
        session.deployer->recover();
        session.deployer->gc();
        if (args->keep > 0) session.store->save_target(session.target);
        if (!args->json) std::cout << "kept the " << session.target.keep << " newest images\n";
        exit_code = kExitOk;
      });
    });
  }
  {
    auto args = std::make_shared<DeployArgs>();
    CLI::App* cmd = app.add_subcommand("destroy",
                                       "Stop every instance of the target, delete its "
                                       "images and release its address");
    add_common_options(cmd, *args, false);
    cmd->add_flag("-y,--yes", args->yes, "Do not ask (for scripts)");
    cmd->callback([args, &exit_code] {
      guarded(exit_code, [&] {
        if (!args->yes) {
          if (!isatty(STDIN_FILENO)) {
            throw CLI::ValidationError("--yes",
                                       "destroy asks first; pass --yes when not on a terminal");
          }
          std::cerr << "destroy target '" << args->target << "' and everything it runs? [y/N] ";
          std::string answer;
          std::getline(std::cin, answer);
          if (answer != "y" && answer != "yes") {
            std::cerr << "nothing destroyed\n";
            exit_code = kExitFailure;
            return;
          }
        }
        Session session(*args);
        session.deployer->destroy();
        if (!args->json) std::cout << "destroyed target '" << args->target << "'\n";
        exit_code = kExitOk;
      });
    });
  }
  {
    // The local provider's address forwarder, started detached by `deploy`; not for people.
    auto listen = std::make_shared<std::string>();
    auto control = std::make_shared<std::string>();
    CLI::App* cmd = app.add_subcommand("__forwarder", "");
    cmd->group("");
    cmd->add_option("--listen", *listen)->required();
    cmd->add_option("--control", *control)->required();
    cmd->callback([listen, control, &exit_code] {
      exit_code = deploy::local::run_forwarder(*listen, *control);
    });
  }
}

}  // namespace mayfly::cli
