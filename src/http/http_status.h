// The one mapping between Status and HTTP: codes to statuses and back, and the
// JSON error body of docs/api.md: {"error": {"code": "<word>", "message": "<text>"}}.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace lakehouse::http {

int HttpStatusFor(StatusCode code);

// The JSON error body for a failed Status.
std::string ErrorBody(const Status& status);

// The error body's "code" word for an HTTP status the server answers without
// a Status of its own (httplib's refusals, the connection layer's).
std::string_view CodeWordForHttpStatus(int http_status);

// Rebuilds a Status from an HTTP error response: the status code decides the
// kind; the body's "code" word refines a 400 (invalid_key vs invalid_argument)
// and its message is kept for people.
Status StatusFromHttp(int http_status, std::string_view body);

}  // namespace lakehouse::http
