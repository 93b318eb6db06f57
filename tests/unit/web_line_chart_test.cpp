// The SQL console's line chart: dates read as days, points ordered and spaced by x.
#include "web/line_chart.h"

#include <gtest/gtest.h>

namespace lakehouse::web {
namespace {

TEST(LineChartTest, DatesAndTimesReadAsDaysSince1970) {
  EXPECT_EQ(DaysOfTime("1970-01-01"), 0.0);
  EXPECT_EQ(DaysOfTime("2024-03-01"), 19783.0);
  EXPECT_EQ(DaysOfTime("2024-03-01 12:00:00"), 19783.5);
  EXPECT_EQ(DaysOfTime("2024-03-01 12:00:00.250000"), 19783.5);
  EXPECT_FALSE(DaysOfTime("March 1st").has_value());
  EXPECT_FALSE(DaysOfTime("2024-13-01").has_value());
}

TEST(LineChartTest, PointsAreOrderedAndSpacedByX) {
  // Out of order, and two days apart then eight.
  std::vector<LinePoint> points = {{"c", 10, 3, "3"}, {"a", 0, 1, "1"}, {"b", 2, 2, "2"}};
  Data data = LineChartData(points, "n by day");
  const auto& drawn = data.get("points")->list_value();
  ASSERT_EQ(drawn.size(), 3u);
  EXPECT_EQ(drawn[0].get("label")->string_value(), "a");
  EXPECT_EQ(drawn[1].get("label")->string_value(), "b");
  EXPECT_EQ(drawn[2].get("label")->string_value(), "c");
  const double x0 = std::stod(drawn[0].get("cx")->string_value());
  const double x1 = std::stod(drawn[1].get("cx")->string_value());
  const double x2 = std::stod(drawn[2].get("cx")->string_value());
  EXPECT_NEAR((x2 - x1) / (x1 - x0), 4.0, 0.01);
  // The highest value is drawn highest (SVG y grows downwards).
  EXPECT_LT(std::stod(drawn[2].get("cy")->string_value()),
            std::stod(drawn[0].get("cy")->string_value()));
}

}  // namespace
}  // namespace lakehouse::web
