// The client's progress bar: frames formatted by a pure function, drawn on a terminal only.
#include "cli/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "cli/counts.h"

namespace lakehouse::cli {
namespace {

constexpr int kBarWidth = 30;

std::string Amount(uint64_t n, ProgressUnit unit) {
  switch (unit) {
    case ProgressUnit::kBytes:
      return HumanBytes(static_cast<double>(n));
    case ProgressUnit::kRows:
    case ProgressUnit::kItems:
    case ProgressUnit::kNone:
      break;
  }
  return GroupDigits(n);
}

const char* UnitNoun(ProgressUnit unit) {
  switch (unit) {
    case ProgressUnit::kRows:
      return " rows";
    case ProgressUnit::kItems:
      return " items";
    case ProgressUnit::kBytes:
    case ProgressUnit::kNone:
      break;
  }
  return "";
}

}  // namespace

std::string HumanBytes(double bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int unit = 0;
  while (bytes >= 1024 && unit < 4) {
    bytes /= 1024;
    ++unit;
  }
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, unit == 0 ? "%.0f %s" : "%.1f %s", bytes, kUnits[unit]);
  return buffer;
}

std::string FormatProgress(std::string_view label, uint64_t done, uint64_t total,
                           ProgressUnit unit) {
  std::string out(label);
  if (total == 0) {
    if (unit != ProgressUnit::kNone) out += " " + Amount(done, unit) + UnitNoun(unit);
    return out;
  }
  double fraction = std::min(1.0, static_cast<double>(done) / static_cast<double>(total));
  int filled = static_cast<int>(fraction * kBarWidth);
  char percent[8];
  std::snprintf(percent, sizeof percent, "%3d%%", static_cast<int>(fraction * 100));
  out += " [" + std::string(filled, '#') + std::string(kBarWidth - filled, '.') + "] " + percent;
  if (unit != ProgressUnit::kNone) {
    out += " " + Amount(done, unit) + " / " + Amount(total, unit) + UnitNoun(unit);
  }
  return out;
}

Progress::Progress(std::string label, uint64_t total, ProgressUnit unit)
    : label_(std::move(label)),
      total_(total),
      unit_(unit),
      enabled_(::isatty(STDERR_FILENO) != 0) {}

void Progress::Update(uint64_t done) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (done < total_ && now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  // \033[K clears what a longer earlier frame left to the right.
  std::fprintf(stderr, "\r%s\033[K", FormatProgress(label_, done, total_, unit_).c_str());
}

void Progress::Finish(std::string_view note) {
  if (!enabled_) return;
  std::fprintf(stderr, "\r%s: %.*s\033[K\n", label_.c_str(), static_cast<int>(note.size()),
               note.data());
}

}  // namespace lakehouse::cli
