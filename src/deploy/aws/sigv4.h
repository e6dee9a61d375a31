#pragma once
// AWS Signature Version 4 (the signing process every AWS API mayfly calls uses).
// Hosted code. The canonical request follows AWS's "Create a canonical request" rules and
// is tested against botocore's signer (tests/deploy/sigv4_oracle.py) and AWS's published
// examples (tests/deploy/sigv4_test.cc).
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mayfly::aws {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty for long-term keys
};

// One HTTP request as it will go on the wire. `path` and `query` are exactly the bytes
// of the request target (already percent-encoded, query without '?').
struct SignableRequest {
  std::string method = "GET";
  std::string host;  // with ":port" when the port is not the scheme's default
  std::string path = "/";
  std::string query;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string payload_sha256;  // hex SHA-256 of the body, or "UNSIGNED-PAYLOAD"
};

struct SigningScope {
  std::string region;
  std::string service;
  int64_t unix_time = 0;  // the request time, seconds since 1970 (UTC)
};

struct SigningOptions {
  // Every service but S3 percent-encodes the already-encoded path a second time.
  bool double_encode_path = true;
  // S3 and EBS direct's unsigned-body calls send the payload hash as a header as well.
  bool add_content_sha256_header = false;
};

// What signing produced; `canonical_request` and `string_to_sign` help when AWS answers
// SignatureDoesNotMatch (they are what AWS compares).
struct Signature {
  std::string authorization;  // the Authorization header value
  std::string amz_date;       // X-Amz-Date value, YYYYMMDDTHHMMSSZ
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature_hex;
};

// Signs `request`: adds X-Amz-Date (and X-Amz-Security-Token for temporary credentials,
// X-Amz-Content-SHA256 when asked), then Authorization. Headers named Authorization or
// X-Amz-Date that are already present are replaced.
Signature sign(SignableRequest& request, const Credentials& credentials, const SigningScope& scope,
               const SigningOptions& options = {});

// Building blocks, exposed for tests and for the EBS per-block checksums.
std::string sha256_raw(std::string_view data);  // 32 bytes
std::string sha256_hex(std::string_view data);
std::string sha256_base64(std::string_view data);
std::string hmac_sha256(std::string_view key, std::string_view data);  // raw 32 bytes
std::string hex_encode(std::string_view bytes);
std::string base64_encode(std::string_view bytes);
// Standard base64 (whitespace ignored); "" for text that is not base64.
std::string base64_decode(std::string_view text);
std::string amz_date(int64_t unix_time);  // YYYYMMDDTHHMMSSZ
// RFC 3986 unreserved characters pass; everything else becomes %XX (uppercase). With
// keep_slash, '/' passes too (for paths).
std::string uri_encode(std::string_view text, bool keep_slash);
// The derived signing key for a day, region and service.
std::string signing_key(std::string_view secret, std::string_view date_yyyymmdd,
                        std::string_view region, std::string_view service);

}  // namespace mayfly::aws
