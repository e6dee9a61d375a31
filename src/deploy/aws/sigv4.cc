// AWS Signature Version 4. The steps and their names follow AWS's documentation of the
// signing process: canonical request -> string to sign -> derived key -> signature.
#include "deploy/aws/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "core/ascii.h"

namespace mayfly::aws {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = mayfly::ascii_lower(c);
  return out;
}

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

// Removes "." and ".." segments and empty segments, keeping a leading and a trailing
// slash (what AWS normalizes before signing every service but S3).
std::string remove_dot_segments(std::string_view path) {
  if (path.empty()) return "/";
  std::vector<std::string_view> kept;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view segment = path.substr(start, end - start);
    if (segment == "..") {
      if (!kept.empty()) kept.pop_back();
    } else if (!segment.empty() && segment != ".") {
      kept.push_back(segment);
    }
    start = end + 1;
  }
  std::string out;
  if (path.front() == '/') out += '/';
  for (size_t i = 0; i < kept.size(); ++i) {
    if (i) out += '/';
    out += kept[i];
  }
  if (path.back() == '/' && !kept.empty()) out += '/';
  return out;
}

// Header values are trimmed and inner runs of whitespace become one space.
std::string collapse_whitespace(std::string_view value) {
  std::string out;
  bool pending_space = false;
  for (char c : value) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
  }
  return out;
}

bool header_is_signed(std::string_view lowercase_name) {
  // These are changed by proxies and clients after signing; AWS's SDKs leave them out.
  return lowercase_name != "user-agent" && lowercase_name != "expect" &&
         lowercase_name != "x-amzn-trace-id" && lowercase_name != "authorization";
}

void set_header(SignableRequest& request, std::string_view name, std::string value) {
  std::erase_if(request.headers,
                [&](const auto& header) { return mayfly::iequals(header.first, name); });
  request.headers.emplace_back(std::string(name), std::move(value));
}

bool has_header(const SignableRequest& request, std::string_view name) {
  return std::any_of(request.headers.begin(), request.headers.end(),
                     [&](const auto& header) { return mayfly::iequals(header.first, name); });
}

std::string canonical_query(std::string_view query) {
  if (query.empty()) return {};
  std::vector<std::pair<std::string_view, std::string_view>> pairs;
  size_t start = 0;
  while (start <= query.size()) {
    size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    std::string_view pair = query.substr(start, end - start);
    size_t equals = pair.find('=');
    if (equals == std::string_view::npos) {
      pairs.emplace_back(pair, std::string_view{});
    } else {
      pairs.emplace_back(pair.substr(0, equals), pair.substr(equals + 1));
    }
    start = end + 1;
  }
  std::sort(pairs.begin(), pairs.end());
  std::string out;
  for (const auto& [key, value] : pairs) {
    if (!out.empty()) out += '&';
    out.append(key).append("=").append(value);
  }
  return out;
}

}  // namespace

std::string hex_encode(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

std::string base64_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(written));
  return out;
}

std::string base64_decode(std::string_view text) {
  std::string compact;
  for (char c : text) {
    if (c != '\n' && c != '\r' && c != ' ' && c != '\t') compact += c;
  }
  if (compact.size() % 4 != 0) return {};
  std::string out(compact.size() / 4 * 3, '\0');
  int written = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(compact.data()),
                                static_cast<int>(compact.size()));
  if (written < 0) return {};
  // EVP_DecodeBlock counts the '=' padding as zero bytes of output.
  size_t padding = 0;
  if (!compact.empty() && compact.back() == '=') ++padding;
  if (compact.size() > 1 && compact[compact.size() - 2] == '=') ++padding;
  out.resize(static_cast<size_t>(written) - padding);
  return out;
}

std::string sha256_raw(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<char*>(digest), length);
}

std::string sha256_hex(std::string_view data) {
  return hex_encode(sha256_raw(data));
}
std::string sha256_base64(std::string_view data) {
  return base64_encode(sha256_raw(data));
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest, &length);
  return std::string(reinterpret_cast<char*>(digest), length);
}

