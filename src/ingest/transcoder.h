// Transcodes an upload to UTF-8 as it streams in, with glibc's iconv.
//
// Private to src/ingest. The spool runs every CSV in another encoding
// through one, so DuckDB and the record scanner only ever read UTF-8, and
// line breaks stay where they were (line numbers in errors still hold).
// Not thread-safe; one per upload.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace lakehouse::ingest {

class Transcoder {
 public:
  // `encoding` is a canonical name of ValidateCsvOptions; kInvalidArgument
  // when the system's iconv does not know it.
  static Result<Transcoder> Open(const std::string& encoding);

  // Appends the UTF-8 form of `input` to `out`. Bytes of a character cut off
  // at the end of `input` wait for the next call. A byte the encoding does
  // not define is kInvalidArgument naming its line and value.
  Status Feed(std::string_view input, std::string& out);
  // A character still incomplete at the end of the upload is kInvalidArgument.
  Status Finish() const;

 private:
  struct Handle;
  Transcoder(std::string encoding, std::shared_ptr<Handle> handle);
  Status Convert(std::string_view input, std::string& out, size_t& consumed);

  std::string encoding_;
  std::shared_ptr<Handle> handle_;
  std::string pending_;  // the start of a character cut off by the last Feed
  uint64_t line_ = 1;    // of the output so far
};

}  // namespace lakehouse::ingest
