// HttpService in virtual time: a client Tcp on one stack, the service on another, frames
// carried between their fake devices (optionally dropping some), a fake clock.
#include <gtest/gtest.h>

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "bundle/writer.h"
#include "harness.h"
#include "net/service/http_service.h"
#include "net/tcp/tcp.h"

namespace mayfly::net::testing {
namespace {

const MacAddress kClientMac(2, 0, 0, 0, 0, 1);
const MacAddress kServerMac(2, 0, 0, 0, 0, 2);
const Ipv4Address kClientIp(10, 77, 0, 1);
const Ipv4Address kServerIp(10, 77, 0, 2);
constexpr int64_t kUnixNow = 1700000000;

struct Reply {
  int status = 0;
  std::string head;
  std::string body;
};

std::string pattern(size_t n, uint32_t seed) {
  std::string s(n, '\0');
  for (auto& c : s) {
    seed = seed * 1103515245u + 12345u;
    c = char(seed >> 16);
  }
  return s;
}

void log_into(void* ctx, const HttpAccess& a) {
  char line[http::kMaxAccessLine];
  size_t n = format_http_access(a, line);
  static_cast<std::vector<std::string>*>(ctx)->emplace_back(line, n);
}

class HttpServiceTest : public ::testing::Test {
 protected:
  static constexpr size_t kServerConns = 4;
  using ServerTcp = StaticTcp<kServerConns, 16384>;
  using ClientTcp = StaticTcp<8, 256 * 1024>;
  using Service = StaticHttpService<kServerConns, 4096, 4096>;

  HttpServiceTest()
      : dev_c(kClientMac),
        dev_s(kServerMac),
        rnd_c{1},
        rnd_s{2},
        client_if(dev_c, rnd_c),
        server_if(dev_s, rnd_s),
        client(std::make_unique<ClientTcp>(client_if)),
        server(std::make_unique<ServerTcp>(server_if)) {
    client_if.set_ipv4(Ipv4Config{Ipv4Cidr{kClientIp, 24}, std::nullopt});
    server_if.set_ipv4(Ipv4Config{Ipv4Cidr{kServerIp, 24}, std::nullopt});
    client_if.set_tcp_handler(client.get());
    server_if.set_tcp_handler(server.get());
  }

  void SetUp() override { make_bundle(); }

  void make_bundle() {
    std::vector<bundle::SourceFile> files;
    auto add = [&](std::string path, const std::string& body) {
      bundle::SourceFile f;
      f.path = std::move(path);
      f.contents.assign(body.begin(), body.end());
      f.mtime = 1600000000;
      files.push_back(std::move(f));
    };
    add("/index.html", "<p>hello</p>");
    small = pattern(1024, 1);
    big = pattern(1 << 20, 2);
    add("/small.bin", small);
    add("/big.bin", big);
    bundle::WriteOptions o;
    o.threads = 1;
    o.compress = false;
    image = bundle::write_bundle(std::move(files), o);
    ASSERT_EQ(bundle.open(image.data(), image.size()), bundle::Error::None);
  }

  void start(HttpServiceOptions o = {}) {
    o.access_log = log_into;
    o.access_log_context = &log;
    service = std::make_unique<Service>(*server, bundle, o);
    ASSERT_TRUE(service->start());
  }

  // Moves frames until both sides are quiet; the service runs between the server polls.
  void step() {
    for (int round = 0; round < 1000; ++round) {
      bool moved = false;
      while (!dev_c.tx.empty()) {
        if (keep())
          dev_s.rx.push_back(dev_c.pop_tx());
        else
          dev_c.pop_tx();
        moved = true;
      }
      while (!dev_s.tx.empty()) {
        if (keep())
          dev_c.rx.push_back(dev_s.pop_tx());
        else
          dev_s.pop_tx();
        moved = true;
      }
      client_if.poll(now);
      server_if.poll(now);
      if (service) service->poll(now, kUnixNow + now.millis / 1000);
      server_if.poll(now);
      if (!moved && dev_c.tx.empty() && dev_s.tx.empty()) return;
    }
  }
  bool keep() {
    if (drop_one_in == 0) return true;
    lcg = lcg * 6364136223846793005ull + 1442695040888963407ull;
    return (lcg >> 33) % drop_one_in != 0;
  }
  // Advances to the nearest deadline (at most 1 ms when traffic may flow).
  void tick() {
    step();
    auto d = earliest(earliest(client_if.next_deadline(), server_if.next_deadline()),
                      service ? service->next_deadline() : std::nullopt);
    Instant next = now + Duration::from_millis(1);
    now = d && *d > now && *d < next ? *d : next;
    step();
  }
  void run_for(Duration d) {
    Instant end = now + d;
    while (now < end) {
      step();
      auto dl = earliest(earliest(client_if.next_deadline(), server_if.next_deadline()),
                         service->next_deadline());
      now = dl && *dl > now && *dl < end ? *dl : end;
    }
    step();
  }

