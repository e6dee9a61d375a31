#include "deploy/http_client.h"

#include <curl/curl.h>

#include <mutex>

#include "core/ascii.h"

namespace mayfly::deploy {

struct HttpClient::Handle {
  CURL* curl = nullptr;
  ~Handle() {
    if (curl) curl_easy_cleanup(curl);
  }
};

namespace {

std::once_flag global_init;

size_t on_body(char* data, size_t size, size_t count, void* context) {
  static_cast<HttpResponse*>(context)->body.append(data, size * count);
  return size * count;
}

size_t on_header(char* data, size_t size, size_t count, void* context) {
  auto* response = static_cast<HttpResponse*>(context);
  std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    response->headers.clear();  // a new response (after 100 Continue)
    return size * count;
  }
  size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.remove_suffix(1);
    response->headers.emplace_back(std::string(line.substr(0, colon)),
                                   std::string(mayfly::trim_ows(value)));
  }
  return size * count;
}

}  // namespace

std::string HttpResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (mayfly::iequals(key, name)) return value;
  }
  return {};
}

UrlParts split_url(std::string_view url) {
  UrlParts parts;
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    throw std::invalid_argument("not a URL (no scheme): " + std::string(url));
  }
  parts.scheme = std::string(url.substr(0, scheme_end));
  if (parts.scheme != "http" && parts.scheme != "https") {
    throw std::invalid_argument("URL scheme must be http or https: " + std::string(url));
  }
  std::string_view rest = url.substr(scheme_end + 3);
  size_t path_start = rest.find_first_of("/?");
  parts.host = std::string(rest.substr(0, path_start));
  if (parts.host.empty()) throw std::invalid_argument("URL without a host: " + std::string(url));
  std::string_view target = path_start == std::string_view::npos ? "" : rest.substr(path_start);
  size_t question = target.find('?');
  parts.path = std::string(target.substr(0, question));
  if (parts.path.empty()) parts.path = "/";
  if (question != std::string_view::npos) parts.query = std::string(target.substr(question + 1));
  return parts;
}

HttpClient::HttpClient(HttpTimeouts timeouts)
    : handle_(std::make_unique<Handle>()), timeouts_(timeouts) {
  std::call_once(global_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  handle_->curl = curl_easy_init();
  if (!handle_->curl) throw TransportError("libcurl could not start a handle");
}

HttpClient::~HttpClient() = default;

HttpResponse HttpClient::send(const HttpRequest& request) {
  CURL* curl = handle_->curl;
  curl_easy_reset(curl);
  HttpResponse response;
  char error[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  if (request.method == "HEAD") curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
  }
  curl_slist* headers = nullptr;
  for (const auto& [name, value] : request.headers) {
    headers = curl_slist_append(headers, (name + ": " + value).c_str());
  }
  // curl would add these on its own; AWS signs what is sent, so send only what we signed.
  headers = curl_slist_append(headers, "Expect:");
  headers = curl_slist_append(headers, "Accept:");
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "mayfly");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeouts_.connect.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeouts_.total.count()));
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1024L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME,
                   static_cast<long>(std::max<int64_t>(1, timeouts_.stall.count() / 1000)));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response);
  CURLcode code = curl_easy_perform(curl);
  curl_slist_free_all(headers);
  if (code != CURLE_OK) {
    throw TransportError(request.method + " " + request.url + ": " +
                         (error[0] ? std::string(error) : curl_easy_strerror(code)));
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

}  // namespace mayfly::deploy
