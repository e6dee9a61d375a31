// Values: printing, equality, hashes, cheap copies.
#include <gtest/gtest.h>

#include "site/liquid/value.h"

namespace mayfly::site::liquid {
namespace {

TEST(ValueTest, PrintsAsLiquidDoes) {
  EXPECT_EQ(Value().to_string(), "");
  EXPECT_EQ(Value(true).to_string(), "true");
  EXPECT_EQ(Value(42).to_string(), "42");
  EXPECT_EQ(Value(1.0).to_string(), "1.0");
  EXPECT_EQ(Value(0.1).to_string(), "0.1");
  EXPECT_EQ(Value(2.857142857142857).to_string(), "2.857142857142857");
  EXPECT_EQ(Value(1e20).to_string(), "1.0e+20");
  EXPECT_EQ(Value(0.00001).to_string(), "1.0e-05");
  EXPECT_EQ(Value(Array{1, "a", Array{2}}).to_string(), "1a2");
  EXPECT_EQ(Value(Hash{{"a", 1}, {"b", "x"}}).to_string(), "{\"a\"=>1, \"b\"=>\"x\"}");
  EXPECT_EQ(Value(Range{1, 3}).to_string(), "1..3");
}

TEST(ValueTest, Equality) {
  EXPECT_TRUE(equal(Value(1), Value(1.0)));
  EXPECT_FALSE(equal(Value(1), Value("1")));
  EXPECT_TRUE(equal(Value(Array{}), Value(EmptyLiteral{})));
  EXPECT_TRUE(equal(Value("  "), Value(BlankLiteral{})));
  EXPECT_TRUE(equal(Value(Array{1, 2}), Value(Array{1, 2})));
  EXPECT_TRUE(equal(Value(Hash{{"a", 1}}), Value(Hash{{"a", 1}})));
}

TEST(ValueTest, HashKeepsInsertionOrderAndIndexesLargeHashes) {
  Hash h;
  for (int i = 0; i < 100; ++i) h.set("k" + std::to_string(99 - i), i);
  h.set("k50", -1);
  EXPECT_EQ(h.size(), 100u);
  EXPECT_EQ(h.begin()->first, "k99");
  ASSERT_NE(h.find("k50"), nullptr);
  EXPECT_EQ(h.find("k50")->as_int(), -1);
  EXPECT_EQ(h.find("nope"), nullptr);
}

TEST(ValueTest, CopiesShareStorage) {
  Value posts(Array{Hash{{"title", "a"}}, Hash{{"title", "b"}}});
  Value copy = posts;
  EXPECT_EQ(&copy.as_array(), &posts.as_array());
  Value first = posts.get("first");
  EXPECT_EQ(&first.as_hash(), &posts.as_array()[0].as_hash());
}

TEST(ValueTest, SpecialProperties) {
  Value a(Array{1, 2, 3});
  EXPECT_EQ(a.get("size").as_int(), 3);
  EXPECT_EQ(a.get("last").as_int(), 3);
  EXPECT_EQ(a.get(Value(-1)).as_int(), 3);
  EXPECT_EQ(Value("h\u00e9llo").get("size").as_int(), 5);  // characters, as String#size
  EXPECT_EQ(Value(Hash{{"size", 9}}).get("size").as_int(), 9);
}

}  // namespace
}  // namespace mayfly::site::liquid
