// The streaming JSON shape check: depth, key length and distinct keys, with
// the place of the first violation, however the text is cut into pieces.
#include <gtest/gtest.h>

#include <string>

#include "common/json_depth.h"

namespace lakehouse {
namespace {

std::string Repeat(std::string_view piece, size_t times) {
  std::string out;
  for (size_t i = 0; i < times; ++i) out += piece;
  return out;
}

TEST(JsonShapeTest, DeepObjectIsStoppedAtTheFirstBracketPastTheLimit) {
  JsonShapeChecker checker;
  EXPECT_FALSE(checker.Feed(Repeat("{\"a\":", 10000)));
  ASSERT_TRUE(checker.violation().has_value());
  // Each level is 5 bytes; the 65th '{' is byte 321.
  EXPECT_EQ(checker.violation()->ToString(),
            "JSON nested deeper than 64 levels at line 1, byte 321");
  EXPECT_EQ(checker.deepest(), 65u);
}

TEST(JsonShapeTest, DeepArrayOnALaterLine) {
  JsonShapeChecker checker;
  ASSERT_TRUE(checker.Feed("{\"a\": [1, 2]}\n"));
  EXPECT_FALSE(checker.Feed(Repeat("[", 100)));
  EXPECT_EQ(checker.violation()->line, 2u);
  EXPECT_EQ(checker.violation()->byte, 15u + 64u);
}

TEST(JsonShapeTest, ExactlyTheLimitPasses) {
  JsonShapeChecker checker;
  EXPECT_TRUE(checker.Feed(Repeat("[", 64) + Repeat("]", 64)));
  EXPECT_EQ(checker.deepest(), 64u);
  EXPECT_FALSE(checker.violation().has_value());
}

TEST(JsonShapeTest, BracketsInStringsAndEscapedQuotesAreNotCounted) {
  JsonShapeChecker checker;
  std::string text = "{\"s\": \"" + Repeat("[{", 500) + "\\\"" + Repeat("]}", 3) + "\", \"t\": 1}";
  EXPECT_TRUE(checker.Feed(text));
  EXPECT_EQ(checker.deepest(), 1u);
}

TEST(JsonShapeTest, EscapesSplitAcrossPiecesAreFollowed) {
  // The backslash ends one piece, the escaped quote starts the next: the
  // string goes on, and the brackets inside it do not count.
  JsonShapeChecker checker;
  EXPECT_TRUE(checker.Feed("[\"ab\\"));
  EXPECT_TRUE(checker.Feed("\"" + Repeat("[", 100) + "\"]"));
  EXPECT_EQ(checker.deepest(), 1u);
}

TEST(JsonShapeTest, ByteByBytePiecesGiveTheSamePlace) {
  JsonShapeChecker checker;
  std::string text = "[1]\n" + Repeat("{\"k\": ", 70);
  for (char c : text) {
    if (!checker.Feed(std::string_view(&c, 1))) break;
  }
  ASSERT_TRUE(checker.violation().has_value());
  EXPECT_EQ(checker.violation()->ToString(),
            "JSON nested deeper than 64 levels at line 2, byte " + std::to_string(4 + 64 * 6 + 1));
}

TEST(JsonShapeTest, OverlongKeyIsNamedAtItsStart) {
  JsonShapeLimits limits;
  limits.max_key_bytes = 10;
  JsonShapeChecker checker(limits);
  EXPECT_TRUE(checker.Feed("{\"short\": \"a value longer than ten bytes is fine\",\n"));
  EXPECT_FALSE(checker.Feed(" \"" + std::string(1000, 'k') + "\": 1}"));
  EXPECT_EQ(checker.violation()->ToString(), "a JSON key longer than 10 bytes at line 2, byte 53");
}

TEST(JsonShapeTest, KeyOfExactlyTheLimitPasses) {
  JsonShapeLimits limits;
  limits.max_key_bytes = 3;
  JsonShapeChecker checker(limits);
  EXPECT_TRUE(checker.Feed("{\"abc\": {\"a\\\"\": 1}}"));
}

TEST(JsonShapeTest, TooManyDistinctKeysAreRefusedRepeatsAreNot) {
  JsonShapeLimits limits;
  limits.max_distinct_keys = 3;
  JsonShapeChecker checker(limits);
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(checker.Feed("{\"a\": 1, \"b\": {\"c\": [\"not a key\", {\"a\": 2}]}}\n"));
  }
  EXPECT_FALSE(checker.Feed("{\"d\": 1}\n"));
  EXPECT_EQ(checker.violation()->line, 101u);
  EXPECT_NE(checker.violation()->what.find("more than 3 distinct keys"), std::string::npos);
}

TEST(JsonShapeTest, NestingDepthOfRequestBodiesIsUnchanged) {
  EXPECT_EQ(JsonNestingDepth("{\"a\": [[1], \"]]]\"]}", 64), 3u);
  EXPECT_EQ(JsonNestingDepth(Repeat("[", 1000), 64), 65u);
  EXPECT_EQ(JsonNestingDepth("]]]{}", 64), 1u);
}

}  // namespace
}  // namespace lakehouse
