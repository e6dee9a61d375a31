#include "init/dhcp.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <random>

#include "init/console.h"
#include "init/netconfig.h"
#include "net/wire/dhcp.h"

namespace mayfly::init {
namespace {

using net::DhcpMessageType;
using net::DhcpRepr;

// Sends `m` to 255.255.255.255:67 and waits up to `wait_ms` for a reply of `want` type
// with our xid.
std::optional<DhcpRepr> exchange(int fd, const DhcpRepr& m, DhcpMessageType want, int wait_ms,
                                 std::array<uint8_t, 1500>& rx) {
  std::array<uint8_t, 600> tx{};
  std::optional<size_t> n = m.emit(tx);
  if (!n) return std::nullopt;
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(67);
  to.sin_addr.s_addr = INADDR_BROADCAST;
  if (::sendto(fd, tx.data(), *n, 0, reinterpret_cast<sockaddr*>(&to), sizeof to) < 0)
    return std::nullopt;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) return std::nullopt;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, int(left)) <= 0) continue;
    ssize_t got = ::recv(fd, rx.data(), rx.size(), 0);
    if (got <= 0) continue;
    std::optional<DhcpRepr> r = DhcpRepr::parse(std::span<const uint8_t>(rx.data(), size_t(got)));
    if (r && r->op == DhcpRepr::Op::kReply && r->xid == m.xid && r->message_type == want) return r;
    if (r && r->xid == m.xid && r->message_type == DhcpMessageType::kNak) return std::nullopt;
  }
}

int prefix_of(uint32_t mask) {
  int p = 0;
  while (p < 32 && (mask & (0x80000000u >> p))) ++p;
  return p;
}

}  // namespace

std::string dhcp_configure(const std::string& ifname, StaticIp& out) {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::string("socket: ") + std::strerror(errno);
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one);
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  // SO_BINDTODEVICE: with no address yet the broadcast must leave through this interface.
  ::setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname.c_str(), socklen_t(ifname.size()));
  sockaddr_in me{};
  me.sin_family = AF_INET;
  me.sin_port = htons(68);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&me), sizeof me) < 0) {
    std::string e = std::string("bind to port 68: ") + std::strerror(errno);
    ::close(fd);
    return e;
  }
  std::array<uint8_t, 6> mac = mac_of(ifname);
  std::random_device rd;
  static const uint8_t kWanted[] = {net::dhcp_option::kSubnetMask, net::dhcp_option::kRouter};
  std::array<uint8_t, 1500> rx{};
  // RFC 2131 §4.1: retransmit with growing delays (here 1, 2, 4, 8 s, then every 8 s; about
  // a minute in all before giving up).
  int wait_ms = 1000;
  for (int attempt = 0; attempt < 10; ++attempt, wait_ms = wait_ms < 8000 ? wait_ms * 2 : 8000) {
    DhcpRepr d;
    d.xid = uint32_t(rd());
    d.broadcast = true;
    d.chaddr = net::MacAddress(mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
    d.message_type = DhcpMessageType::kDiscover;
    d.parameter_request_list = kWanted;
    std::optional<DhcpRepr> offer = exchange(fd, d, DhcpMessageType::kOffer, wait_ms, rx);
    if (!offer || !offer->server_id) continue;
    DhcpRepr req = d;
    req.message_type = DhcpMessageType::kRequest;
    req.requested_ip = offer->yiaddr;
    req.server_id = offer->server_id;
    std::optional<DhcpRepr> ack = exchange(fd, req, DhcpMessageType::kAck, wait_ms, rx);
    if (!ack) continue;
    out.address = ack->yiaddr.value();
    uint32_t mask = ack->subnet_mask ? ack->subnet_mask->value() : 0xffffff00u;
    out.prefix = prefix_of(mask);
    out.gateway = ack->router ? ack->router->value() : 0;
    ::close(fd);
    return {};
  }
  ::close(fd);
  return "no answer from a DHCP server on " + ifname;
}

}  // namespace mayfly::init
