// Reading small request bodies (JSON) with a bound, so a route that expects
// a few kilobytes never buffers gigabytes, and parsing a JSON body against
// the fields its route takes.
#pragma once

#include <httplib.h>

#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "storage/object_store.h"

namespace lakehouse::server {

inline constexpr size_t kMaxJsonBody = 1 << 20;

Result<std::string> ReadBoundedBody(const httplib::Request& request,
                                    const httplib::ContentReader& reader,
                                    size_t limit = kMaxJsonBody);

// The fields a route's JSON body may hold, e.g.
//   constexpr std::string_view kQueryFields[] = {"sql", "limit", "format", "as_of"};
using JsonFields = std::span<const std::string_view>;

// Every route that takes a JSON body reads it through this, so a misspelt
// field ("limt") is a 400 naming it rather than a silently ignored default.
// kInvalidArgument for text that is not JSON (with the parser's line and
// column), nests deeper than kMaxJsonDepth, is not an object, or holds a
// field outside `allowed`; the message lists the accepted fields.
Result<nlohmann::json> ParseJsonObject(std::string_view body, JsonFields allowed);

// The same check for an object inside a body (say, one item of a batch):
// kInvalidArgument naming its first field outside `allowed`, the message
// starting with `where` (e.g. "item 3: ").
Status CheckJsonFields(const nlohmann::json& object, JsonFields allowed,
                       std::string_view where = "");

// Whether `object` has `field` with a value other than null: a null field
// means "the default", as an absent one does.
bool HasJsonValue(const nlohmann::json& object, const char* field);

// A JSON array of numbers as floats; kInvalidArgument otherwise, the message
// starting with `where` (e.g. "item 3: vector") and naming the component.
Result<std::vector<float>> ParseFloatArray(const nlohmann::json& value, const std::string& where);

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
