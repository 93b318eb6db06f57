// CSV text for the demo tables: numbers, dates and quoted fields appended in place, and sentences.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "demo/staffing_data.h"

namespace lakehouse::demo {

void AppendInt(int64_t value, std::string& out);
// Hundredths as a decimal with two places: 5425 -> 54.25.
void AppendHundredths(int64_t value, std::string& out);
// Days since 1970-01-01 as YYYY-MM-DD.
void AppendDate(int64_t days, std::string& out);
// A quoted CSV field, double quotes doubled.
void AppendQuoted(std::string_view text, std::string& out);
// ASCII only, whatever the locale.
void AppendLower(std::string_view text, std::string& out);

// Rounds cents to a quarter dollar, as rate cards are written.
inline int64_t RoundQuarter(int64_t cents) { return (cents + 12) / 25 * 25; }
// The Sunday on or after `day` (1970-01-01 was a Thursday).
inline int64_t SundayOnOrAfter(int64_t day) { return day + (3 - day % 7 + 7) % 7; }

std::string Capitalized(std::string_view text);
// "a" or "an" before a title or a number, by how it is said.
const char* Article(std::string_view word);
// "x", "x and y", "x, y and z".
std::string JoinedList(const std::vector<const char*>& items);

// Buffers rows and hands them to the sink in blocks of about 1 MiB.
// `sink` must outlive the writer.
class CsvWriter {
 public:
  explicit CsvWriter(const CsvSink& sink) : sink_(sink) { buffer_.reserve(kBlock + 4096); }
  std::string& out() { return buffer_; }
  Status EndRow() {
    buffer_.push_back('\n');
    return buffer_.size() >= kBlock ? Flush() : Status::Ok();
  }
  Status Flush() {
    if (buffer_.empty()) return Status::Ok();
    Status s = sink_(buffer_);
    buffer_.clear();
    return s;
  }

 private:
  static constexpr size_t kBlock = 1 << 20;
  const CsvSink& sink_;
  std::string buffer_;
};

}  // namespace lakehouse::demo
