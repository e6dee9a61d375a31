// The fault-injecting Device: spec parsing (with error columns) and each fault's effect
// on frames in both directions, in virtual time.
#include "net/iface/fault_device.h"

#include <gtest/gtest.h>

#include <string>

#include "harness.h"

namespace mayfly::net::testing {
namespace {

FaultSpec parse_ok(std::string_view text) {
  FaultSpec s;
  auto err = parse_fault_spec(text, s);
  EXPECT_FALSE(err) << text << ": column " << (err ? err->column : 0) << ": "
                    << (err ? err->message : "");
  return s;
}

FaultSpecError parse_bad(std::string_view text) {
  FaultSpec s;
  auto err = parse_fault_spec(text, s);
  EXPECT_TRUE(err) << text;
  return err.value_or(FaultSpecError{});
}

TEST(FaultSpecTest, ParsesTheFullForm) {
  FaultSpec s = parse_ok("loss=5,reorder=25,dup=5,delay=20ms~10ms,corrupt=1");
  EXPECT_EQ(s.loss, 500u);
  EXPECT_EQ(s.reorder, 2500u);
  EXPECT_EQ(s.dup, 500u);
  EXPECT_EQ(s.corrupt, 100u);
  EXPECT_EQ(s.delay.millis, 20);
  EXPECT_EQ(s.jitter.millis, 10);
}

TEST(FaultSpecTest, DecimalsPercentSignsAndSeconds) {
  FaultSpec s = parse_ok("loss=0.5%,delay=1s,dup=100,corrupt=0.25");
  EXPECT_EQ(s.loss, 50u);
  EXPECT_EQ(s.dup, 10000u);
  EXPECT_EQ(s.corrupt, 25u);
  EXPECT_EQ(s.delay.millis, 1000);
  EXPECT_EQ(s.jitter.millis, 0);
  EXPECT_EQ(parse_ok("delay=0").delay.millis, 0);
}

TEST(FaultSpecTest, ErrorsNameTheColumn) {
  auto e = parse_bad("loss=5,drop=3");
  EXPECT_EQ(e.column, 8u);
  EXPECT_STREQ(e.message, "unknown key (expected loss, reorder, dup, delay or corrupt)");
  e = parse_bad("loss=101");
  EXPECT_EQ(e.column, 6u);
  EXPECT_STREQ(e.message, "percentage above 100");
  e = parse_bad("delay=20~5ms");
  EXPECT_EQ(e.column, 9u);
  EXPECT_STREQ(e.message, "expected the unit ms or s");
  EXPECT_EQ(parse_bad("loss=5,,dup=1").column, 8u);
  EXPECT_EQ(parse_bad("loss=5,").column, 8u);
  EXPECT_STREQ(parse_bad("loss").message, "expected key=value");
  EXPECT_STREQ(parse_bad("loss=1,loss=2").message, "key given twice");
  EXPECT_STREQ(parse_bad("loss=1.234").message, "at most two decimals");
  EXPECT_STREQ(parse_bad("loss=x").message, "expected a percentage such as 5 or 0.5");
  EXPECT_STREQ(parse_bad("delay=11s").message, "delay above 10 s");
  EXPECT_STREQ(parse_bad("").message, "empty fault spec");
  EXPECT_STREQ(parse_bad("loss=").message, "missing percentage");
}

Bytes frame(uint8_t tag, size_t len = 60) {
  Bytes f(len, 0);
  f[0] = tag;
  return f;
}

struct FaultTest : ::testing::Test {
  FakeDevice inner{MacAddress(2, 0, 0, 0, 0, 1)};
  FakeRandom rnd;
  Instant now = Instant::from_secs(10);
  std::unique_ptr<StaticFaultDevice<64>> dev;

