// The shared percent-encoder: RFC 3986's unreserved set kept, upper-case
// escapes (SigV4 signs them byte for byte), and the decoder.
#include "common/percent_encoding.h"

#include <gtest/gtest.h>

#include <cctype>
#include <string>

namespace lakehouse {
namespace {

TEST(PercentEncodingTest, KeepsOnlyTheUnreservedSet) {
  const std::string unreserved =
      "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  EXPECT_EQ(PercentEncode(unreserved), unreserved);
  EXPECT_EQ(PercentEncode("a/b c&d=e"), "a%2Fb%20c%26d%3De");
  EXPECT_EQ(PercentEncode("!'()*+,;:@?#[]$%"), "%21%27%28%29%2A%2B%2C%3B%3A%40%3F%23%5B%5D%24%25");
}

TEST(PercentEncodingTest, EscapesEveryOtherByteWithUpperCaseHex) {
  for (int b = 0; b < 256; ++b) {
    const auto c = static_cast<unsigned char>(b);
    const bool unreserved = std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
    std::string encoded = PercentEncode(std::string(1, static_cast<char>(b)));
    if (unreserved) {
      EXPECT_EQ(encoded.size(), 1u) << b;
      continue;
    }
    ASSERT_EQ(encoded.size(), 3u) << b;
    EXPECT_EQ(encoded[0], '%');
    for (char digit : encoded.substr(1)) EXPECT_FALSE(std::islower(digit)) << encoded;
    EXPECT_EQ(*PercentDecode(encoded, false), std::string(1, static_cast<char>(b)));
  }
  EXPECT_EQ(PercentEncode(std::string_view("\0", 1)), "%00");
  EXPECT_EQ(PercentEncode("caf\xC3\xA9"), "caf%C3%A9");
}

TEST(PercentEncodingTest, PathFormKeepsSlashes) {
  EXPECT_EQ(PercentEncodePath("a b+c/d~e%"), "a%20b%2Bc/d~e%25");
  EXPECT_EQ(PercentEncodePath("/\xE1\x88\xB4"), "/%E1%88%B4");
  EXPECT_EQ(PercentEncode("a/b"), "a%2Fb");
}

TEST(PercentEncodingTest, AppendsOneEscape) {
  std::string out = "x";
  AppendPercentEscape(out, 0x0a);
  AppendPercentEscape(out, 0xff);
  EXPECT_EQ(out, "x%0A%FF");
}

TEST(PercentEncodingTest, DecodesEitherCaseAndPlusOnlyWhenAsked) {
  EXPECT_EQ(*PercentDecode("a+b%20c", true), "a b c");
  EXPECT_EQ(*PercentDecode("a+b", false), "a+b");
  EXPECT_EQ(*PercentDecode("%2f%2F", false), "//");
  EXPECT_EQ(*PercentDecode("%00", false), std::string(1, '\0'));
  EXPECT_EQ(*PercentDecode("", false), "");
}

TEST(PercentEncodingTest, MalformedEscapesNameTheirOffset) {
  for (const char* bad : {"%", "a%2", "a%zz", "%g0", "ab%"}) {
    auto decoded = PercentDecode(bad, false);
    ASSERT_FALSE(decoded.ok()) << bad;
    EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(decoded.status().message().find("offset"), std::string::npos);
  }
  EXPECT_NE(PercentDecode("ab%zz", false).status().message().find("offset 2"), std::string::npos);
}

TEST(PercentEncodingTest, RoundTripsArbitraryBytes) {
  std::string bytes;
  for (int i = 0; i < 1000; ++i) bytes += static_cast<char>(i * 131 % 256);
  EXPECT_EQ(*PercentDecode(PercentEncode(bytes), false), bytes);
  EXPECT_EQ(*PercentDecode(PercentEncodePath(bytes), false), bytes);
}

}  // namespace
}  // namespace lakehouse
