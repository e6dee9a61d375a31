#pragma once
// DHCP for mayfly-init, with the project's own message code (net/wire/dhcp.h): DISCOVER,
// OFFER, REQUEST, ACK (RFC 2131 §3.1) over a UDP socket bound to port 68 on the interface,
// with the BROADCAST flag set (RFC 2131 §4.1) so the server broadcasts its replies to a
// client that has no address yet. The lease is not renewed: the fallback flavour serves a
// site for the life of an instance, and cloud DHCP leases (AWS: 1 hour, renewed by the
// same address) keep the address valid without traffic — noted in docs/image.md.
#include <string>

#include "init/cmdline.h"

namespace mayfly::init {

// Returns "" and fills `out` (address, prefix, gateway), or what went wrong.
std::string dhcp_configure(const std::string& ifname, StaticIp& out);

}  // namespace mayfly::init
