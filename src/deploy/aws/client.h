#pragma once
// One AWS service endpoint: signs each request (SigV4), sends it, and retries throttling,
// 5xx answers and transport failures with capped exponential backoff and full jitter (as
// AWS's SDKs do). Mutating calls carry idempotency tokens chosen by the caller, so a retry
// after a lost answer cannot do the work twice. Hosted code.
#include <chrono>
#include <functional>
#include <random>
#include <stdexcept>
#include <string>

#include "deploy/aws/settings.h"
#include "deploy/http_client.h"

namespace mayfly::aws {

using deploy::HttpClient;
using deploy::HttpRequest;
using deploy::HttpResponse;
using deploy::HttpTimeouts;
using deploy::split_url;
using deploy::TransportError;
using deploy::UrlParts;

// An error answer from AWS, after retries. `code` is AWS's error code (AuthFailure,
// InsufficientInstanceCapacity, ...); `request_id` is what AWS support asks for.
class AwsError : public std::runtime_error {
 public:
  AwsError(std::string code, std::string message, std::string request_id, long http_status);
  const std::string& code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::string& request_id() const { return request_id_; }
  long http_status() const { return http_status_; }

 private:
  std::string code_, message_, request_id_;
  long http_status_;
};

struct RetryPolicy {
  int max_attempts = 6;
  std::chrono::milliseconds base{200};
  std::chrono::milliseconds cap{20000};
};

struct ServiceRequest {
  std::string method = "POST";
  std::string path = "/";  // percent-encoded
  std::string query;       // percent-encoded, without '?'
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool unsigned_payload = false;  // EBS PutSnapshotBlock: the block has its own checksum
};

struct ClientOptions {
  std::string endpoint_url;  // empty: https://SERVICE.REGION.amazonaws.com
  RetryPolicy retry;
  HttpTimeouts timeouts;
  // Replaced by tests; the default sleeps.
  std::function<void(std::chrono::milliseconds)> sleep;
  std::function<int64_t()> clock;  // unix seconds for signing; default: the system clock
  // Told about each retry (for progress output): attempt number, the reason.
  std::function<void(int, const std::string&)> on_retry;
};

class AwsClient {
 public:
  AwsClient(Settings settings, std::string service, ClientOptions options = {});

  // Sends with retries. A 2xx answer is returned; anything else throws AwsError (or
  // TransportError when no answer came back after the last attempt).
  HttpResponse call(const ServiceRequest& request);

  const std::string& endpoint() const { return endpoint_; }
  const Settings& settings() const { return settings_; }

  // The parts of an error answer, for EC2's XML and the JSON services alike.
  static AwsError parse_error(const HttpResponse& response);
  static bool is_retryable(const std::string& code, long http_status);

 private:
  std::chrono::milliseconds backoff(int attempt);

  Settings settings_;
  std::string service_;
  ClientOptions options_;
  std::string endpoint_;
  UrlParts endpoint_parts_;
  HttpClient http_;
  std::mt19937_64 jitter_;
};

}  // namespace mayfly::aws
