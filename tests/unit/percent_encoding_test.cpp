// PercentEncode keeps RFC 3986's unreserved bytes and encodes every other one.
#include "common/percent_encoding.h"

#include <gtest/gtest.h>

namespace lakehouse {
namespace {

TEST(PercentEncodingTest, KeepsOnlyUnreservedBytes) {
  const std::string unreserved =
      "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  EXPECT_EQ(PercentEncode(unreserved), unreserved);
  EXPECT_EQ(PercentEncode("a b+c/d~e%"), "a%20b%2Bc%2Fd~e%25");
  EXPECT_EQ(PercentEncode("!'()*&=?#"), "%21%27%28%29%2A%26%3D%3F%23");
  EXPECT_EQ(PercentEncode(""), "");
}

TEST(PercentEncodingTest, EncodesEveryOtherByteWithUpperCaseHex) {
  EXPECT_EQ(PercentEncode("caf\xC3\xA9"), "caf%C3%A9");
  EXPECT_EQ(PercentEncode(std::string_view("\0\x7F\xFF", 3)), "%00%7F%FF");
  EXPECT_EQ(PercentEncode("SELECT * FROM \"t@1\""), "SELECT%20%2A%20FROM%20%22t%401%22");
}

TEST(PercentEncodingTest, KeepsSlashOnlyWhenAsked) {
  EXPECT_EQ(PercentEncode("a/b c", Slash::kKeep), "a/b%20c");
  EXPECT_EQ(PercentEncode("a/b c", Slash::kEncode), "a%2Fb%20c");
}

}  // namespace
}  // namespace lakehouse
