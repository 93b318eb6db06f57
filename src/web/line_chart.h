// The geometry of a line chart, for web/templates/line_chart.mustache to draw
// as inline SVG, as bar_chart.h does for bars.
//
// Promises:
//  - Points are drawn in the order of their x, wherever they came in the
//    result, and spaced by it: a gap in dates shows as a gap.
//  - The y axis spans the values and zero when all are of one sign.
//  - Points with a non-finite x or y are left out.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "web/templates.h"

namespace lakehouse::web {

struct LinePoint {
  std::string label;  // how x is shown, e.g. "2024-03-01"
  double x = 0;
  double y = 0;
  std::string value_text;  // how y is shown
};

// Days since 1970-01-01 (with the time of day as a fraction) of a date or
// timestamp as the query engine writes it: "2024-03-01" or
// "2024-03-01 12:30:00[.ffffff]"; nullopt for other text.
std::optional<double> DaysOfTime(std::string_view text);

// The template's data: {title, width, height, points: [{cx, cy, label,
// value_text}], path, x_labels: [{x, text, anchor}], y_labels: [{y, text}],
// plot_left, plot_right, plot_top, plot_bottom}.
Data LineChartData(std::vector<LinePoint> points, std::string_view title);

}  // namespace lakehouse::web
