// The SQL console's pages of rows through a real query engine: the page, and the result's row
// count.
#include "web/query_table.h"

#include <gtest/gtest.h>

#include "testing/embedded_lakehouse.h"

namespace lakehouse::web {
namespace {

TEST(QueryTableTest, CountsTheWholeResultWithinTheBound) {
  testing::EmbeddedLakehouse lake;
  auto page = RunPage(lake.engine(), "SELECT range AS n FROM range(5000)", 2040, 50, 10'000);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  // A page across the engine's chunks of 2048 rows.
  ASSERT_EQ(page->rows.size(), 50u);
  EXPECT_EQ(page->rows.front()[0].text, "2040");
  EXPECT_EQ(page->rows.back()[0].text, "2089");
  EXPECT_TRUE(page->more);
  EXPECT_EQ(page->total, 5000u);
  Data data = TableData(*page);
  EXPECT_EQ(data.get("total")->string_value(), "5,000");
  EXPECT_EQ(data.get("whole")->is_true(), false);
}

TEST(QueryTableTest, AResultPastTheBoundIsOnlyKnownToExceedIt) {
  testing::EmbeddedLakehouse lake;
  auto page = RunPage(lake.engine(), "SELECT range AS n FROM range(20000)", 0, 50, 10'000);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_FALSE(page->total.has_value());
  Data data = TableData(*page);
  EXPECT_EQ(data.get("total"), nullptr);
  EXPECT_EQ(data.get("total_at_least")->string_value(), "10,000");
}

TEST(QueryTableTest, AResultOnOnePageIsCountedAsWhole) {
  testing::EmbeddedLakehouse lake;
  auto page = RunPage(lake.engine(), "SELECT range AS n FROM range(3)", 0, 50, 10'000);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(page->total, 3u);
  EXPECT_TRUE(TableData(*page).get("whole")->is_true());
}

TEST(QueryTableTest, WithoutCountingOnlyMoreIsKnown) {
  testing::EmbeddedLakehouse lake;
  auto page = RunPage(lake.engine(), "SELECT range AS n FROM range(120)", 50, 50);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(page->rows.front()[0].text, "50");
  EXPECT_TRUE(page->more);
  EXPECT_FALSE(page->total.has_value());
  EXPECT_EQ(TableData(*page).get("total_at_least")->string_value(), "100");
}

}  // namespace
}  // namespace lakehouse::web