std::string amz_date(int64_t unix_time) {
  std::time_t seconds = static_cast<std::time_t>(unix_time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[64];
  std::snprintf(text, sizeof text, "%04d%02d%02dT%02d%02d%02dZ", utc.tm_year + 1900, utc.tm_mon + 1,
                utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec);
  return text;
}

std::string uri_encode(std::string_view text, bool keep_slash) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (is_unreserved(c) || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kDigits[c >> 4];
      out += kDigits[c & 15];
    }
  }
  return out;
}

std::string signing_key(std::string_view secret, std::string_view date_yyyymmdd,
                        std::string_view region, std::string_view service) {
  std::string key = hmac_sha256(std::string("AWS4").append(secret), date_yyyymmdd);
  key = hmac_sha256(key, region);
  key = hmac_sha256(key, service);
  return hmac_sha256(key, "aws4_request");
}

Signature sign(SignableRequest& request, const Credentials& credentials, const SigningScope& scope,
               const SigningOptions& options) {
  Signature result;
  result.amz_date = amz_date(scope.unix_time);
  const std::string date = result.amz_date.substr(0, 8);

  std::erase_if(request.headers,
                [](const auto& header) { return mayfly::iequals(header.first, "Authorization"); });
  set_header(request, "X-Amz-Date", result.amz_date);
  if (!credentials.session_token.empty()) {
    set_header(request, "X-Amz-Security-Token", credentials.session_token);
  }
  if (options.add_content_sha256_header) {
    set_header(request, "X-Amz-Content-SHA256", request.payload_sha256);
  }
  if (!has_header(request, "Host")) request.headers.emplace_back("Host", request.host);

  // Canonical headers: lowercase names, sorted; repeated headers joined with ','.
  std::vector<std::pair<std::string, std::string>> signed_headers;
  for (const auto& [name, value] : request.headers) {
    std::string key = lower(name);
    if (!header_is_signed(key)) continue;
    auto found = std::find_if(signed_headers.begin(), signed_headers.end(),
                              [&](const auto& header) { return header.first == key; });
    if (found == signed_headers.end()) {
      signed_headers.emplace_back(std::move(key), collapse_whitespace(value));
    } else {
      found->second.append(",").append(collapse_whitespace(value));
    }
  }
  std::sort(signed_headers.begin(), signed_headers.end());
  std::string canonical_headers;
  std::string signed_header_names;
  for (const auto& [name, value] : signed_headers) {
    canonical_headers.append(name).append(":").append(value).append("\n");
    if (!signed_header_names.empty()) signed_header_names += ';';
    signed_header_names += name;
  }

  std::string canonical_path = options.double_encode_path
                                   ? uri_encode(remove_dot_segments(request.path), true)
                                   : (request.path.empty() ? "/" : request.path);
  std::string method = request.method;
  for (char& c : method) c = (c >= 'a' && c <= 'z') ? char(c - 32) : c;

  result.canonical_request = method + "\n" + canonical_path + "\n" +
                             canonical_query(request.query) + "\n" + canonical_headers + "\n" +
                             signed_header_names + "\n" + request.payload_sha256;

  const std::string credential_scope =
      date + "/" + scope.region + "/" + scope.service + "/aws4_request";
  result.string_to_sign = std::string(kAlgorithm) + "\n" + result.amz_date + "\n" +
                          credential_scope + "\n" + sha256_hex(result.canonical_request);

  const std::string key =
      signing_key(credentials.secret_access_key, date, scope.region, scope.service);
  result.signature_hex = hex_encode(hmac_sha256(key, result.string_to_sign));
  result.authorization = std::string(kAlgorithm) + " Credential=" + credentials.access_key_id +
                         "/" + credential_scope + ", SignedHeaders=" + signed_header_names +
                         ", Signature=" + result.signature_hex;
  request.headers.emplace_back("Authorization", result.authorization);
  return result;
}

}  // namespace mayfly::aws
