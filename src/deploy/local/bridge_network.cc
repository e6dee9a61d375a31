#include "deploy/local/bridge_network.h"

#include <arpa/inet.h>

#include <cstdio>
#include <filesystem>
#include <sstream>

#include "deploy/local/command.h"
#include "deploy/local/text_file.h"
#include "deploy/provider.h"

namespace mayfly::deploy::local {
namespace fs = std::filesystem;
namespace {

constexpr uint32_t kPool = 0x0AD50000;  // 10.213.0.0/16

void run_ip(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"ip"};
  argv.insert(argv.end(), args.begin(), args.end());
  CommandResult result = run_command(argv);
  if (!result.ok()) {
    std::string line;
    for (const auto& arg : argv) line += (line.empty() ? "" : " ") + arg;
    throw ProviderError(line + ": " + result.output);
  }
}

bool link_exists(const std::string& name) {
  return fs::exists("/sys/class/net/" + name);
}

// (destination, mask) of every IPv4 route in the main table, host byte order.
std::vector<std::pair<uint32_t, uint32_t>> routes() {
  std::vector<std::pair<uint32_t, uint32_t>> out;
  std::istringstream lines(read_text("/proc/net/route"));
  std::string line;
  std::getline(lines, line);  // the header
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string iface, destination, gateway, flags, refcnt, use, metric, mask;
    if (!(words >> iface >> destination >> gateway >> flags >> refcnt >> use >> metric >> mask)) {
      continue;
    }
    // The kernel prints the addresses as native integers of network-order bytes.
    uint32_t dst = ntohl(static_cast<uint32_t>(std::stoul(destination, nullptr, 16)));
    uint32_t msk = ntohl(static_cast<uint32_t>(std::stoul(mask, nullptr, 16)));
    if (msk != 0) out.push_back({dst, msk});  // the default route overlaps everything
  }
  return out;
}

}  // namespace

std::string dotted(uint32_t address) {
  char text[16];
  std::snprintf(text, sizeof text, "%u.%u.%u.%u", address >> 24, (address >> 16) & 255,
                (address >> 8) & 255, address & 255);
  return text;
}

std::string BridgeNetwork::host(int number) const {
  return dotted(subnet + static_cast<uint32_t>(number));
}

std::string network_id(const std::string& state_dir, const std::string& target) {
  // FNV-1a: short, stable across builds, and enough to keep a few networks apart.
  uint64_t hash = 0xcbf29ce484222325ull;
  fs::path folder = fs::absolute(state_dir).lexically_normal();
  if (!folder.has_filename()) folder = folder.parent_path();  // "a/b/" is "a/b"
  std::string key = folder.string() + '\0' + target;
  for (unsigned char c : key) hash = (hash ^ c) * 0x100000001b3ull;
  char id[7];
  std::snprintf(id, sizeof id, "%06x", static_cast<unsigned>(hash & 0xffffff));
  return id;
}

uint32_t choose_subnet(const std::string& id) {
  auto taken = routes();
  unsigned start = static_cast<unsigned>(std::stoul(id, nullptr, 16)) & 255;
  for (unsigned i = 0; i < 256; ++i) {
    uint32_t candidate = kPool | (((start + i) & 255) << 8);
    bool overlaps = false;
    for (auto [dst, mask] : taken) {
      uint32_t common = mask & 0xffffff00;  // the shorter of the two prefixes
      overlaps |= (candidate & common) == (dst & common);
    }
    if (!overlaps) return candidate;
  }
  throw ProviderError("no free /24 left in 10.213.0.0/16 for an instance network");
}

void ensure_bridge(const BridgeNetwork& network) {
  const std::string bridge = network.bridge();
  if (!link_exists(bridge)) {
    CommandResult made = run_command({"ip", "link", "add", bridge, "type", "bridge"});
    // Another command may have made it just now; anything else is a real failure.
    if (!made.ok() && !link_exists(bridge)) {
      throw ProviderError("ip link add " + bridge + " type bridge: " + made.output);
    }
  }
  // A bridge without an address of its own takes the lowest MAC of its ports and changes
  // it when that port goes: the VMs' cached gateway MAC would then be wrong until they ask
  // again, and their answers lost meanwhile. A set address never changes.
  run_ip({"link", "set", "dev", bridge, "address", mac_for(network, 1)});
  run_ip({"addr", "replace", network.gateway() + "/24", "dev", bridge});
  run_ip({"link", "set", bridge, "up"});
}

void attach_tap(const BridgeNetwork& network, const std::string& tap) {
  run_ip({"link", "set", tap, "master", network.bridge(), "up"});
}

void remove_bridge_network(const BridgeNetwork& network) {
  const std::string tap_prefix = "mft" + network.id;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator("/sys/class/net", error)) {
    std::string name = entry.path().filename().string();
    if (name.rfind(tap_prefix, 0) == 0) run_command({"ip", "link", "del", name});
  }
  if (link_exists(network.bridge())) run_command({"ip", "link", "del", network.bridge()});
  if (link_exists(network.bridge())) {
    throw ProviderError("could not delete the bridge " + network.bridge());
  }
}

std::string mac_for(const BridgeNetwork& network, int host_number) {
  char mac[18];
  // 02: locally administered, unicast; then "mf" and the address's last two bytes.
  std::snprintf(mac, sizeof mac, "02:6d:66:%02x:%02x:%02x", (network.subnet >> 16) & 255,
                (network.subnet >> 8) & 255, host_number & 255);
  return mac;
}

}  // namespace mayfly::deploy::local
