// The nat mode's pure parts: reading conntrack's table for the drain, the recorded network,
// names and addresses of what mayfly creates, and the setting's check.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "deploy/local/bridge_network.h"
#include "deploy/local/conntrack.h"
#include "deploy/local/network_mode.h"
#include "deploy/provider.h"

namespace mayfly::deploy::local {
namespace {

namespace fs = std::filesystem;

// As /proc/net/nf_conntrack prints them; `conntrack -L` prints the same without the
// leading "ipv4 2".
constexpr const char* kTable =
    "ipv4     2 tcp      6 431999 ESTABLISHED src=10.77.0.1 dst=10.77.0.1 sport=44912 "
    "dport=8080 src=10.213.5.2 dst=10.77.0.1 sport=80 dport=44912 [ASSURED] mark=0 use=2\n"
    "ipv4     2 tcp      6 119 TIME_WAIT src=10.77.0.1 dst=10.77.0.1 sport=44902 dport=8080 "
    "src=10.213.5.2 dst=10.77.0.1 sport=80 dport=44902 [ASSURED] mark=0 zone=0 use=2\n"
    "ipv4     2 tcp      6 60 FIN_WAIT src=10.9.9.9 dst=10.77.0.1 sport=1234 dport=8080 "
    "src=10.213.5.2 dst=10.9.9.9 sport=80 dport=1234 [ASSURED] mark=0 zone=0 use=2\n"
    "ipv4     2 tcp      6 431999 ESTABLISHED src=10.77.0.1 dst=10.77.0.1 sport=44920 "
    "dport=8080 src=10.213.5.3 dst=10.77.0.1 sport=80 dport=44920 [ASSURED] mark=0 use=2\n"
    // The health check reaches the instance directly: not through the address.
    "ipv4     2 tcp      6 431999 ESTABLISHED src=10.213.5.1 dst=10.213.5.2 sport=5000 "
    "dport=80 src=10.213.5.2 dst=10.213.5.1 sport=80 dport=5000 [ASSURED] mark=0 use=2\n"
    "ipv4     2 udp      17 20 src=10.77.0.1 dst=10.77.0.1 sport=53 dport=8080 "
    "src=10.213.5.2 dst=10.77.0.1 sport=8080 dport=53 mark=0 use=2\n"
    "tcp      6 431999 ESTABLISHED src=10.77.0.1 dst=10.77.0.1 sport=44930 dport=8080 "
    "src=10.213.5.2 dst=10.77.0.1 sport=80 dport=44930 [ASSURED] mark=0 use=1\n";

TEST(Conntrack, CountsOpenFlowsThroughTheAddressToOneBackend) {
  // Two ESTABLISHED (procfs and tool formats) and one FIN_WAIT; TIME_WAIT is closed.
  EXPECT_EQ(count_flows(kTable, "10.77.0.1", 8080, "10.213.5.2"), 3);
  EXPECT_EQ(count_flows(kTable, "10.77.0.1", 8080, "10.213.5.3"), 1);
  EXPECT_EQ(count_flows(kTable, "10.77.0.1", 8081, "10.213.5.2"), 0);
  EXPECT_EQ(count_flows(kTable, "10.77.0.2", 8080, "10.213.5.2"), 0);
  // A prefix of another address is not that address.
  EXPECT_EQ(count_flows(kTable, "10.77.0.1", 8080, "10.213.5.22"), 0);
  EXPECT_EQ(count_flows("", "10.77.0.1", 8080, "10.213.5.2"), 0);
}

TEST(BridgeNetwork, NamesFitInterfaceNamesAndCarryTheId) {
  BridgeNetwork network{network_id("/srv/blog/.mayfly", "default"), 0x0AD50700};
  EXPECT_EQ(network.id.size(), 6u);
  EXPECT_EQ(network.id, network_id("/srv/blog/.mayfly/", "default"));
  EXPECT_NE(network.id, network_id("/srv/blog/.mayfly", "staging"));
  EXPECT_EQ(network.bridge(), "mfbr-" + network.id);
  EXPECT_LE(network.tap(999999).size(), 15u);  // IFNAMSIZ - 1
  EXPECT_EQ(network.nft_table(), "mayfly-" + network.id);
  EXPECT_EQ(network.gateway(), "10.213.7.1");
  EXPECT_EQ(network.host(42), "10.213.7.42");
  EXPECT_EQ(mac_for(network, 42), "02:6d:66:d5:07:2a");
}

TEST(BridgeNetwork, ChosenSubnetIsInThePool) {
  uint32_t subnet = choose_subnet("00ab12");
  EXPECT_EQ(subnet & 0xffff0000, 0x0AD50000u);
  EXPECT_EQ(subnet & 0xff, 0u);
}

TEST(NetworkMode, RecordsReadBackAndBadOnesAreNone) {
  fs::path path = fs::temp_directory_path() / ("mayfly-net-" + std::to_string(getpid()));
  NetworkRecord nat;
  nat.mode = NetworkMode::nat;
  nat.network = {"a1b2c3", 0x0AD50900};
  write_network_record(path.string(), nat);
  auto back = read_network_record(path.string());
  ASSERT_TRUE(back);
  EXPECT_EQ(back->mode, NetworkMode::nat);
  EXPECT_EQ(back->network.id, "a1b2c3");
  EXPECT_EQ(back->network.subnet, 0x0AD50900u);
  write_network_record(path.string(), NetworkRecord{});
  back = read_network_record(path.string());
  ASSERT_TRUE(back);
  EXPECT_EQ(back->mode, NetworkMode::forwarder);
  fs::remove(path);
  EXPECT_FALSE(read_network_record(path.string()));  // none: the caller's forwarder default
}

TEST(NetworkMode, SettingsAndChoices) {
  EXPECT_EQ(check_network_setting("auto"), "");
  EXPECT_EQ(check_network_setting("nat"), "");
  EXPECT_EQ(check_network_setting("forwarder"), "");
  EXPECT_NE(check_network_setting("bridge"), "");
  EXPECT_EQ(choose_network_mode("forwarder", "10.1.2.3:80"), NetworkMode::forwarder);
  // Loopback addresses never get nat: auto falls back, nat says why.
  EXPECT_EQ(choose_network_mode("auto", "127.0.0.1:8080"), NetworkMode::forwarder);
  try {
    choose_network_mode("nat", "127.0.0.1:8080");
    FAIL() << "nat accepted a loopback address";
  } catch (const ProviderError& error) {
    EXPECT_NE(std::string(error.what()).find("loopback"), std::string::npos);
  }
  EXPECT_THROW(choose_network_mode("nat", "example.org:80"), ProviderError);
}

}  // namespace
}  // namespace mayfly::deploy::local
