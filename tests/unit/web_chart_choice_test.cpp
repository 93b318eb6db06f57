// The SQL console's chart rule: which results open as a chart, and how a user's choice applies.
#include "web/chart_choice.h"

#include <gtest/gtest.h>

namespace lakehouse::web {
namespace {

using query::ColumnEncoding;
using query::ResultColumn;

const ResultColumn kText{"name", "VARCHAR", ColumnEncoding::kString};
const ResultColumn kState{"state", "VARCHAR", ColumnEncoding::kString};
const ResultColumn kCount{"count_star()", "BIGINT", ColumnEncoding::kSigned};
const ResultColumn kRate{"rate", "DOUBLE", ColumnEncoding::kDouble};
const ResultColumn kDay{"day", "DATE", ColumnEncoding::kDate};
const ResultColumn kDistance{"distance", "FLOAT", ColumnEncoding::kFloat};

Cell Text(std::string text) { return Cell{std::move(text), false, std::nullopt}; }
Cell Number(double value) { return Cell{std::to_string(value), false, value}; }

// `rows` rows over `columns`: text columns get "<column><row>" (distinct) or,
// with `repeat`, the same text every other row; numbers their row index.
TablePage Page(std::vector<ResultColumn> columns, size_t rows, bool repeat = false) {
  TablePage page;
  page.columns = std::move(columns);
  for (size_t r = 0; r < rows; ++r) {
    std::vector<Cell> row;
    for (const auto& column : page.columns) {
      if (RoleOf(column) == ColumnRole::kNumber) {
        row.push_back(Number(static_cast<double>(r)));
      } else if (RoleOf(column) == ColumnRole::kTime) {
        row.push_back(Text("2024-01-" + std::to_string(10 + r)));
      } else {
        row.push_back(Text(column.name + std::to_string(repeat ? r / 2 : r)));
      }
    }
    page.rows.push_back(std::move(row));
  }
  return page;
}

TEST(ChartChoiceTest, GroupedCountOfOneTextColumnOpensAsBars) {
  auto choice = DefaultChart(Page({kState, kCount}, 26),
                             "SELECT state, count(*) FROM candidates GROUP BY state");
  EXPECT_TRUE(choice.chart);
  EXPECT_EQ(choice.label, 0u);
  EXPECT_EQ(choice.value, 1u);
  EXPECT_EQ(choice.kind, ChartKind::kBar);
}

TEST(ChartChoiceTest, SelectStarOpensAsTableThoughItHasTextAndNumbers) {
  auto page = Page({kCount, kText, kState, kRate}, 50);
  page.more = true;
  auto choice = DefaultChart(page, "SELECT * FROM candidates");
  EXPECT_FALSE(choice.chart);
  // It can still be charted when asked.
  EXPECT_TRUE(choice.chartable);
}

TEST(ChartChoiceTest, UngroupedRowsOpenAsTableEvenWhenFew) {
  // A vector search joined to a dataset: names and distances, not amounts.
  auto choice = DefaultChart(Page({kText, kDistance}, 3),
                             "SELECT c.name, s.distance FROM vector_search('i', 'x', 20) s "
                             "JOIN candidates c ON c.id = s.id");
  EXPECT_FALSE(choice.chart);
}

TEST(ChartChoiceTest, MoreThanThirtyRowsOpenAsTable) {
  const std::string sql = "SELECT name, count(*) FROM t GROUP BY name";
  EXPECT_TRUE(DefaultChart(Page({kText, kCount}, kMaxDefaultChartRows), sql).chart);
  EXPECT_FALSE(DefaultChart(Page({kText, kCount}, kMaxDefaultChartRows + 1), sql).chart);
  EXPECT_FALSE(DefaultChart(Page({kText, kCount}, 1), sql).chart);
}

TEST(ChartChoiceTest, RepeatedLabelsOrTwoLabelColumnsOpenAsTable) {
  const std::string sql = "SELECT state, name, count(*) FROM t GROUP BY ALL";
  EXPECT_FALSE(DefaultChart(Page({kState, kCount}, 10, /*repeat=*/true), sql).chart);
  EXPECT_FALSE(DefaultChart(Page({kState, kText, kCount}, 10), sql).chart);
}

TEST(ChartChoiceTest, GroupedDatesOpenAsLine) {
  auto choice = DefaultChart(Page({kDay, kCount}, 7), "SELECT day, count(*) FROM t GROUP BY 1");
  EXPECT_TRUE(choice.chart);
  EXPECT_EQ(choice.kind, ChartKind::kLine);
}

TEST(ChartChoiceTest, GroupByCountsOnlyOutsideStringsAndComments) {
  EXPECT_TRUE(GroupsRows("select a, sum(b) from t group\n  by a"));
  EXPECT_TRUE(GroupsRows("SELECT a FROM t GROUP /* why */ BY ALL"));
  EXPECT_FALSE(GroupsRows("SELECT 'group by' AS a FROM t"));
  EXPECT_FALSE(GroupsRows("SELECT \"group\" AS a, by FROM t"));
  EXPECT_FALSE(GroupsRows("SELECT a FROM t -- group by a"));
  EXPECT_FALSE(GroupsRows("SELECT a FROM t ORDER BY a"));
}

TEST(ChartChoiceTest, TheUserPicksViewColumnsAndKind) {
  auto page = Page({kText, kDay, kCount, kRate}, 40);
  ChartRequest request{"chart", "day", "rate", "line"};
  auto choice = ChooseChart(page, "SELECT * FROM t", request);
  EXPECT_TRUE(choice.chart);
  EXPECT_EQ(choice.label, 1u);
  EXPECT_EQ(choice.value, 3u);
  EXPECT_EQ(choice.kind, ChartKind::kLine);

  request.view = "table";
  EXPECT_FALSE(ChooseChart(page, "SELECT * FROM t", request).chart);
}

TEST(ChartChoiceTest, AChoiceThatDoesNotFitFallsBackPartByPart) {
  auto page = Page({kText, kCount}, 5);
  // No such columns, and a line over text labels.
  auto choice = ChooseChart(page, "SELECT * FROM t", {"chart", "nope", "name", "line"});
  EXPECT_TRUE(choice.chart);
  EXPECT_EQ(choice.label, 0u);
  EXPECT_EQ(choice.value, 1u);
  EXPECT_EQ(choice.kind, ChartKind::kBar);
  // A number against itself: the other number is taken.
  auto numbers = Page({kCount, kRate}, 5);
  auto self = ChooseChart(numbers, "SELECT * FROM t", {"chart", "rate", "rate", ""});
  EXPECT_EQ(self.label, 1u);
  EXPECT_EQ(self.value, 0u);
}

TEST(ChartChoiceTest, AResultWithoutNumbersCannotBeCharted) {
  auto choice = ChooseChart(Page({kText, kState}, 5), "SELECT * FROM t", {"chart", "", "", ""});
  EXPECT_FALSE(choice.chartable);
  EXPECT_FALSE(choice.chart);
}

}  // namespace
}  // namespace lakehouse::web
