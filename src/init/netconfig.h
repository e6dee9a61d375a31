#pragma once
// The first Ethernet interface: found in /sys/class/net, brought up and given an address
// and a default route with the classic ioctls (netdevice(7), SIOCADDRT of route(4)).
#include <array>
#include <cstdint>
#include <string>

namespace mayfly::init {

// Waits up to `timeout_ms` for an interface of ARPHRD_ETHER type other than lo (drivers
// probe asynchronously after finit_module). Returns its name or "".
std::string find_ethernet(int timeout_ms);
std::string link_up(const std::string& ifname);  // "" or the error
std::array<uint8_t, 6> mac_of(const std::string& ifname);
std::string set_address(const std::string& ifname, uint32_t address, int prefix);
std::string add_default_route(uint32_t gateway);
std::string dotted(uint32_t host_order);

}  // namespace mayfly::init
