#pragma once
// "Make sure the new instance looks like my website with the new content" (the original
// post): GET / and a sample of the bundle's files from the instance, and check that each
// answer is 200 with the ETag the bundle holds for that file — the new content, not merely
// some page. Hosted code.
#include <chrono>
#include <string>
#include <vector>

#include "bundle/reader.h"

namespace mayfly::deploy {

struct HealthProbe {
  std::string path;
  std::string expected_etag;  // quoted, as the server sends it
};

struct HealthReport {
  bool healthy = false;
  int checked = 0;
  std::vector<std::string> problems;  // "GET /x: 404", "GET /: ETag \"a\" is not \"b\""
};

// "/" (always; it cannot pass when the bundle has no index page) plus up to `sample`
// files spread evenly over the bundle's index.
std::vector<HealthProbe> health_probes(const bundle::Bundle& bundle, int sample = 8);

// Runs every probe against base_url (http://host:port); one attempt each.
HealthReport check_health(const std::string& base_url, const std::vector<HealthProbe>& probes,
                          std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));

}  // namespace mayfly::deploy
