#include "hosted/netstack/user_stack.h"

#include <signal.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "hosted/netstack/pcap_writer.h"
#include "hosted/netstack/tap_device.h"
#include "net/dhcp/dhcp_client.h"
#include "net/iface/fault_device.h"
#include "net/iface/interface.h"
#include "net/service/http_service.h"
#include "net/tcp/tcp.h"
#include "net/wire/address_text.h"

namespace mayfly::hosted::netstack {
namespace {

// Connections at once (the TCP pool, and so the HTTP connection limit) and each one's
// receive ring: requests are small, so 32 KiB is plenty and keeps the pool at 16 MiB.
constexpr size_t kConnections = 512;
constexpr size_t kReceiveRing = 32 * 1024;
// Frames the fault injector may hold (delay × rate): 4096 × 1.5 KiB.
constexpr size_t kFaultFrames = 4096;
// After the service has drained, how long the stack may still send FINs and ACKs.
constexpr int64_t kLingerMs = 300;

int64_t monotonic_ms() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

// The operating system's randomness, drawn in blocks (ISNs, ports, DHCP xids, IP ids).
class OsRandom : public net::Random {
 public:
  uint32_t next_u32() override {
    if (used_ == kBlock) {
      size_t got = 0;
      while (got < sizeof block_) {
        ssize_t n = getrandom(reinterpret_cast<char*>(block_) + got, sizeof block_ - got, 0);
        if (n > 0)
          got += size_t(n);
        else if (errno != EINTR)
          throw std::runtime_error("getrandom failed");
      }
      used_ = 0;
    }
    return block_[used_++];
  }

 private:
  static constexpr size_t kBlock = 256;
  uint32_t block_[kBlock];
  size_t used_ = kBlock;
};

// A seeded generator for fault decisions, so MAYFLY_FAULT_SEED=N repeats a run's faults.
class SeededRandom : public net::Random {
 public:
  explicit SeededRandom(uint64_t seed) : s_(seed ? seed : 0x9e3779b97f4a7c15ull) {}
  uint32_t next_u32() override {
    s_ ^= s_ << 13;
    s_ ^= s_ >> 7;
    s_ ^= s_ << 17;
    return uint32_t(s_ >> 32);
  }

