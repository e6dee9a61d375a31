#pragma once
// How the local provider gives a target its stable address, chosen once per target and
// recorded beside the state, so every later command (status, rollback, gc, destroy, the
// recovery after kill -9) drives the same machinery even without the setting at hand:
//   nat        root: VMs on TAPs on a bridge of mayfly's own, the address a DNAT rule
//              (bridge_network.h, nat_address.h)
//   forwarder  anyone: VMs with QEMU user networking, the address a userspace forwarder
//              (forwarder.h)
// No record means forwarder: that is how every target was run before nat existed.
#include <optional>
#include <string>

#include "deploy/local/bridge_network.h"

namespace mayfly::deploy::local {

enum class NetworkMode { forwarder, nat };

struct NetworkRecord {
  NetworkMode mode = NetworkMode::forwarder;
  BridgeNetwork network;  // nat only
};

// The record file holds one line: "forwarder", or "nat ID SUBNET".
std::optional<NetworkRecord> read_network_record(const std::string& path);
void write_network_record(const std::string& path, const NetworkRecord& record);

// The mode for a target that has none yet. `requested` is the setting: "auto" (nat when
// it can work here, else forwarder), "nat" or "forwarder". Throws ProviderError when nat
// is asked for and cannot work, saying why. nat needs root, a working nft, /dev/net/tun,
// and an IPv4 stable address outside 127.0.0.0/8: a DNATed packet from a loopback source
// would leave through the bridge, which Linux refuses without route_localnet and a
// masquerade rule — state of the host's that mayfly does not change.
NetworkMode choose_network_mode(const std::string& requested, const std::string& address);

// "" when the requested setting is known, else the usage message.
std::string check_network_setting(const std::string& requested);

const char* mode_name(NetworkMode mode);

}  // namespace mayfly::deploy::local
