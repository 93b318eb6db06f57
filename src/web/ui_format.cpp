// Formats counts, sizes, durations and version details as the UI's pages show them.
#include "web/ui_format.h"

#include <cstdio>
#include <iterator>
#include <string_view>

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