 private:
  uint64_t s_;
};

// Access-log lines gathered and written once a second or when 64 KiB are waiting.
struct AccessLog {
  int fd = -1;
  std::string buffer;
  void flush() {
    size_t off = 0;
    while (off < buffer.size()) {
      ssize_t n = ::write(fd, buffer.data() + off, buffer.size() - off);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;  // the log is best effort; serving goes on
      off += size_t(n);
    }
    buffer.clear();
  }
  static void line(void* ctx, const net::HttpAccess& a) {
    auto* self = static_cast<AccessLog*>(ctx);
    char out[http::kMaxAccessLine];
    self->buffer.append(out, net::format_http_access(a, out));
    if (self->buffer.size() >= 64 * 1024) self->flush();
  }
};

std::string text(net::Ipv4Address a) {
  uint32_t v = a.value();
  return std::to_string(v >> 24) + "." + std::to_string((v >> 16) & 255) + "." +
         std::to_string((v >> 8) & 255) + "." + std::to_string(v & 255);
}

net::MacAddress random_mac(net::Random& r) {
  uint32_t a = r.next_u32(), b = r.next_u32();
  // 0x02: locally administered, unicast (IEEE 802 U/L and I/G bits).
  return net::MacAddress(0x02, uint8_t(a), uint8_t(a >> 8), uint8_t(a >> 16), uint8_t(a >> 24),
                         uint8_t(b));
}

}  // namespace

std::optional<std::string> check_user_stack_options(const UserStackOptions& o) {
  if (o.stack != "linux" && o.stack != "user")
    return "--stack: expected linux or user, not '" + o.stack + "'";
  bool any_user = !o.tap.empty() || o.dhcp || !o.ip.empty() || !o.gw.empty() || !o.mac.empty() ||
                  !o.pcap.empty() || !o.faults.empty();
  if (o.stack == "linux") {
    if (any_user) return "--tap, --dhcp, --ip, --gw, --mac, --pcap and --faults need --stack user";
    return std::nullopt;
  }
  if (o.tap.empty()) return "--stack user needs --tap NAME";
  if (o.dhcp == !o.ip.empty())
    return "--stack user needs exactly one of --dhcp and --ip ADDR/PREFIX";
  if (!o.ip.empty()) {
    auto cidr = net::parse_ipv4_cidr(o.ip);
    if (!cidr) return "--ip " + o.ip + ": expected ADDR/PREFIX, e.g. 10.0.0.2/24";
    if (cidr->prefix_len == 0 || cidr->prefix_len > 30)
      return "--ip " + o.ip + ": the prefix must be 1 to 30";
  }
  if (!o.gw.empty()) {
    if (o.dhcp) return "--gw comes from DHCP with --dhcp; give it only with --ip";
    if (!net::parse_ipv4(o.gw)) return "--gw " + o.gw + ": expected an IPv4 address";
  }
  if (!o.mac.empty()) {
    auto mac = net::parse_mac(o.mac);
    if (!mac) return "--mac " + o.mac + ": expected aa:bb:cc:dd:ee:ff";
    if (mac->bytes()[0] & 1) return "--mac " + o.mac + ": a multicast address cannot be ours";
  }
  if (!o.faults.empty()) {
    net::FaultSpec spec;
    if (auto err = net::parse_fault_spec(o.faults, spec))
      return "--faults " + o.faults + ": column " + std::to_string(err->column) + ": " +
             err->message;
  }
  return std::nullopt;
}

int run_user_stack(const bundle::Bundle& bundle, const UserStackOptions& options,
                   const ServerOptions& server,
                   const std::function<void(const std::string&)>& notice) {
  OsRandom random;
  net::MacAddress mac = options.mac.empty() ? random_mac(random) : *net::parse_mac(options.mac);
  TapDevice tap(options.tap, mac);
  net::Device* device = &tap;

  std::unique_ptr<PcapWriter> pcap;
  std::unique_ptr<PcapDevice> pcap_device;
  if (!options.pcap.empty()) {
    pcap = std::make_unique<PcapWriter>(options.pcap);
    pcap_device = std::make_unique<PcapDevice>(*device, *pcap);
    device = pcap_device.get();
  }
  std::unique_ptr<SeededRandom> fault_random;
  std::unique_ptr<net::StaticFaultDevice<kFaultFrames>> faults;
  if (!options.faults.empty()) {
    net::FaultSpec spec;
    net::parse_fault_spec(options.faults, spec);  // checked by check_user_stack_options
    uint64_t seed = 0;
    if (const char* s = std::getenv("MAYFLY_FAULT_SEED")) seed = std::strtoull(s, nullptr, 10);
    if (seed == 0) seed = (uint64_t(random.next_u32()) << 32) | random.next_u32();
    fault_random = std::make_unique<SeededRandom>(seed);
    faults = std::make_unique<net::StaticFaultDevice<kFaultFrames>>(*device, *fault_random, spec);
    device = faults.get();
  }

  auto iface = std::make_unique<net::Interface>(*device, random);
  // Segmentation offload when the device has it (the TAP does; the fault injector does not,
  // so faults apply to real segments): one buffer for the large frames.
  // MAYFLY_NO_TSO=1 turns it off (tests of small-MTU paths want every frame real).
  std::vector<uint8_t> tso_buffer(14 + 65535);
  const char* no_tso = std::getenv("MAYFLY_NO_TSO");
  if (!no_tso || std::string(no_tso) != "1") iface->enable_tso(tso_buffer);
  auto tcp = std::make_unique<net::StaticTcp<kConnections, kReceiveRing>>(*iface);
  iface->set_tcp_handler(tcp.get());

  AccessLog log;
  log.fd = server.access_log_fd;
  net::HttpServiceOptions ho;
  ho.port = net::Port(server.port);
  ho.backlog = 128;
  ho.header_timeout = net::Duration::from_millis(server.header_timeout_ms);
  ho.idle_timeout = net::Duration::from_millis(server.idle_timeout_ms);
  ho.write_timeout = net::Duration::from_millis(server.write_timeout_ms);
  if (log.fd >= 0) {
    ho.access_log = &AccessLog::line;
    ho.access_log_context = &log;
  }
  auto http = std::make_unique<net::StaticHttpService<kConnections>>(*tcp, bundle, ho);
  if (!http->start())
    throw std::runtime_error("cannot listen on port " + std::to_string(server.port) +
                             " on the user stack");

  int64_t now_ms = monotonic_ms();
  auto now = [&] { return net::Instant::from_millis(now_ms); };
  std::unique_ptr<net::DhcpClient> dhcp;
  if (options.dhcp) {
    // RFC 2131 §4.4.1 asks for a random 1–10 s wait before the first DISCOVER so that
    // machines booting together spread out; one process on a test link waits at most 1 s.
    net::DhcpClientConfig dc;
    dc.init_delay_min = net::Duration{};
    dc.init_delay_max = net::Duration::from_secs(1);
    dhcp = std::make_unique<net::DhcpClient>(*iface, random, dc);
    if (dhcp->start(now()) != net::NetError::kOk)
      throw std::runtime_error("cannot start the DHCP client");
  } else {
    net::Ipv4Config config{*net::parse_ipv4_cidr(options.ip), std::nullopt};
    if (!options.gw.empty()) config.gateway = *net::parse_ipv4(options.gw);
    iface->set_ipv4(config);
  }

  // SIGINT/SIGTERM arrive on a descriptor in the same epoll set as the TAP.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  int sfd = signalfd(-1, &signals, SFD_NONBLOCK | SFD_CLOEXEC);
  int ep = epoll_create1(EPOLL_CLOEXEC);
  if (sfd < 0 || ep < 0) throw std::runtime_error(std::string("epoll: ") + std::strerror(errno));
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = tap.fd();
  epoll_ctl(ep, EPOLL_CTL_ADD, tap.fd(), &ev);
  ev.data.fd = sfd;
  epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev);