  TcpId connect() {
    TcpId c = client->connect(Ipv4Endpoint{kServerIp, Port(80)}, now);
    for (int i = 0; i < 2000 && !(client->events(c) & tcp_events::kConnected); ++i) tick();
    EXPECT_TRUE(client->events(c) & tcp_events::kConnected);
    return c;
  }

  // Reads `count` responses from connection c (Content-Length framed), within `bound`.
  std::vector<Reply> read_replies(TcpId c, size_t count, Duration bound = Duration::from_secs(60),
                                  bool head_only = false) {
    std::vector<Reply> out;
    Instant end = now + bound;
    std::vector<uint8_t> buf(65536);
    while (out.size() < count && now < end) {
      tick();
      for (size_t n; (n = client->recv(c, buf)) > 0;) pending.append(buf.begin(), buf.begin() + n);
      for (;;) {
        size_t e = pending.find("\r\n\r\n");
        if (e == std::string::npos) break;
        Reply r;
        r.head = pending.substr(0, e + 4);
        r.status = std::stoi(r.head.substr(9, 3));
        size_t cl = r.head.find("Content-Length: ");
        size_t len = head_only || cl == std::string::npos ? 0 : std::stoul(r.head.substr(cl + 16));
        if (pending.size() < e + 4 + len) break;
        r.body = pending.substr(e + 4, len);
        pending.erase(0, e + 4 + len);
        out.push_back(std::move(r));
      }
      if (client->events(c) & (tcp_events::kPeerClosed | tcp_events::kReset)) {
        if (pending.empty()) break;
      }
    }
    return out;
  }

  // Queues a reference to a copy kept alive for the test's duration.
  bool send(TcpId c, const std::string& s) {
    const std::string& kept = outbox.emplace_back(s);
    return client->send(
        c, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(kept.data()), kept.size()));
  }

