// Bounded body reads by Content-Length, oversized bodies refused, JSON objects checked by field,
// and the small readers of their values that every route shares.
#include "server/request_body.h"

#include <algorithm>
#include <charconv>

#include "common/json_depth.h"
#include "server/http_server.h"

namespace lakehouse::server {
namespace {
// How much of an unwanted body is read and dropped before answering.
constexpr uint64_t kMaxDrainBytes = 64ull << 20;

// "\"sql\", \"limit\"", or "none" for a body that may hold no field.
std::string FieldList(JsonFields fields) {
  std::string out;
  for (std::string_view field : fields) {
    out += (out.empty() ? "\"" : ", \"") + std::string(field) + "\"";
  }
  return out.empty() ? "none" : out;
}

// nlohmann's message without its "[json.exception.parse_error.101] " tag;
// what stays says where: "parse error at line 1, column 9: ...".
std::string ParseErrorText(const nlohmann::json::parse_error& error) {
  std::string_view text = error.what();
  if (size_t tag_end = text.find("] "); text.starts_with("[json.") && tag_end != text.npos) {
    text.remove_prefix(tag_end + 2);
  }
  return std::string(text);
}

// "an array", "a string", "null": what came instead of an object.
std::string KindOf(const nlohmann::json& value) {
  if (value.is_null()) return "null";
  if (value.is_array()) return "an array";
  return std::string("a ") + value.type_name();
}

}  // namespace

Status CheckJsonFields(const nlohmann::json& object, JsonFields allowed, std::string_view where) {
  for (const auto& [key, value] : object.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      return Status::InvalidArgument(std::string(where) + "unknown field \"" + key +
                                     "\"; accepted fields: " + FieldList(allowed));
    }
  }
  return Status::Ok();
}

bool HasJsonValue(const nlohmann::json& object, const char* field) {
  auto it = object.find(field);
  return it != object.end() && !it->is_null();
}

Result<std::vector<float>> ParseFloatArray(const nlohmann::json& value, const std::string& where) {
  if (!value.is_array()) return Status::InvalidArgument(where + " must be an array of numbers");
  std::vector<float> out;
  out.reserve(value.size());
  for (size_t c = 0; c < value.size(); ++c) {
    if (!value[c].is_number()) {
      return Status::InvalidArgument(where + " component " + std::to_string(c) +
                                     " is not a number");
    }
    out.push_back(value[c].get<float>());
  }
  return out;
}

Result<nlohmann::json> ParseJsonObject(std::string_view body, JsonFields allowed) {
  // Bodies are serialised again (metadata, manifests, errors), recursively.
  if (JsonNestingDepth(body, kMaxJsonDepth) > kMaxJsonDepth) {
    return Status::InvalidArgument("body nests deeper than " + std::to_string(kMaxJsonDepth) +
                                   " levels");
  }
  nlohmann::json parsed;
  // The throwing parse, as only its error says where the text broke.
  try {
    parsed = nlohmann::json::parse(body);
  } catch (const nlohmann::json::parse_error& error) {
    return Status::InvalidArgument("body must be a JSON object, but it is not JSON (" +
                                   ParseErrorText(error) +
                                   "); accepted fields: " + FieldList(allowed));
  }
  if (!parsed.is_object()) {
    return Status::InvalidArgument("body must be a JSON object, not " + KindOf(parsed) +
                                   "; accepted fields: " + FieldList(allowed));
  }
  LH_RETURN_IF_ERROR(CheckJsonFields(parsed, allowed));
  return parsed;
}

Result<std::optional<uint64_t>> ContentLength(const httplib::Request& request) {
  if (!request.has_header("Content-Length")) return std::optional<uint64_t>();
  const std::string text = request.get_header_value("Content-Length");
  uint64_t length = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), length);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return Status::InvalidArgument("malformed Content-Length");
  }
  return std::optional<uint64_t>(length);
}

void RefuseOversizedBody(httplib::Response& response, const httplib::ContentReader& reader,
                         uint64_t declared_length, const Status& status) {
  if (declared_length <= kMaxDrainBytes) {
    reader([](const char*, size_t) { return true; });
  } else {
    response.set_header("Connection", "close");
  }
  WriteError(response, status);
}

Result<std::string> ReadBoundedBody(const httplib::Request& request,
                                    const httplib::ContentReader& reader, size_t limit) {
  LH_ASSIGN_OR_RETURN(auto length, ContentLength(request));
  if (length && *length > limit) {
    reader([](const char*, size_t) { return true; });  // drain: see RefuseOversizedBody
    return Status::TooLarge("request body is " + std::to_string(*length) + " bytes; the limit is " +
                            std::to_string(limit));
  }
  std::string body;
  bool over = false;
  bool complete = reader([&](const char* data, size_t size) {
    if (body.size() + size > limit) {
      over = true;
      return false;
    }
    body.append(data, size);
    return true;
  });
  if (over) return Status::TooLarge("request body exceeds " + std::to_string(limit) + " bytes");
  if (!complete) return Status::InvalidArgument("request body ended early");
  return body;
}

storage::BodyProducer StreamBody(const httplib::ContentReader& reader) {
  return [&reader](const storage::ChunkWriter& write) -> Status {
    // After the store refuses (say, over the size limit) the rest of a modest
    // body is still read and dropped, so the client, still sending, gets the
    // answer rather than a reset connection.
    Status written;
    uint64_t drained = 0;
    bool complete = reader([&](const char* data, size_t length) {
      if (!written.ok()) {
        drained += length;
        return drained <= kMaxDrainBytes;
      }
      written = write(std::string_view(data, length));
      return true;
    });
    if (!written.ok()) return written;
    if (!complete) return Status::InvalidArgument("request body ended before its declared end");
    return Status::Ok();
  };
}

}  // namespace lakehouse::server
