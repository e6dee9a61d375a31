#include "deploy/local/socket_address.h"

#include <arpa/inet.h>

#include <charconv>

namespace mayfly::deploy::local {

bool parse_socket_address(const std::string& text, sockaddr_in& out) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos) return false;
  std::string host = text.substr(0, colon);
  if (host == "localhost") host = "127.0.0.1";
  unsigned port = 0;
  auto [end, error] = std::from_chars(text.data() + colon + 1, text.data() + text.size(), port);
  if (error != std::errc() || end != text.data() + text.size() || port == 0 || port > 65535) {
    return false;
  }
  out = {};
  out.sin_family = AF_INET;
  out.sin_port = htons(static_cast<uint16_t>(port));
  return inet_pton(AF_INET, host.c_str(), &out.sin_addr) == 1;
}

}  // namespace mayfly::deploy::local
