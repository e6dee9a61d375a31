#pragma once
// A blocking HTTP(S) client over libcurl for the provider APIs and health checks: one handle per
// thread (connections are reused), connect/read/total timeouts, no redirects. Hosted code.
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace mayfly::deploy {

struct HttpRequest {
  std::string method = "GET";
  std::string url;  // scheme://host[:port]/path?query, already percent-encoded
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct HttpResponse {
  long status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names as received
  std::string body;
  std::string header(std::string_view name) const;  // case-insensitive, "" when absent
};

struct HttpTimeouts {
  std::chrono::milliseconds connect{5000};
  std::chrono::milliseconds total{60000};
  // A transfer slower than 1 KiB/s for this long is abandoned (a stalled read).
  std::chrono::milliseconds stall{15000};
};

// The request never reached an answer: DNS, connect, TLS, timeout, reset.
class TransportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class HttpClient {
 public:
  explicit HttpClient(HttpTimeouts timeouts = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  HttpResponse send(const HttpRequest& request);

 private:
  struct Handle;
  std::unique_ptr<Handle> handle_;
  HttpTimeouts timeouts_;
};

// Splits "https://host:port/path?query" into its parts; throws std::invalid_argument.
struct UrlParts {
  std::string scheme, host, path, query;  // host with ":port" when one was given
};
UrlParts split_url(std::string_view url);

}  // namespace mayfly::deploy
