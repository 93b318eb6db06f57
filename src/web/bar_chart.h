// The geometry of a horizontal bar chart, for web/templates/bar_chart.mustache
// to draw as inline SVG. Computed here so the template stays declarative and
// every label still goes through the template's escaping.
//
// Promises:
//  - Bars are scaled to the largest magnitude; negative values are drawn
//    from the same origin and marked, never dropped.
//  - Non-finite values are drawn as zero-length bars, and at most kMaxBars
//    bars are drawn (the first ones).
#pragma once

#include <string>
#include <vector>

#include "web/templates.h"

namespace lakehouse::web {

struct Bar {
  std::string label;
  double value = 0;
  std::string value_text;  // how the value is shown, e.g. "1,204" or "3.5"
};

inline constexpr size_t kMaxBars = 50;

// The template's data: {width, height, title, bars: [{label, value_text, y,
// text_y, width, negative}], bar_x, bar_height}.
Data BarChartData(const std::vector<Bar>& bars, std::string_view title);

}  // namespace lakehouse::web
