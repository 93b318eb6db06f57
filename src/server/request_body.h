// Reading small request bodies (JSON) with a bound, so a route that expects
// a few kilobytes never buffers gigabytes.
#pragma once

#include <httplib.h>

#include <string>

#include "common/status.h"
#include "storage/object_store.h"

namespace lakehouse::server {

inline constexpr size_t kMaxJsonBody = 1 << 20;

Result<std::string> ReadBoundedBody(const httplib::Request& request,
                                    const httplib::ContentReader& reader,
                                    size_t limit = kMaxJsonBody);

// A BodyProducer that streams the request body; reports a body that ends
// before its declared length.
storage::BodyProducer StreamBody(const httplib::ContentReader& reader);

// Answers 413 for a body declared too large. A modest overshoot is read and
// dropped first, so the client (still sending) sees the answer rather than a
// reset connection; a huge one is refused at once and the connection closed.
void RefuseOversizedBody(httplib::Response& response, const httplib::ContentReader& reader,
                         uint64_t declared_length, const Status& status);

// The declared Content-Length, if any; a malformed one is an error.
Result<std::optional<uint64_t>> ContentLength(const httplib::Request& request);

}  // namespace lakehouse::server
