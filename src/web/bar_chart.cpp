// BarChartData: bar widths, positions and shortened labels as Mustache data for the SVG chart.
#include "web/bar_chart.h"

#include <algorithm>
#include <cmath>

namespace lakehouse::web {
namespace {

constexpr int kLabelWidth = 160;  // room for the label column, left of the bars
constexpr int kBarArea = 420;     // the longest bar
constexpr int kValueWidth = 110;  // room for the value text after a bar
constexpr int kRowHeight = 22;
constexpr int kBarHeight = 16;
constexpr int kTop = 6;

std::string Px(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// SVG text does not wrap or clip; a long label is cut so it cannot run
// into the bars.
std::string ShortLabel(const std::string& label) {
  constexpr size_t kMaxChars = 22;
  size_t chars = 0;
  for (size_t i = 0; i < label.size(); ++i) {
    // Count UTF-8 lead bytes only, so a cut never splits a character.
    if ((static_cast<unsigned char>(label[i]) & 0xC0) != 0x80 && ++chars > kMaxChars) {
      return label.substr(0, i) + "…";
    }
  }
  return label;
}

}  // namespace

Data BarChartData(const std::vector<Bar>& bars, std::string_view title) {
  const size_t n = std::min(bars.size(), kMaxBars);
  double largest = 0;
  for (size_t i = 0; i < n; ++i) {
    if (std::isfinite(bars[i].value)) largest = std::max(largest, std::fabs(bars[i].value));
  }
  List items;
  for (size_t i = 0; i < n; ++i) {
    const Bar& bar = bars[i];
    const double v = std::isfinite(bar.value) ? bar.value : 0;
    const double width = largest > 0 ? std::fabs(v) / largest * kBarArea : 0;
    const int y = kTop + static_cast<int>(i) * kRowHeight;
    Data item;
    item.set("label", ShortLabel(bar.label));
    item.set("full_label", bar.label);
    item.set("value_text", bar.value_text);
    item.set("y", std::to_string(y));
    item.set("text_y", std::to_string(y + kBarHeight - 4));
    item.set("width", Px(std::max(width, 1.0)));
    item.set("value_x", Px(kLabelWidth + std::max(width, 1.0) + 6));
    item.set("negative", v < 0);
    items.push_back(item);
  }
  Data data;
  data.set("title", std::string(title));
  data.set("bars", items);
  data.set("bar_x", std::to_string(kLabelWidth));
  data.set("label_x", std::to_string(kLabelWidth - 6));
  data.set("bar_height", std::to_string(kBarHeight));
  data.set("width", std::to_string(kLabelWidth + kBarArea + kValueWidth));
  data.set("height", std::to_string(kTop * 2 + static_cast<int>(n) * kRowHeight));
  data.set("truncated", bars.size() > n);
  data.set("shown", std::to_string(n));
  return data;
}

}  // namespace lakehouse::web
