// ResultChartData: the chosen label and value columns of a page drawn as bars or as a line.
#include "web/result_chart.h"

#include <cstdlib>

#include "web/bar_chart.h"
#include "web/line_chart.h"

namespace lakehouse::web {
namespace {

// Where a label sits on the x axis: a date or time by its days, a number by
// itself.
std::optional<double> XOf(const Cell& cell, ColumnRole role) {
  if (cell.is_null) return std::nullopt;
  if (role == ColumnRole::kTime) return DaysOfTime(cell.text);
  if (cell.number) return cell.number;
  char* end = nullptr;
  double x = std::strtod(cell.text.c_str(), &end);
  if (end == cell.text.c_str() || *end != '\0') return std::nullopt;
  return x;
}

std::vector<LinePoint> LinePoints(const TablePage& page, const ChartChoice& choice) {
  const ColumnRole role = RoleOf(page.columns[choice.label]);
  std::vector<LinePoint> points;
  for (const auto& row : page.rows) {
    const Cell& value = row[choice.value];
    auto x = XOf(row[choice.label], role);
    if (!x || !value.number) continue;
    points.push_back({row[choice.label].text, *x, *value.number, value.text});
  }
  return points;
}

}  // namespace

Data ResultChartData(const TablePage& page, const ChartChoice& choice) {
  Data data;
  if (!choice.chart || !choice.chartable) return data;
  const std::string title =
      page.columns[choice.value].name + " by " + page.columns[choice.label].name;
  if (choice.kind == ChartKind::kLine) {
    auto points = LinePoints(page, choice);
    if (!points.empty()) data.set("line", LineChartData(std::move(points), title));
    return data;
  }
  auto bars = ChartBars(page, choice.label, choice.value);
  if (!bars.empty()) data.set("bar", BarChartData(bars, title));
  return data;
}

}  // namespace lakehouse::web
