// Writes an upload's body to a scratch file in blocks, checking size and JSON shape as it comes.
#include "ingest/spool.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <optional>
#include <string_view>
#include <vector>

#include "common/json_depth.h"
#include "common/sha256.h"
#include "ingest/failures.h"
#include "ingest/transcoder.h"

namespace lakehouse::ingest {
namespace {

// The last byte of a file that is not JSON whitespace, if any.
std::optional<char> LastNonSpace(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  off_t end = ::lseek(fd, 0, SEEK_END);
  char buffer[4096];
  std::optional<char> last;
  while (end > 0 && !last) {
    off_t start = std::max<off_t>(0, end - static_cast<off_t>(sizeof buffer));
    ssize_t n = ::pread(fd, buffer, static_cast<size_t>(end - start), start);
    if (n != static_cast<ssize_t>(end - start)) break;
    for (ssize_t i = n - 1; i >= 0; --i) {
      char c = buffer[i];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        last = c;
        break;
      }
    }
    end = start;
  }
  ::close(fd);
  return last;
}

// A transcoding or skipping failure, as the upload's.
Status InboundError(const Status& status, const IngestRequest& request) {
  if (status.code() != StatusCode::kInvalidArgument) return status;
  return Status::InvalidArgument("cannot read " + UploadName(request) +
                                 " as CSV: " + status.message());
}

// DuckDB reads an array cut short after a comma as if it were closed: a
// truncated file would silently lose its tail.
Status CheckJsonNotCutShort(const std::string& path, const IngestRequest& request) {
  if (LastNonSpace(path) != ',') return Status::Ok();
  return Status::InvalidArgument(
      "cannot read " + UploadName(request) +
      " as JSON: Malformed JSON: the file ends with a comma (is it cut short?)");
}

// What a CSV's options change on the way in: its encoding becomes UTF-8,
// and the lines before the header are dropped; the upload's own bytes are
// hashed, since the spooled file is no longer them.
class InboundCsv {
 public:
  static Result<std::optional<InboundCsv>> For(const IngestRequest& request) {
    if (request.format != Format::kCsv || (request.encoding.empty() && !request.skip_lines)) {
      return std::optional<InboundCsv>();
    }
    InboundCsv inbound;
    inbound.skip_left_ = request.skip_lines;
    inbound.skip_ = request.skip_lines;
    if (!request.encoding.empty()) {
      LH_ASSIGN_OR_RETURN(Transcoder transcoder, Transcoder::Open(request.encoding));
      inbound.transcoder_.emplace(std::move(transcoder));
    }
    return std::optional<InboundCsv>(std::move(inbound));
  }

  // The bytes to spool for `chunk` (a view of `chunk` itself or of a buffer
  // valid until the next call).
  Result<std::string_view> Apply(std::string_view chunk) {
    LH_RETURN_IF_ERROR(hash_.Update(chunk));
    std::string_view text = chunk;
    if (transcoder_) {
      buffer_.clear();
      LH_RETURN_IF_ERROR(transcoder_->Feed(chunk, buffer_));
      text = buffer_;
    }
    while (skip_left_ > 0 && !text.empty()) {
      const size_t end = text.find('\n');
      if (end == std::string_view::npos) return std::string_view();
      text.remove_prefix(end + 1);
      --skip_left_;
    }
    return text;
  }

  Result<std::string> Finish() {
    if (transcoder_) LH_RETURN_IF_ERROR(transcoder_->Finish());
    if (skip_left_ > 0) {
      return Status::InvalidArgument("skip=" + std::to_string(skip_) + " but the file has only " +
                                     std::to_string(skip_ - skip_left_) + " lines");
    }
    return hash_.FinishHex();
  }

 private:
  std::optional<Transcoder> transcoder_;
  Sha256Stream hash_;
  std::string buffer_;
  uint64_t skip_ = 0;
  uint64_t skip_left_ = 0;
};

}  // namespace

Result<Spooled> Spool(const std::string& dir, const IngestRequest& request, uint64_t max_bytes,
                      const storage::BodyProducer& body) {
  if (request.content_length && *request.content_length > max_bytes) {
    return Status::TooLarge("the file is " + std::to_string(*request.content_length) +
                            " bytes; the limit is " + std::to_string(max_bytes));
  }
  static constexpr const char* kExtensions[] = {"csv", "json", "parquet"};
  Spooled spooled;
  spooled.path = dir + "/source." + kExtensions[static_cast<int>(request.format)];
  // Not O_EXCL: the directory is this ingest's own, and a test may have
  // pointed the name at a device that fails writes.
  int fd = ::open(spooled.path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return ScratchFailure(errno, "store the upload", spooled.path);
  // DuckDB's JSON reader recurses per level of nesting: the shape is checked
  // here, on the way in, so DuckDB never sees a file that could exhaust it.
  std::optional<JsonShapeChecker> json_shape;
  if (request.format == Format::kJson) {
    json_shape.emplace(JsonShapeLimits{kMaxJsonDepth, kMaxIngestJsonKeyBytes, kMaxIngestJsonKeys});
  }
  // The body arrives in small pieces (4 KiB reads in the HTTP server): write
  // it in blocks, so a large upload costs hundreds of write(2) calls rather
  // than hundreds of thousands.
  std::vector<char> block;
  block.reserve(std::min<uint64_t>(kSpoolBlock, request.content_length.value_or(kSpoolBlock)));
  auto write_all = [&](std::string_view data) -> Status {
    while (!data.empty()) {
      ssize_t n = ::write(fd, data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return ScratchFailure(errno, "store the upload", spooled.path);
      }
      data.remove_prefix(static_cast<size_t>(n));
    }
    return Status::Ok();
  };
  auto flush = [&]() -> Status {
    Status written = write_all(std::string_view(block.data(), block.size()));
    block.clear();
    return written;
  };
  LH_ASSIGN_OR_RETURN(std::optional<InboundCsv> inbound, InboundCsv::For(request));
  Status produced = body([&](std::string_view chunk) -> Status {
    spooled.bytes += chunk.size();
    if (spooled.bytes > max_bytes) {
      return Status::TooLarge("the file exceeds the limit of " + std::to_string(max_bytes) +
                              " bytes");
    }
    if (inbound) {
      auto applied = inbound->Apply(chunk);
      if (!applied.ok()) return InboundError(applied.status(), request);
      chunk = *applied;
    }
    if (json_shape && !json_shape->Feed(chunk)) {
      return Status::Unprocessable("cannot read " + UploadName(request) +
                                   " as JSON: " + json_shape->violation()->ToString());
    }
    if (block.size() + chunk.size() > kSpoolBlock) LH_RETURN_IF_ERROR(flush());
    if (chunk.size() >= kSpoolBlock) return write_all(chunk);
    block.insert(block.end(), chunk.begin(), chunk.end());
    return Status::Ok();
  });
  if (produced.ok()) produced = flush();
  if (::close(fd) != 0 && produced.ok()) {
    produced = ScratchFailure(errno, "store the upload", spooled.path);
  }
  LH_RETURN_IF_ERROR(produced);
  if (spooled.bytes == 0) return Status::InvalidArgument("the file is empty");
  if (inbound) {
    auto sha256 = inbound->Finish();
    if (!sha256.ok()) return InboundError(sha256.status(), request);
    spooled.sha256 = std::move(*sha256);
  }
  if (request.format == Format::kJson)
    LH_RETURN_IF_ERROR(CheckJsonNotCutShort(spooled.path, request));
  return spooled;
}

}  // namespace lakehouse::ingest
