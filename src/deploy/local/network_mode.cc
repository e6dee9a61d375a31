#include "deploy/local/network_mode.h"

#include <arpa/inet.h>
#include <unistd.h>

#include <sstream>

#include "deploy/local/nat_address.h"
#include "deploy/local/socket_address.h"
#include "deploy/local/text_file.h"
#include "deploy/provider.h"

namespace mayfly::deploy::local {
namespace {

// Why the address cannot be a DNAT match ("" when it can).
std::string address_unusable_reason(const std::string& address) {
  sockaddr_in parsed{};
  if (!parse_socket_address(address, parsed)) {
    return "the address " + address + " is not IPv4 HOST:PORT";
  }
  uint32_t host = ntohl(parsed.sin_addr.s_addr);
  if ((host >> 24) == 127) {
    return "the address " + address +
           " is on loopback; nat mode needs an address of this host that is not 127.x "
           "(or network = forwarder)";
  }
  if (host == 0) return "the address " + address + " names no host (0.0.0.0)";
  return {};
}

}  // namespace

const char* mode_name(NetworkMode mode) {
  return mode == NetworkMode::nat ? "nat" : "forwarder";
}

std::string check_network_setting(const std::string& requested) {
  if (requested == "auto" || requested == "nat" || requested == "forwarder") return {};
  return "network must be auto, nat or forwarder, not '" + requested + "'";
}

std::optional<NetworkRecord> read_network_record(const std::string& path) {
  std::istringstream line(read_text(path));
  std::string mode;
  if (!(line >> mode)) return std::nullopt;
  NetworkRecord record;
  if (mode == "forwarder") return record;
  std::string subnet;
  if (mode != "nat" || !(line >> record.network.id >> subnet)) return std::nullopt;
  in_addr parsed{};
  if (inet_pton(AF_INET, subnet.c_str(), &parsed) != 1) return std::nullopt;
  record.mode = NetworkMode::nat;
  record.network.subnet = ntohl(parsed.s_addr);
  return record;
}

void write_network_record(const std::string& path, const NetworkRecord& record) {
  std::string text = mode_name(record.mode);
  if (record.mode == NetworkMode::nat) {
    text += " " + record.network.id + " " + dotted(record.network.subnet);
  }
  write_text_atomic(path, text + "\n");
}

NetworkMode choose_network_mode(const std::string& requested, const std::string& address) {
  if (std::string bad = check_network_setting(requested); !bad.empty()) throw ProviderError(bad);
  if (requested == "forwarder") return NetworkMode::forwarder;
  std::string why = address_unusable_reason(address);
  if (why.empty()) why = nft_unusable_reason();
  if (why.empty() && access("/dev/net/tun", R_OK | W_OK) != 0) why = "no usable /dev/net/tun";
  if (why.empty()) return NetworkMode::nat;
  if (requested == "nat") throw ProviderError("network = nat cannot work here: " + why);
  return NetworkMode::forwarder;
}

}  // namespace mayfly::deploy::local
