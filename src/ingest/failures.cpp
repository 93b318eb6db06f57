// Full-disk detection, path redaction and the upload's name for ingest errors.
#include "ingest/failures.h"

#include <sys/statvfs.h>

#include <cerrno>
#include <cstring>

#include "common/logging.h"
#include "ingest/ingestor.h"

namespace lakehouse::ingest {

std::string UploadName(const IngestRequest& request) {
  return request.file_name.empty() ? "the upload" : request.file_name;
}

Status DiskFull(std::string_view doing) {
  return Status::NoSpace("the server's disk is full: cannot " + std::string(doing));
}

Status ScratchFailure(int err, std::string_view doing, const std::string& path) {
  spdlog::warn("ingest: cannot {} ({}): {}", doing, path, std::strerror(err));
  if (err == ENOSPC || err == EDQUOT) return DiskFull(doing);
  return Status::FromErrno(err, "cannot " + std::string(doing));
}

bool MentionsFullDisk(std::string_view text) {
  for (std::string_view needle :
       {std::string_view("No space left on device"), std::string_view("Disk quota exceeded"),
        std::string_view("failed to offload data block")}) {
    if (text.find(needle) != std::string_view::npos) return true;
  }
  return false;
}

bool HasLessFreeThan(const std::string& dir, uint64_t bytes) {
  struct statvfs fs;
  if (::statvfs(dir.c_str(), &fs) != 0) return false;
  return static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize < bytes;
}

std::string RedactPathsUnder(std::string text, std::string_view dir, std::string_view replacement) {
  if (dir.empty()) return text;
  for (size_t at = text.find(dir); at != std::string::npos; at = text.find(dir, at)) {
    size_t end = text.find_first_of("\"' \n:", at);
    if (end == std::string::npos) end = text.size();
    text.replace(at, end - at, replacement);
    at += replacement.size();
  }
  return text;
}

}  // namespace lakehouse::ingest
