// LineChartData: points, the line's path and axis labels as Mustache data for the SVG chart.
#include "web/line_chart.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace lakehouse::web {
namespace {

constexpr double kWidth = 640;
constexpr double kHeight = 240;
constexpr double kLeft = 64;  // room for the y labels
constexpr double kRight = 16;
constexpr double kTop = 12;
constexpr double kBottom = 28;  // room for the x labels

std::string Px(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

bool ReadInt(std::string_view text, size_t at, size_t digits, int* out) {
  if (at + digits > text.size()) return false;
  auto [end, ec] = std::from_chars(text.data() + at, text.data() + at + digits, *out);
  return ec == std::errc() && end == text.data() + at + digits;
}

// Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's
// days_from_civil).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

}  // namespace

std::optional<double> DaysOfTime(std::string_view text) {
  int year = 0, month = 0, day = 0;
  if (text.size() < 10 || text[4] != '-' || text[7] != '-' || !ReadInt(text, 0, 4, &year) ||
      !ReadInt(text, 5, 2, &month) || !ReadInt(text, 8, 2, &day) || month < 1 || month > 12 ||
      day < 1 || day > 31) {
    return std::nullopt;
  }
  double days = static_cast<double>(
      DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)));
  if (text.size() == 10) return days;
  int hour = 0, minute = 0, second = 0;
  if (text.size() < 19 || (text[10] != ' ' && text[10] != 'T') || !ReadInt(text, 11, 2, &hour) ||
      !ReadInt(text, 14, 2, &minute) || !ReadInt(text, 17, 2, &second)) {
    return std::nullopt;
  }
  return days + (hour * 3600.0 + minute * 60.0 + second) / 86400.0;
}

Data LineChartData(std::vector<LinePoint> points, std::string_view title) {
  std::erase_if(points,
                [](const LinePoint& p) { return !std::isfinite(p.x) || !std::isfinite(p.y); });
  std::stable_sort(points.begin(), points.end(),
                   [](const LinePoint& a, const LinePoint& b) { return a.x < b.x; });
  double x_min = 0, x_max = 1, y_min = 0, y_max = 1;
  if (!points.empty()) {
    x_min = points.front().x;
    x_max = points.back().x;
    auto [lo, hi] =
        std::minmax_element(points.begin(), points.end(),
                            [](const LinePoint& a, const LinePoint& b) { return a.y < b.y; });
    y_min = std::min(lo->y, 0.0);
    y_max = std::max(hi->y, 0.0);
  }
  if (x_max == x_min) x_max = x_min + 1;
  if (y_max == y_min) y_max = y_min + 1;
  const double plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  auto px = [&](double x) { return kLeft + (x - x_min) / (x_max - x_min) * plot_w; };
  auto py = [&](double y) { return kTop + (y_max - y) / (y_max - y_min) * plot_h; };

  List items;
  std::string path;
  for (const auto& p : points) {
    Data item;
    item.set("cx", Px(px(p.x)));
    item.set("cy", Px(py(p.y)));
    item.set("label", p.label);
    item.set("value_text", p.value_text);
    items.push_back(item);
    path += (path.empty() ? "M" : " L") + Px(px(p.x)) + " " + Px(py(p.y));
  }
  List x_labels;
  if (!points.empty()) {
    const size_t picks[] = {0, points.size() / 2, points.size() - 1};
    const char* anchors[] = {"start", "middle", "end"};
    for (size_t i = 0; i < 3; ++i) {
      if (i > 0 && picks[i] == picks[i - 1]) continue;
      Data label;
      label.set("x", Px(px(points[picks[i]].x)));
      label.set("text", points[picks[i]].label);
      label.set("anchor", std::string(points.size() == 1 ? "middle" : anchors[i]));
      x_labels.push_back(label);
    }
  }
  List y_labels;
  for (double v : {y_max, (y_max + y_min) / 2, y_min}) {
    Data label;
    label.set("y", Px(py(v) + 4));
    label.set("line_y", Px(py(v)));
    label.set("text", Number(v));
    y_labels.push_back(label);
  }
  Data data;
  data.set("title", std::string(title));
  data.set("width", Px(kWidth));
  data.set("height", Px(kHeight));
  data.set("points", items);
  data.set("path", path);
  data.set("x_labels", x_labels);
  data.set("x_label_y", Px(kHeight - 8));
  data.set("y_labels", y_labels);
  data.set("y_label_x", Px(kLeft - 6));
  data.set("plot_left", Px(kLeft));
  data.set("plot_right", Px(kWidth - kRight));
  return data;
}

}  // namespace lakehouse::web
