// Status code names for the wire, errno values mapped to status codes, and Status::ToString.
#include "common/status.h"

#include <cerrno>
#include <cstring>

namespace lakehouse {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "ok";
    case StatusCode::kInvalidArgument:
      return "invalid_argument";
    case StatusCode::kInvalidKey:
      return "invalid_key";
    case StatusCode::kNotFound:
      return "not_found";
    case StatusCode::kAlreadyExists:
      return "already_exists";
    case StatusCode::kConflict:
      return "conflict";
    case StatusCode::kTooLarge:
      return "too_large";
    case StatusCode::kUnprocessable:
      return "unprocessable";
    case StatusCode::kUnauthenticated:
      return "unauthenticated";
    case StatusCode::kPermissionDenied:
      return "forbidden";
    case StatusCode::kUnavailable:
      return "unavailable";
    case StatusCode::kTimeout:
      return "timeout";
    case StatusCode::kIoError:
      return "io_error";
    case StatusCode::kNoSpace:
      return "insufficient_storage";
    case StatusCode::kResourceExhausted:
      return "resource_exhausted";
    case StatusCode::kInternal:
      return "internal";
  }
  return "internal";
}

Status Status::FromErrno(int err, std::string_view context) {
  std::string message = std::string(context) + ": " + std::strerror(err);
  switch (err) {
    case ENOENT:
      return NotFound(std::move(message));
    case EEXIST:
      return AlreadyExists(std::move(message));
    case ENAMETOOLONG:
      return InvalidKey(std::move(message));
    case EACCES:
    case EPERM:
      return PermissionDenied(std::move(message));
    case EFBIG:
      return TooLarge(std::move(message));
    case ENOSPC:
    case EDQUOT:
      return NoSpace(std::move(message));
    default:
      return IoError(std::move(message));
  }
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  return std::string(StatusCodeName(code_)) + ": " + message_;
}

}  // namespace lakehouse
