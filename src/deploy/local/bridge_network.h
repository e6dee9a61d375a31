#pragma once
// The nat mode's network: a Linux bridge that mayfly creates for one target, a /24 on it
// (the bridge holds .1, the instances' gateway), and one TAP per instance enslaved to it.
// Every name carries the network's id, so all of it can be found and removed and nothing
// else on the host is touched:
//   bridge mfbr-ID   taps mftIDN (N: the instance's record id)   nft table ip mayfly-ID
#include <cstdint>
#include <string>
#include <vector>

namespace mayfly::deploy::local {

struct BridgeNetwork {
  std::string id;       // 6 hex digits, from the state folder and the target's name
  uint32_t subnet = 0;  // a /24, host byte order

  std::string bridge() const { return "mfbr-" + id; }
  std::string tap(int64_t instance_id) const { return "mft" + id + std::to_string(instance_id); }
  std::string nft_table() const { return "mayfly-" + id; }
  std::string gateway() const { return host(1); }
  std::string host(int number) const;  // subnet + number, dotted
};

// The id of the network of `target` whose state lives in `state_dir`: two sites (or two
// targets) on one host get different bridges.
std::string network_id(const std::string& state_dir, const std::string& target);

// A /24 in 10.213.0.0/16 that overlaps no route of this network namespace, tried from a
// place the id picks so that networks made at the same time rarely race for one.
uint32_t choose_subnet(const std::string& id);

// The bridge with its address, up. Idempotent.
void ensure_bridge(const BridgeNetwork& network);
// Enslaves an instance's TAP (QEMU created it) to the bridge and sets it up.
void attach_tap(const BridgeNetwork& network, const std::string& tap);
// Deletes every TAP of the network that is left and the bridge. Idempotent.
void remove_bridge_network(const BridgeNetwork& network);

// A locally administered MAC derived from the instance's address: unique on the bridge.
std::string mac_for(const BridgeNetwork& network, int host_number);

std::string dotted(uint32_t address);  // host byte order in

}  // namespace mayfly::deploy::local
