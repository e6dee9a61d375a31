#include "deploy/aws/client.h"

#include <nlohmann/json.hpp>
#include <pugixml.hpp>
#include <thread>

namespace mayfly::aws {

AwsError::AwsError(std::string code, std::string message, std::string request_id, long http_status)
    : std::runtime_error(code + ": " + message +
                         (request_id.empty() ? "" : " (request id " + request_id + ")")),
      code_(std::move(code)),
      message_(std::move(message)),
      request_id_(std::move(request_id)),
      http_status_(http_status) {}

AwsClient::AwsClient(Settings settings, std::string service, ClientOptions options)
    : settings_(std::move(settings)),
      service_(std::move(service)),
      options_(std::move(options)),
      http_(options_.timeouts),
      jitter_(std::random_device{}()) {
  endpoint_ = options_.endpoint_url.empty()
                  ? "https://" + service_ + "." + settings_.region + ".amazonaws.com"
                  : options_.endpoint_url;
  while (endpoint_.size() > 1 && endpoint_.back() == '/') endpoint_.pop_back();
  endpoint_parts_ = split_url(endpoint_);
  if (!options_.sleep) options_.sleep = [](auto delay) { std::this_thread::sleep_for(delay); };
  if (!options_.clock) {
    options_.clock = [] {
      return static_cast<int64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                      std::chrono::system_clock::now().time_since_epoch())
                                      .count());
    };
  }
}

bool AwsClient::is_retryable(const std::string& code, long http_status) {
  static const char* const kThrottling[] = {"Throttling",
                                            "ThrottlingException",
                                            "RequestLimitExceeded",
                                            "RequestThrottled",
                                            "TooManyRequestsException",
                                            "SlowDown",
                                            "InternalError",
                                            "InternalFailure",
                                            "ServiceUnavailable",
                                            "RequestTimeout",
                                            "RequestTimeoutException",
                                            "InternalServerException",
                                            "PriorRequestNotComplete"};
  for (const char* name : kThrottling) {
    if (code == name) return true;
  }
  return http_status == 429 || http_status >= 500;
}

AwsError AwsClient::parse_error(const HttpResponse& response) {
  std::string code, message, request_id;
  // EC2 (query protocol): <Response><Errors><Error><Code/><Message/></Error></Errors>
  // <RequestID/></Response>; other XML services use <ErrorResponse>.
  pugi::xml_document xml;
  if (!response.body.empty() && response.body.front() == '<' &&
      xml.load_buffer(response.body.data(), response.body.size())) {
    pugi::xml_node error = xml.select_node("//Error").node();
    code = error.child_value("Code");
    message = error.child_value("Message");
    pugi::xml_node id = xml.select_node("//RequestID").node();
    if (!id) id = xml.select_node("//RequestId").node();
    request_id = id.child_value();
  } else if (!response.body.empty() && response.body.front() == '{') {
    // REST-JSON services (EBS): x-amzn-ErrorType header "Code:..." and {"Message": ...}.
    auto json = nlohmann::json::parse(response.body, nullptr, false);
    if (json.is_object()) {
      for (const char* key : {"Message", "message"}) {
        if (json.contains(key) && json[key].is_string()) message = json[key];
      }
      if (json.contains("__type") && json["__type"].is_string()) code = json["__type"];
    }
  }
  if (std::string type = response.header("x-amzn-ErrorType"); !type.empty()) {
    code = type.substr(0, type.find(':'));
  }
  if (request_id.empty()) request_id = response.header("x-amzn-RequestId");
  if (request_id.empty()) request_id = response.header("x-amz-request-id");
  if (code.empty()) code = "HTTP" + std::to_string(response.status);
  if (message.empty()) {
    message = response.body.size() > 200 ? response.body.substr(0, 200) + "..." : response.body;
  }
  return AwsError(std::move(code), std::move(message), std::move(request_id), response.status);
}

std::chrono::milliseconds AwsClient::backoff(int attempt) {
  // "Full jitter": a uniform delay in [0, min(cap, base * 2^attempt)].
  int64_t ceiling = options_.retry.base.count() << std::min(attempt, 20);
  ceiling = std::min<int64_t>(ceiling, options_.retry.cap.count());
  return std::chrono::milliseconds(
      std::uniform_int_distribution<int64_t>(0, std::max<int64_t>(ceiling, 1))(jitter_));
}

HttpResponse AwsClient::call(const ServiceRequest& request) {
  for (int attempt = 1;; ++attempt) {
    SignableRequest signable;
    signable.method = request.method;
    signable.host = endpoint_parts_.host;
    // An endpoint URL with a path (emulators) prefixes every request's path.
    signable.path = (endpoint_parts_.path == "/" ? "" : endpoint_parts_.path) + request.path;
    signable.query = request.query;
    signable.headers = request.headers;
    SigningOptions options;
    if (request.unsigned_payload) {
      signable.payload_sha256 = "UNSIGNED-PAYLOAD";
      options.add_content_sha256_header = true;
    } else {
      signable.payload_sha256 = sha256_hex(request.body);
    }
    sign(signable, settings_.credentials, {settings_.region, service_, options_.clock()}, options);

    HttpRequest http;
    http.method = request.method;
    http.url = endpoint_parts_.scheme + "://" + endpoint_parts_.host + signable.path +
               (request.query.empty() ? "" : "?" + request.query);
    http.headers = std::move(signable.headers);
    http.body = request.body;

    std::string reason;
    try {
      HttpResponse response = http_.send(http);
      if (response.status >= 200 && response.status < 300) return response;
      AwsError error = parse_error(response);
      if (!is_retryable(error.code(), error.http_status()) ||
          attempt >= options_.retry.max_attempts) {
        throw error;
      }
      reason = error.what();
    } catch (const TransportError& error) {
      if (attempt >= options_.retry.max_attempts) throw;
      reason = error.what();
    }
    if (options_.on_retry) options_.on_retry(attempt, reason);
    options_.sleep(backoff(attempt));
  }
}

}  // namespace mayfly::aws
