#include "deploy/local/nat_address.h"

#include <unistd.h>

#include "deploy/local/command.h"
#include "deploy/provider.h"

namespace mayfly::deploy::local {
namespace {

// Refs become nft comments: keep them to characters that need no quoting rules.
bool safe_label(const std::string& text) {
  for (char c : text) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return !text.empty();
}

}  // namespace

std::string nft_unusable_reason() {
  if (geteuid() != 0) return "not running as root";
  CommandResult listed = run_command({"nft", "list", "tables"});
  if (listed.status == 127) return "nft is not installed (Debian: nftables)";
  if (!listed.ok()) return "nft does not work here: " + listed.output;
  return {};
}

void nft_point(const std::string& table, const std::string& address, unsigned port,
               const std::string& backend_ip, const std::string& ref) {
  if (!safe_label(ref)) throw ProviderError("instance ref '" + ref + "' cannot label a rule");
  const std::string t = "ip " + table;
  const std::string match = "ip daddr " + address + " tcp dport " + std::to_string(port);
  const std::string action = "dnat to " + backend_ip + ":80 comment \"" + ref + "\"";
  // One script is one transaction: the table and chains are made if missing (add is
  // idempotent), both chains emptied and refilled, and the kernel applies all or nothing.
  std::string script;
  for (const std::string& line :
       {"add table " + t,
        "add chain " + t + " prerouting { type nat hook prerouting priority -100; }",
        "add chain " + t + " output { type nat hook output priority -100; }",
        "flush chain " + t + " prerouting", "flush chain " + t + " output",
        "add rule " + t + " prerouting " + match + " " + action,
        "add rule " + t + " output " + match + " " + action}) {
    script += line + "\n";
  }
  CommandResult applied = run_command({"nft", "-f", "-"}, script);
  if (!applied.ok()) throw ProviderError("nft refused the switch: " + applied.output);
}

std::string nft_points_to(const std::string& table) {
  CommandResult listed = run_command({"nft", "list", "chain", "ip", table, "prerouting"});
  if (!listed.ok()) return {};
  const std::string key = "comment \"";
  size_t at = listed.output.find(key);
  if (at == std::string::npos) return {};
  at += key.size();
  size_t end = listed.output.find('"', at);
  return end == std::string::npos ? std::string() : listed.output.substr(at, end - at);
}

void nft_delete_table(const std::string& table) {
  // `destroy` would ignore a missing table, but needs nft 1.0.8; check first instead.
  if (!run_command({"nft", "list", "table", "ip", table}).ok()) return;
  CommandResult deleted = run_command({"nft", "delete", "table", "ip", table});
  if (!deleted.ok() && run_command({"nft", "list", "table", "ip", table}).ok()) {
    throw ProviderError("nft could not delete table ip " + table + ": " + deleted.output);
  }
}

}  // namespace mayfly::deploy::local
