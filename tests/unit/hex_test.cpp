// The shared hex encoder and digit decoder.
#include "common/hex.h"

#include <gtest/gtest.h>

#include <array>
#include <string>

namespace lakehouse {
namespace {

TEST(HexTest, EncodesLowerCaseTwoDigitsPerByte) {
  EXPECT_EQ(HexEncode(std::string_view()), "");
  EXPECT_EQ(HexEncode(std::string_view("\x00\x01\x7f\x80\xff", 5)), "00017f80ff");
  EXPECT_EQ(HexEncode("AZ"), "415a");
  const std::array<unsigned char, 4> bytes = {0xde, 0xad, 0xbe, 0xef};
  EXPECT_EQ(HexEncode(bytes), "deadbeef");
}

TEST(HexTest, EveryByteRoundTripsThroughTheDigitDecoder) {
  for (int b = 0; b < 256; ++b) {
    std::string hex = HexEncode(std::string(1, static_cast<char>(b)));
    ASSERT_EQ(hex.size(), 2u);
    EXPECT_EQ(HexDigitValue(hex[0]) * 16 + HexDigitValue(hex[1]), b);
  }
}

TEST(HexTest, DigitDecoderTakesBothCasesAndNothingElse) {
  EXPECT_EQ(HexDigitValue('0'), 0);
  EXPECT_EQ(HexDigitValue('9'), 9);
  EXPECT_EQ(HexDigitValue('a'), 10);
  EXPECT_EQ(HexDigitValue('F'), 15);
  for (char c : std::string("gG/:@`xX \0", 10)) EXPECT_EQ(HexDigitValue(c), -1) << int(c);
}

}  // namespace
}  // namespace lakehouse
