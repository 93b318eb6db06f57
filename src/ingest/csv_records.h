// ingest: the records of a CSV file counted independently of DuckDB, so that
// what the sniffer made of a file can be checked against the file itself.
//
// Splits records the way an RFC 4180 reader (DuckDB's included) does: a quote
// opens a quoted field only at the start of a field, a quoted field may hold
// delimiters and newlines, a doubled quote (or the escape character) inside
// it is a literal quote, and \n, \r\n and a lone \r all end a record. Lines
// with no bytes are not records. One pass, constant memory.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace lakehouse::ingest {

struct CsvDialect {
  char delimiter = ',';
  std::optional<char> quote = '"';   // none: quotes are ordinary bytes
  std::optional<char> escape = '"';  // inside quotes; none or the quote: doubled quotes
};

struct CsvRecord {
  uint64_t line = 0;  // the 1-based line the record starts on
  size_t fields = 0;
};

struct CsvShape {
  uint64_t records = 0;  // every record, a header included
  std::optional<CsvRecord> first;
  // The first record whose field count differs from the first record's; the
  // scan stops there, so `records` then counts only up to it.
  std::optional<CsvRecord> ragged;
};

// Streaming form: Feed the text in pieces of any size, then Finish.
class CsvRecordScanner {
 public:
  explicit CsvRecordScanner(CsvDialect dialect) : dialect_(dialect) {}
  // Returns false once a ragged record is found (no need to read further).
  bool Feed(std::string_view text);
  CsvShape Finish();

 private:
  enum class State { kFieldStart, kUnquoted, kQuoted, kQuotedEscape, kAfterQuote };
  void EndRecord();
  void Byte(char c);

  CsvDialect dialect_;
  CsvShape shape_;
  State state_ = State::kFieldStart;
  size_t fields_ = 1;
  bool has_data_ = false;  // the current record has at least one byte
  bool after_cr_ = false;  // a \n now completes a \r\n
  uint64_t line_ = 1;
  uint64_t record_line_ = 1;
};

// Scans a whole file. Errors only when the file cannot be read.
Result<CsvShape> ScanCsvFile(const std::string& path, const CsvDialect& dialect);

// The delimiters a person would read the file with, judging by its first
// lines: the most frequent of , ; tab | on the first line, and the one found
// on more than half of the first 20 lines. At most two, without repeats.
std::vector<char> PlausibleDelimiters(const std::string& path);

}  // namespace lakehouse::ingest
