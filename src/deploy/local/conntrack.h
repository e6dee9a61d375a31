#pragma once
// Connection tracking, read to know when an instance is drained in nat mode: the DNAT rule
// only steers new connections, so the old instance still has flows until the kernel's
// table shows none through the stable address to it.
#include <string>

namespace mayfly::deploy::local {

// The kernel's table of the current network namespace: /proc/net/nf_conntrack where the
// kernel offers it, else `conntrack -L` (Debian's conntrack package). Both print one flow
// per line as `key=value` words, the original direction first. "" when neither works.
std::string read_conntrack_table();

// Counts TCP flows in `table` whose original destination is address:port and whose reply
// comes from backend_ip (so DNATed to that backend), and that are not yet closed
// (TIME_WAIT and CLOSE carry no more data).
int count_flows(const std::string& table, const std::string& address, unsigned port,
                const std::string& backend_ip);

}  // namespace mayfly::deploy::local
