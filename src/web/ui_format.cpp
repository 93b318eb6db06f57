// Formats counts, sizes, durations, times and version details as the UI's pages show them.
#include "web/ui_format.h"

#include <chrono>
#include <cstdio>
#include <iterator>
#include <string_view>

#include "common/time_format.h"

namespace lakehouse::web {

std::string FormatCount(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string FormatBytes(uint64_t bytes) {
  static const char* kUnits[] = {"B", "KB", "MB", "GB", "TB", "PB"};
  double value = static_cast<double>(bytes);
  size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(kUnits)) {
    value /= 1024;
    ++unit;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, unit == 0 ? "%.0f %s" : "%.1f %s", value, kUnits[unit]);
  return buf;
}

std::string FormatMs(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f ms", ms);
  return buf;
}

std::string FormatAgo(int64_t unix_ms, int64_t now_ms) {
  const int64_t diff = now_ms - unix_ms;
  const int64_t seconds = (diff < 0 ? -diff : diff) / 1000;
  if (seconds < 60) return "just now";
  struct Unit {
    const char* name;
    int64_t seconds;
  };
  // Largest first; a unit is used once at least one whole of it has passed.
  static constexpr Unit kUnits[] = {
      {"year", 365 * 86400}, {"month", 30 * 86400}, {"day", 86400}, {"hour", 3600}, {"minute", 60}};
  for (const Unit& unit : kUnits) {
    const int64_t n = seconds / unit.seconds;
    if (n == 0) continue;
    std::string amount = std::to_string(n) + " " + unit.name + (n == 1 ? "" : "s");
    return diff < 0 ? "in " + amount : amount + " ago";
  }
  return "just now";
}

Data TimeData(int64_t unix_ms, int64_t now_ms) {
  std::string iso = FormatRfc3339Ms(unix_ms);
  // 2026-11-25T04:13:00.123Z -> 2026-11-25 04:13:00 UTC
  std::string exact = iso.substr(0, 10) + " " + iso.substr(11, 8) + " UTC";
  Data data;
  data.set("iso", iso);
  data.set("exact", exact);
  data.set("ago", FormatAgo(unix_ms, now_ms));
  return data;
}

Data TimeData(int64_t unix_ms) {
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  return TimeData(unix_ms, now.count());
}

std::string SourceText(const catalog::Manifest& m) {
  if (!m.source) return "";
  return m.source->file_name.empty()
             ? FormatBytes(m.source->bytes)
             : m.source->file_name + " (" + FormatBytes(m.source->bytes) + ")";
}

std::string CountsText(const catalog::ChangeCounts& counts) {
  std::string out;
  auto add = [&](uint64_t n, std::string_view prefix, std::string_view what) {
    if (n == 0) return;
    if (!out.empty()) out += " \u00b7 ";
    out += std::string(prefix) + FormatCount(n) + " " + std::string(what);
  };
  add(counts.inserted, "+", "inserted");
  add(counts.updated, "", "updated");
  add(counts.deleted, "", "deleted");
  return out;
}

}  // namespace lakehouse::web
