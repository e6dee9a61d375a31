#include "init/netconfig.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

namespace mayfly::init {
namespace {

struct Sock {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ~Sock() {
    if (fd >= 0) ::close(fd);
  }
};

std::string err(const char* what) {
  return std::string(what) + ": " + std::strerror(errno);
}

void fill(ifreq& r, const std::string& ifname) {
  std::memset(&r, 0, sizeof r);
  std::strncpy(r.ifr_name, ifname.c_str(), IFNAMSIZ - 1);
}

sockaddr_in inet(uint32_t host_order) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(host_order);
  return a;
}

}  // namespace

std::string dotted(uint32_t host_order) {
  return std::to_string(host_order >> 24) + "." + std::to_string((host_order >> 16) & 255) + "." +
         std::to_string((host_order >> 8) & 255) + "." + std::to_string(host_order & 255);
}

std::string find_ethernet(int timeout_ms) {
  for (int waited = 0; waited <= timeout_ms; waited += 50) {
    std::error_code ec;
    std::string best;
    for (const auto& d : std::filesystem::directory_iterator("/sys/class/net", ec)) {
      std::string name = d.path().filename().string();
      std::ifstream type(d.path() / "type");
      int t = 0;
      // ARPHRD_ETHER (1); lo is ARPHRD_LOOPBACK (772). The first by name: eth0 / ens3.
      if (type >> t && t == 1 && (best.empty() || name < best)) best = name;
    }
    if (!best.empty()) return best;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return {};
}

std::string link_up(const std::string& ifname) {
  Sock s;
  for (const std::string& name : {std::string("lo"), ifname}) {
    ifreq r;
    fill(r, name);
    if (::ioctl(s.fd, SIOCGIFFLAGS, &r) < 0) return err("SIOCGIFFLAGS");
    r.ifr_flags = short(r.ifr_flags | IFF_UP);
    if (::ioctl(s.fd, SIOCSIFFLAGS, &r) < 0) return err("SIOCSIFFLAGS");
  }
  return {};
}

std::array<uint8_t, 6> mac_of(const std::string& ifname) {
  Sock s;
  ifreq r;
  fill(r, ifname);
  std::array<uint8_t, 6> mac{};
  if (::ioctl(s.fd, SIOCGIFHWADDR, &r) == 0) std::memcpy(mac.data(), r.ifr_hwaddr.sa_data, 6);
  return mac;
}

std::string set_address(const std::string& ifname, uint32_t address, int prefix) {
  Sock s;
  ifreq r;
  fill(r, ifname);
  sockaddr_in a = inet(address);
  std::memcpy(&r.ifr_addr, &a, sizeof a);
  if (::ioctl(s.fd, SIOCSIFADDR, &r) < 0) return err("SIOCSIFADDR");
  fill(r, ifname);
  sockaddr_in m = inet(prefix == 0 ? 0 : ~uint32_t(0) << (32 - prefix));
  std::memcpy(&r.ifr_netmask, &m, sizeof m);
  if (::ioctl(s.fd, SIOCSIFNETMASK, &r) < 0) return err("SIOCSIFNETMASK");
  return {};
}

std::string add_default_route(uint32_t gateway) {
  Sock s;
  rtentry rt{};
  sockaddr_in any = inet(0), gw = inet(gateway);
  std::memcpy(&rt.rt_dst, &any, sizeof any);
  std::memcpy(&rt.rt_genmask, &any, sizeof any);
  std::memcpy(&rt.rt_gateway, &gw, sizeof gw);
  rt.rt_flags = RTF_UP | RTF_GATEWAY;
  if (::ioctl(s.fd, SIOCADDRT, &rt) < 0) return err("SIOCADDRT");
  return {};
}

}  // namespace mayfly::init
