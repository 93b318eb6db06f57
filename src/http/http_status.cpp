// Status codes to HTTP statuses, JSON error bodies, and HTTP answers back to Status values.
#include "http/http_status.h"

#include <nlohmann/json.hpp>

namespace lakehouse::http {

int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
    case StatusCode::kInvalidKey:
      return 400;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
      return 412;
    case StatusCode::kConflict:
      return 409;
    case StatusCode::kTooLarge:
      return 413;
    case StatusCode::kUnprocessable:
      return 422;
    case StatusCode::kUnauthenticated:
      return 401;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kTimeout:
      return 504;
    case StatusCode::kIoError:
      return 500;
    case StatusCode::kNoSpace:
      return 507;
    case StatusCode::kResourceExhausted:
      return 422;
    case StatusCode::kInternal:
      return 500;
  }
  return 500;
}

std::string ErrorBody(const Status& status) {
  nlohmann::json body = {
      {"error", {{"code", StatusCodeName(status.code())}, {"message", status.message()}}}};
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string_view CodeWordForHttpStatus(int http_status) {
  switch (http_status) {
    case 400:
      return "invalid_argument";
    case 404:
      return "not_found";
    case 405:
      return "method_not_allowed";
    case 408:
      return "timeout";
    case 413:
    case 431:
      return "too_large";
    case 414:
      return "uri_too_long";
    case 416:
      return "range_not_satisfiable";
    case 503:
      return "unavailable";
    default:
      return http_status >= 500 ? "internal" : "bad_request";
  }
}

Status StatusFromHttp(int http_status, std::string_view body) {
  std::string code_word;
  std::string message = "HTTP " + std::to_string(http_status);
  auto parsed = nlohmann::json::parse(body, nullptr, false);
  if (!parsed.is_discarded() && parsed.is_object() && parsed.contains("error") &&
      parsed["error"].is_object()) {
    const auto& error = parsed["error"];
    if (error.contains("code") && error["code"].is_string()) code_word = error["code"];
    if (error.contains("message") && error["message"].is_string()) message = error["message"];
  }
  switch (http_status) {
    case 400:
      return code_word == StatusCodeName(StatusCode::kInvalidKey)
                 ? Status::InvalidKey(message)
                 : Status::InvalidArgument(message);
    case 401:
      return Status::Unauthenticated(message);
    case 403:
      return Status::PermissionDenied(message);
    case 404:
      return Status::NotFound(message);
    case 409:
      return Status::Conflict(message);
    case 412:
      return Status::AlreadyExists(message);
    case 413:
      return Status::TooLarge(message);
    case 422:
      return code_word == StatusCodeName(StatusCode::kResourceExhausted)
                 ? Status::ResourceExhausted(message)
                 : Status::Unprocessable(message);
    case 507:
      return Status::NoSpace(message);
    case 502:
    case 503:
      return Status::Unavailable(message);
    case 504:
      return Status::Timeout(message);
    default:
      if (http_status >= 500) return Status::IoError(message);
      return Status::InvalidArgument(message);
  }
}

}  // namespace lakehouse::http
