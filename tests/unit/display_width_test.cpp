// The terminal width of UTF-8 text that the command line's tables pad by.
#include "cli/display_width.h"

#include <gtest/gtest.h>

#include <string>

namespace lakehouse::cli {
namespace {

TEST(DisplayWidthTest, AsciiTakesOneColumnPerByte) {
  EXPECT_EQ(DisplayWidth(""), 0u);
  EXPECT_EQ(DisplayWidth("Ada"), 3u);
  EXPECT_EQ(DisplayWidth("a b,c"), 5u);
}

TEST(DisplayWidthTest, AccentedLettersTakeOneColumnThoughTwoBytes) {
  const std::string name = "Jos\xC3\xA9 N\xC3\xBA\xC3\xB1\x65z";  // José Núñez
  ASSERT_EQ(name.size(), 13u);
  EXPECT_EQ(DisplayWidth(name), 10u);
}

TEST(DisplayWidthTest, CombiningMarksTakeNoColumn) {
  // "Zoë" spelt with e and U+0308 COMBINING DIAERESIS.
  EXPECT_EQ(DisplayWidth("Zoe\xCC\x88"), 3u);
  // a with three stacked marks is still one column.
  EXPECT_EQ(DisplayWidth("a\xCC\x81\xCC\x82\xCC\x83"), 1u);
}

TEST(DisplayWidthTest, WideCjkCharactersTakeTwoColumns) {
  EXPECT_EQ(DisplayWidth("\xE7\x8E\x8B\xE5\xB0\x8F\xE6\x98\x8E"), 6u);  // 王小明
  EXPECT_EQ(DisplayWidth("\xE3\x81\x8B\xE3\x81\xAA"), 4u);              // かな
  EXPECT_EQ(DisplayWidth("Li \xE7\x8E\x8B"), 5u);                       // "Li 王"
}

TEST(DisplayWidthTest, InvalidUtf8BytesCountOneColumnEach) {
  EXPECT_EQ(DisplayWidth("\xFF"), 1u);
  EXPECT_EQ(DisplayWidth("L\xFFu"), 3u);
  EXPECT_EQ(DisplayWidth("\xC3"), 1u);              // a lead byte cut off at the end
  EXPECT_EQ(DisplayWidth("\xC3(x"), 3u);            // a lead byte without its continuation
  EXPECT_EQ(DisplayWidth("\x80\x80"), 2u);          // stray continuation bytes
  EXPECT_EQ(DisplayWidth("\xED\xA0\x80"), 3u);      // an encoded surrogate is not UTF-8
  EXPECT_EQ(DisplayWidth("\xFF\xE7\x8E\x8B"), 3u);  // bad byte, then a wide one still counts 2
}

TEST(DisplayWidthTest, PaddingFillsToTheWidthInColumnsNotBytes) {
  const std::string name = "Jos\xC3\xA9";  // José: 5 bytes, 4 columns
  EXPECT_EQ(PadRight(name, 6), name + "  ");
  EXPECT_EQ(PadLeft(name, 6), "  " + name);
  EXPECT_EQ(PadRight("\xE7\x8E\x8B", 4), "\xE7\x8E\x8B  ");
  EXPECT_EQ(PadRight("wider", 3), "wider");
  EXPECT_EQ(PadLeft("wider", 3), "wider");
}

}  // namespace
}  // namespace lakehouse::cli
