// A progress bar on stderr for uploads and server-side phases, drawn only
// when stderr is a terminal, counting in the unit of the work: bytes of an
// upload, rows of an index build.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace lakehouse::cli {

enum class ProgressUnit {
  kBytes,  // "1.0 MiB / 2.0 MiB"
  kRows,   // "1,000 / 2,000 rows"
  kItems,  // "1,000 / 2,000 items"
  kNone,   // a step with no count worth showing: the bar and percentage alone
};

// "1.5 KiB": bytes in binary units, one decimal above a KiB.
std::string HumanBytes(double bytes);

// One frame of the bar, without the carriage return that redraws it:
//   embedding [###############...............]  50% 1,000 / 2,000 rows
// A total of 0 means the total is unknown: no bar, only what is done
// ("add people 12.0 KiB"). `done` past `total` shows as 100%.
std::string FormatProgress(std::string_view label, uint64_t done, uint64_t total,
                           ProgressUnit unit);

// Draws FormatProgress frames at most ten times a second (and always the
// first and the last), then one closing line "LABEL: NOTE". Does nothing when
// stderr is not a terminal, so scripts and logs see only results.
class Progress {
 public:
  Progress(std::string label, uint64_t total, ProgressUnit unit);
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void Update(uint64_t done);
  void Finish(std::string_view note);

 private:
  std::string label_;
  uint64_t total_;
  ProgressUnit unit_;
  bool enabled_;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace lakehouse::cli