  FakeDevice dev_c, dev_s;
  FakeRandom rnd_c, rnd_s;
  Interface client_if, server_if;
  std::unique_ptr<ClientTcp> client;
  std::unique_ptr<ServerTcp> server;
  std::vector<uint8_t> image;
  bundle::Bundle bundle;
  std::string small, big;
  std::unique_ptr<Service> service;
  std::vector<std::string> log;
  std::string pending;
  std::deque<std::string> outbox;
  Instant now = Instant::from_secs(100);
  uint64_t drop_one_in = 0;
  uint64_t lcg = 7;
};

TEST_F(HttpServiceTest, ServesAGetAndLogsIt) {
  start();
  TcpId c = connect();
  ASSERT_TRUE(send(c, "GET /small.bin HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto r = read_replies(c, 1);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].status, 200);
  EXPECT_EQ(r[0].body, small);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0],
            "10.77.0.1 - - [14/Nov/2023:22:15:00 +0000] \"GET /small.bin HTTP/1.1\" 200 1024\n")
      << log[0];
  EXPECT_EQ(service->connections(), 1u);
  EXPECT_EQ(service->stats().requests, 1u);
}

TEST_F(HttpServiceTest, KeepAliveAndPipelinedRequestsAnswerInOrder) {
  start();
  TcpId c = connect();
  std::string reqs;
  const char* paths[] = {"/small.bin", "/index.html", "/missing", "/small.bin", "/"};
  for (const char* p : paths) reqs += std::string("GET ") + p + " HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_TRUE(send(c, reqs));
  auto r = read_replies(c, 5);
  ASSERT_EQ(r.size(), 5u);
  EXPECT_EQ(r[0].body, small);
  EXPECT_EQ(r[1].body, "<p>hello</p>");
  EXPECT_EQ(r[2].status, 404);
  EXPECT_EQ(r[3].body, small);
  EXPECT_EQ(r[4].body, "<p>hello</p>");
  // The same connection serves a later request too.
  ASSERT_TRUE(send(c, "HEAD /big.bin HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto h = read_replies(c, 1, Duration::from_secs(10), /*head_only=*/true);
  ASSERT_EQ(h.size(), 1u);
  EXPECT_NE(h[0].head.find("Content-Length: 1048576"), std::string::npos);
  EXPECT_EQ(service->stats().accepted, 1u);
}

TEST_F(HttpServiceTest, ManyPipelinedRequestsWaitForHeadRoom) {
  // 40 requests in one burst: more heads than the 4 KiB head buffer and the stack's 16
  // references hold at once; the service waits for acknowledgements and continues.
  start();
  TcpId c = connect();
  std::string reqs;
  for (int i = 0; i < 40; ++i) reqs += "GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_LE(reqs.size(), 4096u);
  for (size_t off = 0; off < reqs.size(); off += 1000)
    ASSERT_TRUE(send(c, reqs.substr(off, 1000))) << off;
  auto r = read_replies(c, 40);
  ASSERT_EQ(r.size(), 40u);
  for (auto& x : r) EXPECT_EQ(x.body, "<p>hello</p>");
}

TEST_F(HttpServiceTest, MegabyteByteExactUnderLoss) {
  drop_one_in = 20;  // 5 %
  start();
  TcpId c = connect();
  ASSERT_TRUE(send(c, "GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto r = read_replies(c, 1, Duration::from_secs(300));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].status, 200);
  EXPECT_TRUE(r[0].body == big);
  EXPECT_EQ(service->stats().body_bytes, big.size());
}

TEST_F(HttpServiceTest, BadRequestIsAnsweredAndClosed) {
  start();
  TcpId c = connect();
  ASSERT_TRUE(send(c, "GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n"));
  auto r = read_replies(c, 1);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].status, 400);
  for (int i = 0; i < 100; ++i) tick();
  EXPECT_TRUE(client->events(c) & tcp_events::kPeerClosed);
  EXPECT_EQ(service->connections(), 0u);
  EXPECT_EQ(service->stats().bad_requests, 1u);
}

TEST_F(HttpServiceTest, HeadTooLargeForTheBufferIs431) {
  start();
  TcpId c = connect();
  ASSERT_TRUE(send(c, "GET / HTTP/1.1\r\nHost: x\r\n"));
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(send(c, "X-Long: " + std::string(900, 'a') + "\r\n"));
  auto r = read_replies(c, 1);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].status, 431);
}

TEST_F(HttpServiceTest, HeaderTimeoutIsNotRenewedByTrickledBytes) {
  HttpServiceOptions o;
  o.header_timeout = Duration::from_secs(10);
  start(o);
  TcpId c = connect();
  ASSERT_TRUE(send(c, "GET / HTTP/1.1\r\n"));
  run_for(Duration::from_secs(5));
  ASSERT_TRUE(send(c, "Host: x\r\n"));
  run_for(Duration::from_secs(4));
  EXPECT_EQ(service->connections(), 1u);
  EXPECT_FALSE(client->events(c) & tcp_events::kPeerClosed);
  run_for(Duration::from_millis(1500));
  EXPECT_EQ(service->connections(), 0u);
  EXPECT_TRUE(client->events(c) & tcp_events::kPeerClosed);
  EXPECT_EQ(service->stats().timeouts, 1u);
}

TEST_F(HttpServiceTest, SilentConnectionGetsTheHeaderTimeout) {
  start();
  connect();
  auto d = service->next_deadline();
  ASSERT_TRUE(d);
  EXPECT_LE(*d, now + Duration::from_secs(10));
  run_for(Duration::from_secs(11));
  EXPECT_EQ(service->connections(), 0u);
}

TEST_F(HttpServiceTest, IdleKeepAliveTimesOut) {
  HttpServiceOptions o;
  o.idle_timeout = Duration::from_secs(30);
  start(o);
  TcpId c = connect();
  ASSERT_TRUE(send(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_EQ(read_replies(c, 1).size(), 1u);
  run_for(Duration::from_secs(29));
  EXPECT_EQ(service->connections(), 1u);
  run_for(Duration::from_secs(2));
  EXPECT_EQ(service->connections(), 0u);
  EXPECT_TRUE(client->events(c) & tcp_events::kPeerClosed);
}

TEST_F(HttpServiceTest, ClientThatStopsReadingIsAbortedAfterTheWriteTimeout) {
  HttpServiceOptions o;
  o.write_timeout = Duration::from_secs(20);
  start(o);
  TcpId c = connect();
  ASSERT_TRUE(send(c, "GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n"));
  // The client never reads: its 256 KiB window fills, the server probes the zero window.
  run_for(Duration::from_secs(10));
  EXPECT_EQ(service->connections(), 1u);
  run_for(Duration::from_secs(40));
  EXPECT_EQ(service->connections(), 0u);
  EXPECT_EQ(service->stats().timeouts, 1u);
  EXPECT_EQ(server->connections_in_use(), 0u);  // aborted: the slot is free at once
}

TEST_F(HttpServiceTest, ClientCloseAfterRequestStillGetsTheAnswer) {
  start();
  TcpId c = connect();
  ASSERT_TRUE(send(c, "GET /small.bin HTTP/1.0\r\n\r\n"));
  client->close(c);  // half-close: FIN after the request; the id stays readable? no: freed
  for (int i = 0; i < 200; ++i) tick();
  EXPECT_EQ(service->connections(), 0u);
  EXPECT_EQ(service->stats().requests, 1u);
}

TEST_F(HttpServiceTest, PeerResetFreesTheSlot) {
  start();
  TcpId c = connect();
  for (int i = 0; i < 5; ++i) tick();
  EXPECT_EQ(service->connections(), 1u);
  client->abort(c);
  for (int i = 0; i < 5; ++i) tick();
  EXPECT_EQ(service->connections(), 0u);
  EXPECT_EQ(service->stats().resets, 1u);
  EXPECT_EQ(server->connections_in_use(), 0u);
}

TEST_F(HttpServiceTest, ConnectionLimitIsThePoolAndLaterClientsAreServed) {
  start();
  std::vector<TcpId> cs;
  for (size_t i = 0; i < 4; ++i) cs.push_back(connect());
  EXPECT_EQ(service->connections(), 4u);
  // A fifth client: the pool is full, so a SYN cookie answers; it is served once a slot
  // frees up.
  TcpId extra = client->connect(Ipv4Endpoint{kServerIp, Port(80)}, now);
  ASSERT_GE(extra, 0);
  for (int i = 0; i < 50; ++i) tick();
  EXPECT_EQ(service->connections(), 4u);
  for (TcpId c : cs) {
    ASSERT_TRUE(send(c, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  }
  for (int i = 0; i < 200; ++i) tick();
  // The server closed first: its connections sit in TIME-WAIT, which a full pool recycles.
  for (TcpId c : cs) client->close(c);
  for (int i = 0; i < 50; ++i) tick();
  ASSERT_TRUE(send(extra, "GET /small.bin HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto r = read_replies(extra, 1, Duration::from_secs(30));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].body, small);
}

TEST_F(HttpServiceTest, DrainFinishesResponsesAndClosesIdleConnections) {
  start();
  TcpId idle = connect();
  TcpId busy = connect();
  ASSERT_TRUE(send(idle, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_EQ(read_replies(idle, 1).size(), 1u);
  ASSERT_TRUE(send(busy, "GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n"));
  tick();
  service->drain();
  pending.clear();
  auto r = read_replies(busy, 1, Duration::from_secs(60));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_TRUE(r[0].body == big);
  for (int i = 0; i < 50; ++i) tick();
  EXPECT_TRUE(service->drained());
  EXPECT_TRUE(client->events(idle) & tcp_events::kPeerClosed);
  // No longer listening: a new client is refused.
  TcpId late = client->connect(Ipv4Endpoint{kServerIp, Port(80)}, now);
  for (int i = 0; i < 20; ++i) tick();
  EXPECT_TRUE(client->events(late) & tcp_events::kReset);
}

TEST_F(HttpServiceTest, StartFailsWhenTheHeadBufferIsTooSmall) {
  std::vector<HttpSlot> slots(kServerConns);
  std::vector<uint8_t> reads(kServerConns * 4096), heads(kServerConns * 64);
  HttpService s(*server, bundle, slots, reads, heads);
  EXPECT_FALSE(s.start());
}

}  // namespace
}  // namespace mayfly::net::testing