  void make(std::string_view spec) {
    dev = std::make_unique<StaticFaultDevice<64>>(inner, rnd, parse_ok(spec));
    dev->poll(now);
  }
  std::vector<uint8_t> received_tags() {
    std::vector<uint8_t> tags;
    uint8_t buf[1600];
    for (size_t n; (n = dev->receive(buf)) > 0;) tags.push_back(buf[0]);
    return tags;
  }
};

TEST_F(FaultTest, NoFaultsPassesThrough) {
  FakeDevice plain(MacAddress(2, 0, 0, 0, 0, 1));
  StaticFaultDevice<4> d(plain, rnd, FaultSpec{});
  EXPECT_TRUE(d.transmit(frame(1)));
  EXPECT_EQ(plain.tx.size(), 1u);
  plain.rx.push_back(frame(2));
  uint8_t buf[100];
  EXPECT_EQ(d.receive(buf), 60u);
  EXPECT_FALSE(d.next_deadline());
}

TEST_F(FaultTest, LossDropsAboutThatShareBothWays) {
  make("loss=10");
  for (int i = 0; i < 1000; ++i) dev->transmit(frame(1));
  for (int i = 0; i < 1000; ++i) inner.rx.push_back(frame(2));
  size_t got = received_tags().size();
  EXPECT_NEAR(double(inner.tx.size()), 900.0, 40.0);
  EXPECT_NEAR(double(got), 900.0, 40.0);
  EXPECT_EQ(dev->stats().dropped, 2000u - inner.tx.size() - got);
}

TEST_F(FaultTest, DuplicatesAndCorruptsOneBit) {
  make("dup=100,corrupt=100");
  Bytes f = frame(7);
  dev->transmit(f);
  ASSERT_EQ(inner.tx.size(), 2u);
  int differing_bits = 0;
  for (size_t i = 0; i < f.size(); ++i)
    differing_bits += __builtin_popcount(unsigned(f[i] ^ inner.tx[0][i]));
  EXPECT_EQ(differing_bits, 1);
  EXPECT_EQ(inner.tx[1], f);  // the duplicate is intact
}

TEST_F(FaultTest, DelayWithJitterHoldsFramesUntilDue) {
  make("delay=20ms~5ms");
  for (uint8_t i = 0; i < 20; ++i) dev->transmit(frame(i));
  EXPECT_TRUE(inner.tx.empty());
  auto d = dev->next_deadline();
  ASSERT_TRUE(d);
  EXPECT_GE(*d, now + Duration::from_millis(15));
  dev->poll(now + Duration::from_millis(14));
  EXPECT_TRUE(inner.tx.empty());
  dev->poll(now + Duration::from_millis(25));
  EXPECT_EQ(inner.tx.size(), 20u);
  EXPECT_FALSE(dev->next_deadline());
  // Receive direction too.
  inner.rx.push_back(frame(9));
  EXPECT_TRUE(received_tags().empty());
  dev->poll(now + Duration::from_millis(60));
  EXPECT_EQ(received_tags(), std::vector<uint8_t>{9});
}

TEST_F(FaultTest, ReorderWithoutDelayLetsTheNextFramePass) {
  make("reorder=100");
  dev->transmit(frame(1));  // held back
  EXPECT_TRUE(inner.tx.empty());
  // Every frame is reordered, so frame 2 waits too; after the hold time both go.
  dev->transmit(frame(2));
  dev->poll(now + FaultDevice::kReorderHold);
  ASSERT_EQ(inner.tx.size(), 2u);
}

TEST_F(FaultTest, ReorderSwapsNeighbours) {
  // Scripted randomness: frame 1 is reordered (draw < 5000), frame 2 is not.
  FaultSpec s = parse_ok("reorder=50");
  rnd.push(1);
  rnd.push(9999);
  StaticFaultDevice<8> d(inner, rnd, s);
  d.poll(now);
  d.transmit(frame(1));
  d.transmit(frame(2));
  ASSERT_EQ(inner.tx.size(), 2u);
  EXPECT_EQ(inner.tx[0][0], 2);
  EXPECT_EQ(inner.tx[1][0], 1);
  EXPECT_EQ(d.stats().reordered, 1u);
}

TEST_F(FaultTest, ReorderWithDelaySkipsTheDelay) {
  FaultSpec s = parse_ok("reorder=50,delay=10ms");
  rnd.push(9999);  // frame 1: delayed
  rnd.push(1);     // frame 2: overtakes
  StaticFaultDevice<8> d(inner, rnd, s);
  d.poll(now);
  d.transmit(frame(1));
  d.transmit(frame(2));
  ASSERT_EQ(inner.tx.size(), 1u);
  EXPECT_EQ(inner.tx[0][0], 2);
  d.poll(now + Duration::from_millis(10));
  ASSERT_EQ(inner.tx.size(), 2u);
  EXPECT_EQ(inner.tx[1][0], 1);
}

TEST_F(FaultTest, FullStorageDropsAndCounts) {
  make("delay=100ms");
  for (int i = 0; i < 70; ++i) dev->transmit(frame(1));
  EXPECT_EQ(dev->stats().overflow, 6u);
}

TEST_F(FaultTest, SameSeedSameOutcome) {
  auto run = [](uint32_t seed) {
    FakeDevice in(MacAddress(2, 0, 0, 0, 0, 1));
    FakeRandom r{seed};
    FaultSpec s;
    parse_fault_spec("loss=20,dup=20,corrupt=20", s);
    StaticFaultDevice<64> d(in, r, s);
    d.poll(Instant{});
    for (uint8_t i = 0; i < 50; ++i) d.transmit(frame(i));
    return in.tx;
  };
  EXPECT_EQ(run(5), run(5));
}

}  // namespace
}  // namespace mayfly::net::testing
