#pragma once
// The deployment model: what a blue/green deploy creates and records. Provider-neutral:
// `provider_ref` is whatever names the thing at the provider (a VM directory, an AMI id).
#include <cstdint>
#include <map>
#include <string>

namespace mayfly::deploy {

// Where a site is deployed: a `deploy:` section of the site's config, or flags.
struct Target {
  std::string name = "default";
  std::string provider = "local";
  std::string address = "127.0.0.1:8080";  // the stable address clients use
  uint64_t memory_mib = 64;
  int keep = 3;  // images kept for rollback, the serving one included
  // The provider's own settings (ec2: region, instance_type, elastic_ip, ...), kept with
  // the target so later commands need no flags.
  std::map<std::string, std::string> settings;
  // The local provider's network: auto, nat or forwarder (local/network_mode.h). The
  // provider records what it chose, so this is a request, not stored with the target.
  std::string network = "auto";
};

struct ImageRecord {
  int64_t id = 0;
  std::string target;
  std::string provider_ref;
  std::string bundle_id;  // what the image serves: the bundle's content id
  int64_t created = 0;    // unix seconds
  std::string state;      // "creating", "ready", "failed" (never served), "deleted"
};

struct InstanceRecord {
  int64_t id = 0;
  std::string target;
  int64_t image_id = 0;
  int64_t deployment_id = 0;
  std::string provider_ref;
  std::string url;    // how the health check reaches it directly, e.g. http://127.0.0.1:41234
  std::string state;  // "creating", "booting", "healthy", "serving", "draining", "terminated"
  int64_t created = 0;
};

struct Deployment {
  int64_t id = 0;
  std::string target;
  int64_t image_id = 0;
  int64_t old_instance_id = 0;  // serving before; 0 on the first deploy
  int64_t new_instance_id = 0;
  std::string kind;   // "deploy", "rollback"
  std::string state;  // "running", "done", "failed", "undone"
  std::string error;
  int64_t started = 0;
  int64_t finished = 0;
};

// One journal line: written with phase "begin" before a step runs and "end"/"fail" after,
// so an interrupted command knows exactly how far it got.
struct JournalEntry {
  int64_t deployment_id = 0;
  std::string step;
  std::string phase;
  std::string detail;
  int64_t at_ms = 0;
};

}  // namespace mayfly::deploy
