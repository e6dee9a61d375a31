#pragma once
// "HOST:PORT" (IPv4 dotted quad or "localhost") to a sockaddr_in. Hosted code.
#include <netinet/in.h>

#include <string>

namespace mayfly::deploy::local {

bool parse_socket_address(const std::string& text, sockaddr_in& out);

}  // namespace mayfly::deploy::local
