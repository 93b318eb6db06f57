// How the command line words counts and draws its progress bars.
#include <gtest/gtest.h>

#include <string>

#include "cli/counts.h"
#include "cli/progress.h"

namespace lakehouse::cli {
namespace {

TEST(CountedTest, OneIsSingularEverythingElsePlural) {
  EXPECT_EQ(Counted(1, "row"), "1 row");
  EXPECT_EQ(Counted(0, "row"), "0 rows");
  EXPECT_EQ(Counted(2, "version"), "2 versions");
  EXPECT_EQ(Counted(1, "data file"), "1 data file");
  EXPECT_EQ(Counted(3, "data file"), "3 data files");
  EXPECT_EQ(Counted(1, "index", "indexes"), "1 index");
  EXPECT_EQ(Counted(2, "index", "indexes"), "2 indexes");
}

TEST(GroupDigitsTest, PutsACommaBetweenGroupsOfThree) {
  EXPECT_EQ(GroupDigits(0), "0");
  EXPECT_EQ(GroupDigits(999), "999");
  EXPECT_EQ(GroupDigits(1000), "1,000");
  EXPECT_EQ(GroupDigits(123456), "123,456");
  EXPECT_EQ(GroupDigits(1234567), "1,234,567");
  EXPECT_EQ(GroupDigits(18446744073709551615ull), "18,446,744,073,709,551,615");
}

TEST(FormatProgressTest, RowPhasesCountRowsNotBytes) {
  EXPECT_EQ(FormatProgress("embedding", 1000, 2000, ProgressUnit::kRows),
            "embedding [###############...............]  50% 1,000 / 2,000 rows");
  EXPECT_EQ(FormatProgress("reading", 0, 7, ProgressUnit::kRows),
            "reading [..............................]   0% 0 / 7 rows");
  EXPECT_EQ(FormatProgress("add people", 3, 3, ProgressUnit::kItems),
            "add people [##############################] 100% 3 / 3 items");
}

TEST(FormatProgressTest, UploadsCountBytesInBinaryUnits) {
  EXPECT_EQ(FormatProgress("upload a.csv", 1024, 2048, ProgressUnit::kBytes),
            "upload a.csv [###############...............]  50% 1.0 KiB / 2.0 KiB");
  EXPECT_EQ(FormatProgress("upload a.csv", 512, 512, ProgressUnit::kBytes),
            "upload a.csv [##############################] 100% 512 B / 512 B");
}

TEST(FormatProgressTest, AStepShowsNoCountAndAnUnknownTotalNoBar) {
  EXPECT_EQ(FormatProgress("saving", 0, 1, ProgressUnit::kNone),
            "saving [..............................]   0%");
  EXPECT_EQ(FormatProgress("add people", 5 * 1024 * 1024, 0, ProgressUnit::kBytes),
            "add people 5.0 MiB");
  EXPECT_EQ(FormatProgress("reading", 1500, 0, ProgressUnit::kRows), "reading 1,500 rows");
}

TEST(FormatProgressTest, DonePastTheTotalShowsAsFull) {
  EXPECT_EQ(FormatProgress("fitting", 9, 4, ProgressUnit::kRows),
            "fitting [##############################] 100% 9 / 4 rows");
}

}  // namespace
}  // namespace lakehouse::cli
