// Strict HTTP/1.1 message framing (RFC 9112 §6.3, §7.1), decided before any
// handler sees a request. Two parsers that disagree on where a body ends are
// how requests get smuggled, so every head whose framing could be read two
// ways is refused rather than guessed at.
//
// Pure functions and a byte-at-a-time state machine: no I/O, no threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace lakehouse::server {

struct BodyFraming {
  enum class Kind { kNone, kLength, kChunked };
  Kind kind = Kind::kNone;
  uint64_t length = 0;  // kLength only
};

// Checks a request head: the request line and header fields up to and
// including the empty line that ends them. Refuses (InvalidArgument, naming
// the field) a bare CR or LF, a folded line, whitespace before a field's
// colon, a Content-Length that is not a plain decimal number or appears
// twice with different values, a Transfer-Encoding other than exactly
// "chunked" or given twice, and Content-Length together with
// Transfer-Encoding. A body declared longer than `max_body_bytes` is
// TooLarge.
Result<BodyFraming> CheckRequestHead(std::string_view head, uint64_t max_body_bytes);

// Follows a chunked body as its bytes go by and refuses the first byte that
// breaks the grammar: a chunk size that is empty, not hexadecimal (a sign,
// "0x", trailing junk) or over 2^48, a missing CRLF after a chunk's data,
// or a chunk extension or trailer line over 8 KiB.
class ChunkedBodyValidator {
 public:
  // Feeds bytes in order. Returns false at the first that breaks the
  // grammar (error() then says why); bytes after the end of the body are
  // also refused, as they belong to no chunk.
  bool Consume(std::string_view bytes);
  bool done() const { return state_ == State::kDone; }
  const std::string& error() const { return error_; }

 private:
  enum class State {
    kSizeStart,
    kSize,
    kSizeSpace,
    kExtension,
    kSizeLf,
    kData,
    kDataCr,
    kDataLf,
    kTrailerStart,
    kTrailer,
    kTrailerLf,
    kFinalLf,
    kDone,
    kFailed,
  };
  bool Fail(std::string why);
  size_t ConsumeData(std::string_view bytes);
  bool Step(char c);  // one byte outside chunk data
  bool StepSizeLine(char c);
  bool StepTrailer(char c);

  State state_ = State::kSizeStart;
  uint64_t remaining_ = 0;  // of the current chunk's data, or the size being read
  size_t line_bytes_ = 0;   // of the current extension or trailer line
  std::string error_;
};

}  // namespace lakehouse::server
