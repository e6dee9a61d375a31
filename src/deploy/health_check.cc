#include "deploy/health_check.h"

#include "deploy/http_client.h"

namespace mayfly::deploy {

std::vector<HealthProbe> health_probes(const bundle::Bundle& bundle, int sample) {
  std::vector<HealthProbe> probes;
  bundle::Entry entry;
  const std::string index = "/" + std::string(bundle.index_name());
  // A site without a front page is broken whatever else it holds: "/" is always probed,
  // and with no index in the bundle no answer can satisfy it.
  probes.push_back({"/", bundle.find(index, entry)
                             ? "\"" + std::string(entry.etag) + "\""
                             : std::string("(the bundle has no ") + index + ")"});
  std::vector<uint32_t> files;
  for (uint32_t i = 0; i < bundle.entry_count(); ++i) {
    if (bundle.entry(i).kind == bundle::EntryKind::File) files.push_back(i);
  }
  const size_t wanted = std::min<size_t>(files.size(), static_cast<size_t>(sample));
  for (size_t k = 0; k < wanted; ++k) {
    bundle::Entry file = bundle.entry(files[k * files.size() / wanted]);
    probes.push_back({std::string(file.path), "\"" + std::string(file.etag) + "\""});
  }
  return probes;
}

HealthReport check_health(const std::string& base_url, const std::vector<HealthProbe>& probes,
                          std::chrono::milliseconds timeout) {
  HealthReport report;
  HttpTimeouts timeouts;
  timeouts.connect = timeout;
  timeouts.total = timeout;
  HttpClient client(timeouts);
  for (const auto& probe : probes) {
    ++report.checked;
    HttpRequest request;
    request.url = base_url + probe.path;
    try {
      // No Accept-Encoding: the identity representation, whose ETag the bundle records.
      HttpResponse response = client.send(request);
      if (response.status != 200) {
        report.problems.push_back("GET " + probe.path + ": status " +
                                  std::to_string(response.status));
      } else if (response.header("ETag") != probe.expected_etag) {
        report.problems.push_back("GET " + probe.path + ": ETag " + response.header("ETag") +
                                  " is not the bundle's " + probe.expected_etag);
      }
    } catch (const TransportError& error) {
      report.problems.push_back(error.what());
    }
  }
  report.healthy = report.problems.empty() && report.checked > 0;
  return report;
}

}  // namespace mayfly::deploy