  char mac_text[18];
  std::snprintf(mac_text, sizeof mac_text, "%02x:%02x:%02x:%02x:%02x:%02x", mac.bytes()[0],
                mac.bytes()[1], mac.bytes()[2], mac.bytes()[3], mac.bytes()[4], mac.bytes()[5]);
  notice("user stack on TAP " + options.tap + " (MAC " + mac_text + ", MTU " +
         std::to_string(iface->mtu()) + ")" + (options.dhcp ? ", asking DHCP for an address" : ""));

  std::optional<net::Ipv4Config> announced;
  bool draining = false;
  int64_t drain_deadline = 0;
  int64_t linger_until = -1;
  int64_t last_flush = now_ms;
  for (;;) {
    now_ms = monotonic_ms();
    int64_t unix_now = time(nullptr);
    if (faults) faults->poll(now());
    bool busy = iface->poll(now());
    if (dhcp) {
      dhcp->poll(now());
      busy |= iface->poll(now());
    }
    http->poll(now(), unix_now);
    iface->poll(now());
    if (faults) faults->poll(now());

    if (iface->ipv4() != announced) {
      announced = iface->ipv4();
      if (announced) {
        std::string gw = announced->gateway ? ", gateway " + text(*announced->gateway) : "";
        notice("address " + text(announced->cidr.address) + "/" +
               std::to_string(announced->cidr.prefix_len) + gw + "; serving at http://" +
               text(announced->cidr.address) + ":" + std::to_string(server.port) +
               "/ — Ctrl-C to stop");
      } else {
        notice("address lost; waiting for DHCP");
      }
    }
    if (now_ms - last_flush >= 1000) {
      if (log.fd >= 0) log.flush();
      if (pcap) pcap->flush();
      last_flush = now_ms;
    }
    if (draining) {
      if (linger_until < 0 && (http->drained() || now_ms >= drain_deadline))
        linger_until = now_ms + kLingerMs;
      if (linger_until >= 0 && now_ms >= linger_until) break;
    }

    auto deadline = net::earliest(iface->next_deadline(), http->next_deadline());
    if (dhcp) deadline = net::earliest(deadline, dhcp->next_deadline());
    if (faults) deadline = net::earliest(deadline, faults->next_deadline());
    int64_t wait = 1000;
    if (deadline) wait = deadline->millis <= now_ms ? 0 : deadline->millis - now_ms;
    if (wait > 1000) wait = 1000;
    if (draining && wait > 50) wait = 50;
    if (busy) wait = 0;
    epoll_event events[4];
    int n = epoll_wait(ep, events, 4, int(wait));
    for (int i = 0; i < n; ++i) {
      if (events[i].data.fd != sfd) continue;
      signalfd_siginfo si;
      while (::read(sfd, &si, sizeof si) == sizeof si) {
      }
      if (!draining) {
        draining = true;
        drain_deadline = monotonic_ms() + server.drain_timeout_ms;
        http->drain();
      }
    }
  }
  ::close(ep);
  ::close(sfd);
  if (log.fd >= 0) log.flush();
  if (pcap) pcap->flush();

  const auto& hs = http->stats();
  const auto& ts = tcp->stats();
  const auto& is = iface->stats();
  std::string summary =
      "stopped: " + std::to_string(hs.requests) + " requests on " + std::to_string(hs.accepted) +
      " connections; frames in " + std::to_string(is.rx_frames) + ", out " +
      std::to_string(is.tx_frames) + "; tcp retransmits " + std::to_string(ts.retransmits) +
      ", timeouts " + std::to_string(ts.timeouts) + ", fast " + std::to_string(ts.fast_retransmits);
  if (faults) {
    const auto& f = faults->stats();
    summary += "; faults dropped " + std::to_string(f.dropped) + ", duplicated " +
               std::to_string(f.duplicated) + ", corrupted " + std::to_string(f.corrupted) +
               ", reordered " + std::to_string(f.reordered) + ", delayed " +
               std::to_string(f.delayed) + ", overflow " + std::to_string(f.overflow);
  }
  if (pcap) summary += "; pcap " + std::to_string(pcap->frames()) + " frames";
  notice(summary);
  return 0;
}

}  // namespace mayfly::hosted::netstack
