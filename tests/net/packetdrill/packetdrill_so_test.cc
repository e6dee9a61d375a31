// libmayfly_packetdrill.so driven the way packetdrill drives a --so_filename library:
// dlopen(), the packetdrill_interface_init entry point, then socket calls, datagrams in
// through netdev_send and out through netdev_receive, and time through usleep and
// gettimeofday. Each test plays what a .pkt script would say and checks the real values
// on the wire and the clock.
#include <dlfcn.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>

#include <cerrno>
#include <chrono>
#include <future>
#include <optional>
#include <vector>

#include "harness.h"
#include "net/packetdrill/abi.h"
#include "net/wire/ipv4.h"
#include "net/wire/tcp.h"

namespace mayfly::net::testing {
namespace {

using namespace tcp_flags;

// packetdrill's address plan: the stack in 192.168.0.0/16, the remote peer 192.0.2.1.
const Ipv4Address kLocal(192, 168, 0, 2);
const Ipv4Address kRemote(192, 0, 2, 1);
constexpr uint16_t kServerPort = 8080;
constexpr uint16_t kClientPort = 45678;

// Sanitizer runtimes refuse dlopen() with RTLD_DEEPBIND.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool kSanitizer = true;
#else
constexpr bool kSanitizer = false;
#endif
#else
constexpr bool kSanitizer = false;
#endif

// One datagram the stack sent, decoded. The TcpSegment views `datagram`, so a copy
// decodes its own bytes again.
struct Out {
  Bytes datagram;
  long long usecs = 0;
  std::optional<TcpSegment> tcp;
  TcpOptions opts;
  Bytes payload;
  Ipv4Address source, destination;

  Out() = default;
  Out(const Out& o) : datagram(o.datagram), usecs(o.usecs) { decode(); }
  Out& operator=(const Out& o) {
    datagram = o.datagram;
    usecs = o.usecs;
    decode();
    return *this;
  }
  void decode() {
    tcp.reset();
    auto ip = Ipv4Packet::parse(datagram);
    if (!ip) return;
    source = ip->source();
    destination = ip->destination();
    tcp = TcpSegment::parse(ip->payload(), ip->source(), ip->destination());
    if (!tcp) return;
    opts = tcp->options().value_or(TcpOptions{});
    payload.assign(tcp->payload().begin(), tcp->payload().end());
  }
};

class PacketdrillSo : public ::testing::Test {
 protected:
  void SetUp() override {
    // packetdrill opens with RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE | RTLD_DEEPBIND; the
    // sanitizer runtimes refuse RTLD_DEEPBIND, so sanitizer builds leave it out.
    int mode = RTLD_NOW | RTLD_LOCAL | (kSanitizer ? 0 : RTLD_DEEPBIND);
    handle_ = dlopen(MAYFLY_PACKETDRILL_SO, mode);
    ASSERT_NE(handle_, nullptr) << dlerror();
    auto init = reinterpret_cast<PacketdrillInitFn>(dlsym(handle_, "packetdrill_interface_init"));
    ASSERT_NE(init, nullptr) << dlerror();
    init("local_ip=192.168.0.2 seed=7", &ifc_);
    ASSERT_NE(ifc_.userdata, nullptr);
    start_ = now();
  }
  void TearDown() override {
    if (ifc_.free) ifc_.free(ifc_.userdata);
    if (handle_) dlclose(handle_);
  }

  long long now() {
    timeval tv{};
    EXPECT_EQ(ifc_.gettimeofday(ifc_.userdata, &tv, nullptr), 0);
    return (long long)tv.tv_sec * 1'000'000 + tv.tv_usec;
  }
  void sleep_ms(int ms) { ASSERT_EQ(ifc_.usleep(ifc_.userdata, useconds_t(ms) * 1000), 0); }

