// The CSV record scanner: a byte-at-a-time state machine over RFC 4180.
#include "ingest/csv_records.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>

#include "common/logging.h"

namespace lakehouse::ingest {

void CsvRecordScanner::EndRecord() {
  if (has_data_) {
    ++shape_.records;
    CsvRecord record{record_line_, fields_};
    if (!shape_.first) {
      shape_.first = record;
    } else if (fields_ != shape_.first->fields && !shape_.ragged) {
      shape_.ragged = record;
    }
  }
  state_ = State::kFieldStart;
  fields_ = 1;
  has_data_ = false;
  record_line_ = line_;
}

void CsvRecordScanner::Byte(char c) {
  if (c == '\n' && after_cr_) {  // the rest of a \r\n, already counted
    after_cr_ = false;
    return;
  }
  after_cr_ = c == '\r';
  const bool newline = c == '\n' || c == '\r';
  if (newline) ++line_;
  const bool is_quote = dialect_.quote && c == *dialect_.quote;
  switch (state_) {
    case State::kQuoted:
      if (dialect_.escape && *dialect_.escape != dialect_.quote && c == *dialect_.escape) {
        state_ = State::kQuotedEscape;
      } else if (is_quote) {
        state_ = State::kAfterQuote;
      }
      return;
    case State::kQuotedEscape:
      state_ = State::kQuoted;
      return;
    case State::kFieldStart:
    case State::kUnquoted:
    case State::kAfterQuote:
      break;
  }
  if (newline) return EndRecord();
  has_data_ = true;
  if (c == dialect_.delimiter) {
    ++fields_;
    state_ = State::kFieldStart;
  } else if (is_quote && state_ != State::kUnquoted) {
    // Opens a quoted field, or after a closing quote is a doubled one.
    state_ = State::kQuoted;
  } else {
    state_ = State::kUnquoted;  // a quote inside an unquoted field is literal
  }
}

bool CsvRecordScanner::Feed(std::string_view text) {
  for (char c : text) {
    Byte(c);
    if (shape_.ragged) return false;
  }
  return true;
}

CsvShape CsvRecordScanner::Finish() {
  if (!shape_.ragged) EndRecord();  // a last record without a newline
  return shape_;
}

Result<CsvShape> ScanCsvFile(const std::string& path, const CsvDialect& dialect) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    spdlog::warn("ingest: cannot open {}: {}", path, std::strerror(errno));
    return Status::FromErrno(errno, "cannot reread the spooled upload");
  }
  constexpr size_t kBlock = 1 << 20;
  std::unique_ptr<char[]> buffer(new char[kBlock]);
  CsvRecordScanner scanner(dialect);
  while (true) {
    ssize_t n = ::read(fd, buffer.get(), kBlock);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      spdlog::warn("ingest: cannot read {}: {}", path, std::strerror(err));
      return Status::FromErrno(err, "cannot reread the spooled upload");
    }
    if (n == 0 || !scanner.Feed(std::string_view(buffer.get(), static_cast<size_t>(n)))) break;
  }
  ::close(fd);
  return scanner.Finish();
}

std::vector<char> PlausibleDelimiters(const std::string& path) {
  constexpr char kCandidates[] = {',', ';', '\t', '|'};
  constexpr int kLines = 20;
  std::ifstream in(path, std::ios::binary);
  std::string line;
  size_t first_line_best = 0;
  std::optional<char> first_line_choice;
  int lines_with[4] = {0, 0, 0, 0};
  int lines = 0;
  for (; lines < kLines && std::getline(in, line); ++lines) {
    for (int c = 0; c < 4; ++c) {
      size_t count = static_cast<size_t>(std::count(line.begin(), line.end(), kCandidates[c]));
      if (count > 0) ++lines_with[c];
      if (lines == 0 && count > first_line_best) {
        first_line_best = count;
        first_line_choice = kCandidates[c];
      }
    }
  }
  std::vector<char> out;
  if (first_line_choice) out.push_back(*first_line_choice);
  const int* most = std::max_element(std::begin(lines_with), std::end(lines_with));
  const char common = kCandidates[most - lines_with];
  if (*most * 2 > lines && (out.empty() || out[0] != common)) out.push_back(common);
  return out;
}

}  // namespace lakehouse::ingest
