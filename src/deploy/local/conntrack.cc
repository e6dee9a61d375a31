#include "deploy/local/conntrack.h"

#include <sstream>
#include <vector>

#include "deploy/local/command.h"
#include "deploy/local/text_file.h"

namespace mayfly::deploy::local {

std::string read_conntrack_table() {
  std::string table = read_text("/proc/net/nf_conntrack");
  if (!table.empty()) return table;
  // No procfs view (a kernel without CONFIG_NF_CONNTRACK_PROCFS) or simply no flows: ask
  // the tool, which reads the same table over netlink.
  CommandResult listed = run_command({"conntrack", "-L", "-p", "tcp"});
  return listed.ok() ? listed.output : std::string();
}

int count_flows(const std::string& table, const std::string& address, unsigned port,
                const std::string& backend_ip) {
  const std::string want_dst = "dst=" + address;
  const std::string want_dport = "dport=" + std::to_string(port);
  const std::string want_reply_src = "src=" + backend_ip;
  int count = 0;
  std::istringstream lines(table);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string word;
    bool tcp = false, closed = false;
    // The first src/dst/sport/dport are the original direction, the second the reply.
    int srcs = 0, dsts = 0, dports = 0;
    bool dst_match = false, dport_match = false, reply_match = false;
    while (words >> word) {
      if (word == "tcp") tcp = true;
      if (word == "TIME_WAIT" || word == "CLOSE") closed = true;
      if (word.rfind("src=", 0) == 0 && ++srcs == 2) reply_match = word == want_reply_src;
      if (word.rfind("dst=", 0) == 0 && ++dsts == 1) dst_match = word == want_dst;
      if (word.rfind("dport=", 0) == 0 && ++dports == 1) dport_match = word == want_dport;
    }
    if (tcp && !closed && dst_match && dport_match && reply_match) ++count;
  }
  return count;
}

}  // namespace mayfly::deploy::local
