// Strict request framing: the head check and the chunked-body grammar.
#include "server/request_framing.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include "common/hex.h"

namespace lakehouse::server {
namespace {

constexpr size_t kMaxLineBytes = 8 << 10;
constexpr uint64_t kMaxChunkBytes = uint64_t{1} << 48;

bool IsTokenChar(char c) {
  if (std::isalnum(static_cast<unsigned char>(c))) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Every line must end in CRLF: a lone CR or LF is a line end to some parsers
// and not to others.
Status CheckLineEnds(std::string_view head) {
  for (size_t i = 0; i < head.size(); ++i) {
    if (head[i] == '\r' && (i + 1 == head.size() || head[i + 1] != '\n')) {
      return Status::InvalidArgument("request head has a CR without LF at byte " +
                                     std::to_string(i));
    }
    if (head[i] == '\n' && (i == 0 || head[i - 1] != '\r')) {
      return Status::InvalidArgument("request head has a LF without CR at byte " +
                                     std::to_string(i));
    }
  }
  return Status::Ok();
}

std::optional<uint64_t> ParseDecimal(std::string_view s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  uint64_t value = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  return value;
}

struct FramingFields {
  std::optional<uint64_t> content_length;
  int transfer_encodings = 0;
};

Status ReadFramingField(std::string_view line, FramingFields& fields) {
  if (line.front() == ' ' || line.front() == '\t') {
    return Status::InvalidArgument("request header line is folded (starts with whitespace)");
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    return Status::InvalidArgument("request header line has no field name and colon");
  }
  std::string_view name = line.substr(0, colon);
  if (!std::all_of(name.begin(), name.end(), IsTokenChar)) {
    return Status::InvalidArgument("request header field name \"" + std::string(name) +
                                   "\" is not a token (whitespace before the colon?)");
  }
  const std::string lower = Lower(name);
  const std::string_view value = TrimOws(line.substr(colon + 1));
  if (lower == "content-length") {
    auto length = ParseDecimal(value);
    if (!length) {
      return Status::InvalidArgument("Content-Length \"" + std::string(value) +
                                     "\" is not a decimal number");
    }
    if (fields.content_length && *fields.content_length != *length) {
      return Status::InvalidArgument("two different Content-Length values");
    }
    fields.content_length = length;
  } else if (lower == "transfer-encoding") {
    if (++fields.transfer_encodings > 1) {
      return Status::InvalidArgument("Transfer-Encoding given more than once");
    }
    if (Lower(value) != "chunked") {
      return Status::InvalidArgument("Transfer-Encoding \"" + std::string(value) +
                                     "\" is not supported: only \"chunked\" is");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<BodyFraming> CheckRequestHead(std::string_view head, uint64_t max_body_bytes) {
  LH_RETURN_IF_ERROR(CheckLineEnds(head));
  FramingFields fields;
  size_t start = head.find("\r\n");
  if (start == std::string_view::npos) return Status::InvalidArgument("request head has no end");
  start += 2;  // past the request line
  while (start < head.size()) {
    const size_t end = head.find("\r\n", start);
    if (end == std::string_view::npos || end == start) break;  // the empty line ends the head
    LH_RETURN_IF_ERROR(ReadFramingField(head.substr(start, end - start), fields));
    start = end + 2;
  }
  BodyFraming framing;
  if (fields.transfer_encodings > 0) {
    if (fields.content_length) {
      return Status::InvalidArgument("request has both Content-Length and Transfer-Encoding");
    }
    framing.kind = BodyFraming::Kind::kChunked;
  } else if (fields.content_length && *fields.content_length > 0) {
    if (*fields.content_length > max_body_bytes) {
      return Status::TooLarge("request body of " + std::to_string(*fields.content_length) +
                              " bytes exceeds the limit of " + std::to_string(max_body_bytes));
    }
    framing.kind = BodyFraming::Kind::kLength;
    framing.length = *fields.content_length;
  }
  return framing;
}

bool ChunkedBodyValidator::Fail(std::string why) {
  state_ = State::kFailed;
  error_ = std::move(why);
  return false;
}

size_t ChunkedBodyValidator::ConsumeData(std::string_view bytes) {
  const size_t n = static_cast<size_t>(std::min<uint64_t>(remaining_, bytes.size()));
  remaining_ -= n;
  if (remaining_ == 0) state_ = State::kDataCr;
  return n;
}

bool ChunkedBodyValidator::Consume(std::string_view bytes) {
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (state_ == State::kData) {
      i += ConsumeData(bytes.substr(i)) - 1;
    } else if (!Step(bytes[i])) {
      return false;
    }
  }
  return true;
}

bool ChunkedBodyValidator::Step(char c) {
  switch (state_) {
    case State::kSizeStart:
    case State::kSize:
    case State::kSizeSpace:
    case State::kExtension:
    case State::kSizeLf:
      return StepSizeLine(c);
    case State::kData:  // Consume takes data in runs
      return true;
    case State::kDataCr:
      if (c != '\r') return Fail("chunk data is longer than its size");
      state_ = State::kDataLf;
      return true;
    case State::kDataLf:
      if (c != '\n') return Fail("chunk data is not followed by CRLF");
      state_ = State::kSizeStart;
      return true;
    case State::kTrailerStart:
    case State::kTrailer:
    case State::kTrailerLf:
    case State::kFinalLf:
      return StepTrailer(c);
    case State::kDone:
      return Fail("bytes after the end of the chunked body");
    case State::kFailed:
      return false;
  }
  return false;
}

// "SIZE [; extension] CRLF", whitespace allowed only before an extension.
bool ChunkedBodyValidator::StepSizeLine(char c) {
  const int digit = HexDigitValue(c);
  switch (state_) {
    case State::kSizeStart:
      if (digit < 0) return Fail("chunk size is not a hexadecimal number");
      remaining_ = static_cast<uint64_t>(digit);
      state_ = State::kSize;
      return true;
    case State::kSize:
      if (digit >= 0) {
        remaining_ = remaining_ * 16 + static_cast<uint64_t>(digit);
        if (remaining_ > kMaxChunkBytes) return Fail("chunk size is too large");
        return true;
      }
      if (c == ' ' || c == '\t') {
        state_ = State::kSizeSpace;
        return true;
      }
      [[fallthrough]];
    case State::kSizeSpace:
      if (c == ';') {
        state_ = State::kExtension;
        line_bytes_ = 0;
      } else if (c == '\r' && state_ == State::kSize) {
        state_ = State::kSizeLf;
      } else if (c != ' ' && c != '\t') {
        return Fail("chunk size is followed by an unexpected byte");
      }
      return true;
    case State::kExtension:
      if (c == '\r') {
        state_ = State::kSizeLf;
      } else if (c == '\n' || ++line_bytes_ > kMaxLineBytes) {
        return Fail("chunk extension is malformed or too long");
      }
      return true;
    default:  // kSizeLf
      if (c != '\n') return Fail("chunk size line does not end in CRLF");
      state_ = remaining_ == 0 ? State::kTrailerStart : State::kData;
      return true;
  }
}

// Trailer lines after the last chunk, then the final CRLF.
bool ChunkedBodyValidator::StepTrailer(char c) {
  switch (state_) {
    case State::kTrailerStart:
      if (c == '\r') {
        state_ = State::kFinalLf;
      } else {
        state_ = State::kTrailer;
        line_bytes_ = 1;
      }
      return true;
    case State::kTrailer:
      if (c == '\r') {
        state_ = State::kTrailerLf;
      } else if (c == '\n' || ++line_bytes_ > kMaxLineBytes) {
        return Fail("chunked trailer line is malformed or too long");
      }
      return true;
    case State::kTrailerLf:
      if (c != '\n') return Fail("chunked trailer line does not end in CRLF");
      state_ = State::kTrailerStart;
      return true;
    default:  // kFinalLf
      if (c != '\n') return Fail("chunked body does not end in CRLF");
      state_ = State::kDone;
      return true;
  }
}

}  // namespace lakehouse::server
