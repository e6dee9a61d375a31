// Reads signing cases as JSON lines on stdin and prints what mayfly's signer makes of
// each, one JSON line per case; sigv4_oracle.py compares that with botocore's signer.
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "deploy/aws/sigv4.h"

int main() {
  using mayfly::aws::SignableRequest;
  std::string line;
  while (std::getline(std::cin, line)) {
    auto in = nlohmann::json::parse(line);
    SignableRequest request;
    request.method = in.at("method");
    request.host = in.at("host");
    request.path = in.at("path");
    request.query = in.at("query");
    for (const auto& header : in.at("headers")) request.headers.emplace_back(header[0], header[1]);
    mayfly::aws::SigningOptions options;
    if (in.value("unsigned_payload", false)) {
      request.payload_sha256 = "UNSIGNED-PAYLOAD";
      options.add_content_sha256_header = true;
    } else {
      request.payload_sha256 = mayfly::aws::sha256_hex(in.at("body").get<std::string>());
    }
    mayfly::aws::Credentials credentials{in.at("key"), in.at("secret"), in.at("token")};
    auto signature = mayfly::aws::sign(request, credentials,
                                       {in.at("region"), in.at("service"), in.at("time")}, options);
    nlohmann::json out;
    out["authorization"] = signature.authorization;
    out["canonical_request"] = signature.canonical_request;
    std::cout << out.dump() << "\n";
  }
  return 0;
}