  // The remote peer sends one segment (packetdrill's "< flags seq:end(len) ack ... win").
  void inject(uint8_t flags, uint32_t seq, uint32_t ack, std::span<const uint8_t> data = {},
              TcpOptions opts = {}, uint16_t window = 65535, uint16_t from = kClientPort,
              uint16_t to = kServerPort) {
    TcpRepr r;
    r.source_port = Port(from);
    r.destination_port = Port(to);
    r.sequence = seq;
    r.acknowledgment = ack;
    r.flags = flags;
    r.window = window;
    r.options = opts;
    r.payload = data;
    Bytes l4(r.size());
    ASSERT_TRUE(r.emit(l4, kRemote, kLocal));
    Bytes d = ipv4_datagram(kRemote, kLocal, 6, l4);
    ASSERT_EQ(ifc_.netdev_send(ifc_.userdata, d.data(), d.size()), 0);
  }
  // The next datagram the stack sends (packetdrill's sniff: it calls again on -1).
  Out sniff() {
    Out o;
    std::vector<uint8_t> buf(65536);
    for (int tries = 0; tries < 20; ++tries) {
      size_t n = buf.size();
      if (ifc_.netdev_receive(ifc_.userdata, buf.data(), &n, &o.usecs) == 0 && n > 0) {
        o.datagram.assign(buf.begin(), buf.begin() + long(n));
        auto ip = Ipv4Packet::parse(o.datagram);
        EXPECT_TRUE(ip);
        if (ip) {
          EXPECT_EQ(ip->total_len(), n);  // no link padding
        }
        o.decode();
        EXPECT_TRUE(o.tcp) << "not a valid TCP segment";
        return o;
      }
    }
    ADD_FAILURE() << "the stack sent nothing";
    return o;
  }
  // A passive open on kServerPort as a script's first lines would do it; returns the
  // accepted fd and sets iss_ (our ISN) and the SYN-ACK.
  int server_handshake(Out* synack_out = nullptr) {
    int fd = ifc_.socket(ifc_.userdata, AF_INET, SOCK_STREAM, IPPROTO_TCP);
    EXPECT_EQ(fd, 3);
    int one = 1;
    EXPECT_EQ(ifc_.setsockopt(ifc_.userdata, fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one), 0);
    sockaddr_in a = endpoint(kLocal, kServerPort);
    EXPECT_EQ(ifc_.bind(ifc_.userdata, fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(ifc_.listen(ifc_.userdata, fd, 1), 0);
    TcpOptions syn;
    syn.mss = 1000;
    syn.sack_permitted = true;
    syn.timestamps = TcpTimestamps{100, 0};
    syn.window_scale = 7;
    inject(kSyn, 0, 0, {}, syn, 32792);
    Out synack = sniff();
    iss_ = synack.tcp ? synack.tcp->sequence() : 0;
    sleep_ms(100);
    TcpOptions ack;
    ack.timestamps = TcpTimestamps{200, synack.opts.timestamps ? synack.opts.timestamps->value : 0};
    inject(kAck, 1, iss_ + 1, {}, ack, 257);
    sockaddr_in peer{};
    socklen_t len = sizeof peer;
    int child = ifc_.accept(ifc_.userdata, fd, reinterpret_cast<sockaddr*>(&peer), &len);
    EXPECT_EQ(len, sizeof peer);
    EXPECT_EQ(ntohl(peer.sin_addr.s_addr), kRemote.value());
    EXPECT_EQ(ntohs(peer.sin_port), kClientPort);
    if (synack_out) *synack_out = synack;
    return child;
  }
  static sockaddr_in endpoint(Ipv4Address ip, uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(ip.value());
    return a;
  }
  TcpOptions ts(uint32_t value, const Out& echo) {
    TcpOptions o;
    o.timestamps = TcpTimestamps{value, echo.opts.timestamps ? echo.opts.timestamps->value : 0};
    return o;
  }

  void* handle_ = nullptr;
  PacketdrillInterface ifc_{};
  long long start_ = 0;
  uint32_t iss_ = 0;
};

TEST_F(PacketdrillSo, ExportsOnlyTheEntryPointAndFillsEveryCall) {
  // The freestanding stack inside is hidden: the host's own copy cannot be interposed.
  EXPECT_EQ(dlsym(handle_, "_ZN6mayfly3net3Tcp6acceptEi"), nullptr);
  const auto* slots = reinterpret_cast<void* const*>(&ifc_);
  for (size_t i = 0; i < sizeof ifc_ / sizeof(void*); ++i) EXPECT_NE(slots[i], nullptr) << i;
}

TEST_F(PacketdrillSo, PassiveOpenDataDelayedAckRetransmissionAndClose) {
  Out synack;
  int fd = server_handshake(&synack);
  ASSERT_EQ(fd, 4);
  // 0.000 > S. 0:0(0) ack 1 <mss 1460,sackOK,TS val ... ecr 100,nop,wscale N>
  ASSERT_TRUE(synack.tcp);
  EXPECT_EQ(synack.tcp->flags(), kSyn | kAck);
  EXPECT_EQ(synack.tcp->acknowledgment(), 1u);
  EXPECT_EQ(synack.tcp->source_port().value(), kServerPort);
  EXPECT_EQ(synack.tcp->destination_port().value(), kClientPort);
  EXPECT_EQ(synack.source, kLocal);
  EXPECT_EQ(synack.destination, kRemote);
  EXPECT_EQ(synack.opts.mss, 1460);
  EXPECT_TRUE(synack.opts.sack_permitted);
  ASSERT_TRUE(synack.opts.timestamps);
  EXPECT_EQ(synack.opts.timestamps->echo_reply, 100u);
  EXPECT_TRUE(synack.opts.window_scale);
  EXPECT_LT(synack.usecs - start_, 10);  // sent at once, on the virtual clock

  // +0 < P. 1:1001(1000) ack 1 win 257
  Bytes data(1000);
  for (size_t i = 0; i < data.size(); ++i) data[i] = uint8_t(i * 7);
  long long sent_at = now();
  inject(kAck | kPsh, 1, iss_ + 1, data, ts(300, synack), 257);
  // +.040 > . 1:1(0) ack 1001: one segment waits for the delayed ACK (40 ms).
  Out ack = sniff();
  ASSERT_TRUE(ack.tcp);
  EXPECT_EQ(ack.tcp->flags(), kAck);
  EXPECT_EQ(ack.tcp->acknowledgment(), 1001u);
  EXPECT_NEAR(double(ack.usecs - sent_at), 40'000.0, 1'000.0);
  // +0 read(4, ..., 2000) = 1000; reading an MSS worth opens the window by that much,
  // which is announced at once (RFC 9293 §3.8.6.2.2).
  Bytes got(2000);
  ASSERT_EQ(ifc_.read(ifc_.userdata, fd, got.data(), got.size()), 1000);
  EXPECT_TRUE(std::equal(data.begin(), data.end(), got.begin()));
  Out update = sniff();
  ASSERT_TRUE(update.tcp);
  EXPECT_EQ(update.tcp->acknowledgment(), 1001u);
  EXPECT_GT(update.tcp->window(), ack.tcp->window());
  EXPECT_LT(update.usecs - ack.usecs, 10);

  // +0 write(4, ..., 1500) = 1500: the peer's MSS (1000) less the 12 timestamp bytes.
  Bytes reply(1500);
  for (size_t i = 0; i < reply.size(); ++i) reply[i] = uint8_t(i ^ 0x5a);
  ASSERT_EQ(ifc_.write(ifc_.userdata, fd, reply.data(), reply.size()), 1500);
  Out first = sniff();
  Out second = sniff();
  ASSERT_TRUE(first.tcp && second.tcp);
  EXPECT_EQ(first.tcp->sequence(), iss_ + 1);
  EXPECT_EQ(first.payload.size(), 988u);
  EXPECT_EQ(second.tcp->sequence(), iss_ + 1 + 988);
  EXPECT_EQ(second.payload.size(), 512u);
  Bytes joined = first.payload;
  joined.insert(joined.end(), second.payload.begin(), second.payload.end());
  EXPECT_EQ(joined, reply);
  // Nothing is acknowledged. A tail loss probe (RFC 8985 §7.2: PTO = 2 SRTT, SRTT being
  // the 100 ms handshake sample) resends the last MSS of data; the stack's clock has
  // millisecond resolution, hence the 1 ms tolerance.
  Out probe = sniff();
  ASSERT_TRUE(probe.tcp);
  EXPECT_EQ(probe.tcp->sequence(), iss_ + 1 + 512);
  EXPECT_EQ(probe.payload.size(), 988u);
  EXPECT_NEAR(double(probe.usecs - first.usecs), 200'000.0, 1'000.0);
  // Then the retransmission timer, re-armed by the probe (RFC 8985 §7.3), resends from
  // SND.UNA after one RTO: RFC 6298 §2.3 from the 100 ms sample, 100 + 4 * 50 = 300 ms.
  Out again = sniff();
  ASSERT_TRUE(again.tcp);
  EXPECT_EQ(again.tcp->sequence(), iss_ + 1);
  EXPECT_EQ(again.payload.size(), 988u);
  EXPECT_NEAR(double(again.usecs - probe.usecs), 300'000.0, 1'000.0);
  // +0 < . 1001:1001(0) ack 1501; then the peer's FIN: read returns 0.
  inject(kAck, 1001, iss_ + 1501, {}, ts(400, again), 257);
  inject(kFin | kAck, 1001, iss_ + 1501, {}, ts(401, again), 257);
  EXPECT_EQ(ifc_.read(ifc_.userdata, fd, got.data(), got.size()), 0);
  Out fin_ack = sniff();
  ASSERT_TRUE(fin_ack.tcp);
  EXPECT_EQ(fin_ack.tcp->acknowledgment(), 1002u);
  // +0 close(4) = 0; > F. 1501:1501(0) ack 1002
  ASSERT_EQ(ifc_.close(ifc_.userdata, fd), 0);
  Out fin = sniff();
  ASSERT_TRUE(fin.tcp);
  EXPECT_EQ(fin.tcp->flags(), kFin | kAck);
  EXPECT_EQ(fin.tcp->sequence(), iss_ + 1501);
  EXPECT_EQ(fin.tcp->acknowledgment(), 1002u);
  EXPECT_EQ(ifc_.close(ifc_.userdata, 3), 0);
}

TEST_F(PacketdrillSo, NonBlockingConnectPollAndReset) {
  int fd = ifc_.socket(ifc_.userdata, AF_INET, SOCK_STREAM, 0);
  ASSERT_EQ(fd, 3);
  ASSERT_EQ(ifc_.fcntl(ifc_.userdata, fd, F_SETFL, O_RDWR | O_NONBLOCK), 0);
  EXPECT_EQ(ifc_.fcntl(ifc_.userdata, fd, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
  sockaddr_in to = endpoint(kRemote, 8080);
  errno = 0;
  EXPECT_EQ(ifc_.connect(ifc_.userdata, fd, reinterpret_cast<sockaddr*>(&to), sizeof to), -1);
  EXPECT_EQ(errno, EINPROGRESS);
  // 0 > S 0:0(0) <mss 1460,sackOK,TS val ... ecr 0,nop,wscale N>
  Out syn = sniff();
  ASSERT_TRUE(syn.tcp);
  EXPECT_EQ(syn.tcp->flags(), kSyn);
  EXPECT_EQ(syn.tcp->destination_port().value(), 8080);
  EXPECT_EQ(syn.source, kLocal);
  EXPECT_EQ(syn.opts.mss, 1460);
  pollfd p{fd, POLLOUT, 0};
  EXPECT_EQ(ifc_.poll(ifc_.userdata, &p, 1, 0), 0);  // still in SYN-SENT
  const uint16_t local = syn.tcp->source_port().value();
  const uint32_t iss = syn.tcp->sequence();
  sleep_ms(50);
  TcpOptions o;
  o.mss = 1400;
  inject(kSyn | kAck, 7000, iss + 1, {}, o, 5840, 8080, local);
  Out ack = sniff();
  ASSERT_TRUE(ack.tcp);
  EXPECT_EQ(ack.tcp->flags(), kAck);
  EXPECT_EQ(ack.tcp->acknowledgment(), 7001u);
  EXPECT_EQ(ifc_.poll(ifc_.userdata, &p, 1, 0), 1);
  EXPECT_EQ(p.revents, POLLOUT);
  int error = -1;
  socklen_t len = sizeof error;
  EXPECT_EQ(ifc_.getsockopt(ifc_.userdata, fd, SOL_SOCKET, SO_ERROR, &error, &len), 0);
  EXPECT_EQ(error, 0);
  ASSERT_EQ(ifc_.write(ifc_.userdata, fd, "hello", 5), 5);
  Out data = sniff();
  ASSERT_TRUE(data.tcp);
  EXPECT_EQ(data.tcp->sequence(), iss + 1);
  EXPECT_EQ(Bytes(data.payload), Bytes({'h', 'e', 'l', 'l', 'o'}));
  // Nothing to read yet on a non-blocking socket; then the peer resets.
  char buf[16];
  EXPECT_EQ(ifc_.read(ifc_.userdata, fd, buf, sizeof buf), -1);
  EXPECT_EQ(errno, EAGAIN);
  inject(kRst, 7001, 0, {}, {}, 0, 8080, local);
  p = pollfd{fd, POLLIN, 0};
  EXPECT_EQ(ifc_.poll(ifc_.userdata, &p, 1, 0), 1);
  EXPECT_TRUE(p.revents & POLLERR);
  EXPECT_EQ(ifc_.read(ifc_.userdata, fd, buf, sizeof buf), -1);
  EXPECT_EQ(errno, ECONNRESET);
  EXPECT_EQ(ifc_.read(ifc_.userdata, fd, buf, sizeof buf), 0);
  EXPECT_EQ(ifc_.close(ifc_.userdata, fd), 0);
}

TEST_F(PacketdrillSo, BlockingAcceptOnAnotherThreadWakesOnTheHandshake) {
  // packetdrill runs blocking calls on its system-call thread while the main thread goes
  // on injecting packets: accept() must sleep until the handshake completes.
  int fd = ifc_.socket(ifc_.userdata, AF_INET, SOCK_STREAM, 0);
  sockaddr_in a = endpoint(kLocal, kServerPort);
  ASSERT_EQ(ifc_.bind(ifc_.userdata, fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(ifc_.listen(ifc_.userdata, fd, 1), 0);
  auto accepted = std::async(std::launch::async,
                             [&] { return ifc_.accept(ifc_.userdata, fd, nullptr, nullptr); });
  EXPECT_EQ(accepted.wait_for(std::chrono::milliseconds(50)), std::future_status::timeout);
  inject(kSyn, 500, 0, {}, {}, 65535);
  Out synack = sniff();
  ASSERT_TRUE(synack.tcp);
  sleep_ms(10);
  inject(kAck, 501, synack.tcp->sequence() + 1);
  ASSERT_EQ(accepted.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_EQ(accepted.get(), 4);
  // A blocking read on that thread, then data from the peer.
  auto got = std::async(std::launch::async, [&] {
    char b[8] = {};
    ssize_t n = ifc_.read(ifc_.userdata, 4, b, sizeof b);
    return std::string(b, n > 0 ? size_t(n) : 0);
  });
  const uint8_t text[] = {'p', 'i', 'n', 'g'};
  inject(kAck | kPsh, 501, synack.tcp->sequence() + 1, text);
  ASSERT_EQ(got.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_EQ(got.get(), "ping");
}

TEST_F(PacketdrillSo, SynRetransmissionsFollowTheVirtualClock) {
  int fd = ifc_.socket(ifc_.userdata, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  sockaddr_in to = endpoint(kRemote, 8080);
  EXPECT_EQ(ifc_.connect(ifc_.userdata, fd, reinterpret_cast<sockaddr*>(&to), sizeof to), -1);
  Out syn = sniff();
  Out again = sniff();
  Out third = sniff();
  ASSERT_TRUE(syn.tcp && again.tcp && third.tcp);
  EXPECT_EQ(again.tcp->sequence(), syn.tcp->sequence());
  // RFC 6298 §2.1 and §5.5: 1 s, then doubled.
  EXPECT_NEAR(double(again.usecs - syn.usecs), 1'000'000.0, 1'000.0);
  EXPECT_NEAR(double(third.usecs - again.usecs), 2'000'000.0, 1'000.0);
  EXPECT_GE(now(), third.usecs);  // the clock packetdrill reads moved with them
}

TEST_F(PacketdrillSo, ErrorsAreErrnoValues) {
  errno = 0;
  EXPECT_EQ(ifc_.socket(ifc_.userdata, AF_INET6, SOCK_STREAM, 0), -1);
  EXPECT_EQ(errno, EAFNOSUPPORT);
  EXPECT_EQ(ifc_.socket(ifc_.userdata, AF_INET, SOCK_DGRAM, 0), -1);
  EXPECT_EQ(errno, EPROTONOSUPPORT);
  char b[4];
  EXPECT_EQ(ifc_.read(ifc_.userdata, 42, b, sizeof b), -1);
  EXPECT_EQ(errno, EBADF);
  EXPECT_EQ(ifc_.epoll_create(ifc_.userdata, 1), -1);
  EXPECT_EQ(errno, ENOSYS);
  int fd = ifc_.socket(ifc_.userdata, AF_INET, SOCK_STREAM, 0);
  int v = 1;
  EXPECT_EQ(ifc_.setsockopt(ifc_.userdata, fd, IPPROTO_TCP, TCP_NODELAY, &v, sizeof v), 0);
  v = 0;
  socklen_t len = sizeof v;
  EXPECT_EQ(ifc_.getsockopt(ifc_.userdata, fd, IPPROTO_TCP, TCP_NODELAY, &v, &len), 0);
  EXPECT_EQ(v, 1);
  EXPECT_EQ(ifc_.setsockopt(ifc_.userdata, fd, IPPROTO_TCP, TCP_CORK, &v, sizeof v), -1);
  EXPECT_EQ(errno, ENOPROTOOPT);
  // A closed port answers a SYN with RST (RFC 9293 §3.10.7.1).
  inject(kSyn, 9, 0, {}, {}, 65535, 1111, 9999);
  Out rst = sniff();
  ASSERT_TRUE(rst.tcp);
  EXPECT_EQ(rst.tcp->flags(), kRst | kAck);
  EXPECT_EQ(rst.tcp->acknowledgment(), 10u);
}

TEST_F(PacketdrillSo, BlockingWriteBeyondTheSendRingCompletesAsThePeerAcks) {
  Out synack;
  int fd = server_handshake(&synack);
  ASSERT_EQ(fd, 4);
  // 100 000 bytes: more than the 64 KiB ring, so the ring wraps and the writer sleeps
  // until acknowledgements free space (on packetdrill's system-call thread).
  Bytes out(100000);
  for (size_t i = 0; i < out.size(); ++i) out[i] = uint8_t((i * 131) >> 3);
  auto written = std::async(std::launch::async,
                            [&] { return ifc_.write(ifc_.userdata, fd, out.data(), out.size()); });
  Bytes got;
  uint32_t tsval = 1000;
  for (int i = 0; i < 2000 && got.size() < out.size(); ++i) {
    Out seg = sniff();
    ASSERT_TRUE(seg.tcp);
    uint32_t offset = seg.tcp->sequence() - (iss_ + 1);
    if (offset == got.size()) got.insert(got.end(), seg.payload.begin(), seg.payload.end());
    inject(kAck, 1, iss_ + 1 + uint32_t(got.size()), {}, ts(++tsval, seg), 257);
  }
  ASSERT_EQ(written.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_EQ(written.get(), 100000);
  EXPECT_EQ(got, out);
}

TEST_F(PacketdrillSo, CloseWithUnreadDataSendsReset) {
  Out synack;
  int fd = server_handshake(&synack);
  const uint8_t text[] = {'u', 'n', 'r', 'e', 'a', 'd'};
  inject(kAck | kPsh, 1, iss_ + 1, text, ts(300, synack), 257);
  Out ack = sniff();
  ASSERT_TRUE(ack.tcp);
  EXPECT_EQ(ack.tcp->acknowledgment(), 7u);
  // RFC 2525 §2.17: data left unread makes close() reset the connection.
  ASSERT_EQ(ifc_.close(ifc_.userdata, fd), 0);
  Out rst = sniff();
  ASSERT_TRUE(rst.tcp);
  EXPECT_TRUE(rst.tcp->flags() & kRst);
  EXPECT_EQ(rst.tcp->sequence(), iss_ + 1);
}

TEST_F(PacketdrillSo, PollTimeoutRunsOnTheVirtualClock) {
  int fd = server_handshake();
  ASSERT_EQ(fd, 4);
  const long long start = now();
  auto polled = std::async(std::launch::async, [&] {
    pollfd p{fd, POLLIN, 0};
    int n = ifc_.poll(ifc_.userdata, &p, 1, 500);
    return std::make_pair(n, now());
  });
  // The poll cannot end before 500 ms of virtual time, however late its thread starts.
  sleep_ms(200);
  EXPECT_EQ(polled.wait_for(std::chrono::milliseconds(50)), std::future_status::timeout);
  // packetdrill waits for its system-call thread to sleep before moving on; here the
  // clock simply keeps moving until the poll has timed out.
  for (int i = 0;
       i < 50 && polled.wait_for(std::chrono::milliseconds(20)) != std::future_status::ready; ++i)
    sleep_ms(400);
  ASSERT_EQ(polled.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  auto [n, at] = polled.get();
  EXPECT_EQ(n, 0);
  EXPECT_GE(at - start, 500'000);
}

}  // namespace
}  // namespace mayfly::net::testing
