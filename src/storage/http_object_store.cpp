// HttpObjectStore: Put, Get, Head, Delete and List as requests to storaged's internal routes.
#include "storage/http_object_store.h"

#include <charconv>
#include <nlohmann/json.hpp>

#include "common/percent_encoding.h"
#include "common/time_format.h"
#include "http/http_status.h"
#include "storage/object_key.h"

namespace lakehouse::storage {
namespace {

constexpr size_t kMaxErrorBody = 64 * 1024;

// storaged's internal family (server/object_routes.h): the services write
// the system's own keys (manifests, data files, indexes), which the public
// /v1/objects refuses.
constexpr std::string_view kObjectsPath = "/v1/internal/objects";

std::string ObjectPath(std::string_view key) {
  return std::string(kObjectsPath) + "/" + EncodeKeyForPath(key);
}

ObjectInfo InfoFromHeaders(std::string_view key, const httplib::Response& response) {
  ObjectInfo info;
  info.key = std::string(key);
  // A malformed length leaves size 0; Get then reports the byte count mismatch.
  const std::string length =
      response.has_header("Content-Length") ? response.get_header_value("Content-Length") : "0";
  std::from_chars(length.data(), length.data() + length.size(), info.size);
  info.etag = response.get_header_value("ETag");
  if (info.etag.size() >= 2 && info.etag.front() == '"' && info.etag.back() == '"') {
    info.etag = info.etag.substr(1, info.etag.size() - 2);
  }
  info.modified_unix_ms = ParseHttpDateMs(response.get_header_value("Last-Modified")).value_or(0);
  return info;
}

Result<ObjectInfo> InfoFromJson(const std::string& body) {
  auto json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    return Status::IoError("storaged answered with malformed JSON");
  }
  ObjectInfo info;
  info.key = json.value("key", "");
  info.size = json.value("size", uint64_t{0});
  info.etag = json.value("etag", "");
  info.modified_unix_ms = ParseRfc3339Ms(json.value("modified", "")).value_or(0);
  return info;
}

}  // namespace

Result<std::unique_ptr<HttpObjectStore>> HttpObjectStore::Create(
    const http::ClientOptions& options) {
  LH_ASSIGN_OR_RETURN(auto pool, http::ClientPool::Create(options));
  return std::unique_ptr<HttpObjectStore>(new HttpObjectStore(std::move(pool)));
}

Result<ObjectInfo> HttpObjectStore::Put(std::string_view key, const BodyProducer& body,
                                        const PutOptions& options) {
  LH_RETURN_IF_ERROR(ValidateKey(key));
  httplib::Headers headers;
  if (options.mode == PutMode::kIfAbsent) headers.emplace("If-None-Match", "*");

  // The producer pushes chunks straight into the socket from inside the
  // provider's first call, so nothing is buffered whole.
  Status produced;
  auto push_all = [&](httplib::DataSink& sink) {
    produced = body([&](std::string_view chunk) -> Status {
      if (!sink.write(chunk.data(), chunk.size())) {
        return Status::Unavailable(pool_->base_url() + ": connection lost while sending");
      }
      return Status::Ok();
    });
    return produced.ok();
  };
  auto lease = pool_->Acquire();
  const std::string path = ObjectPath(key);
  auto send = [&]() -> httplib::Result {
    if (options.content_length) {
      return lease->Put(
          path, headers, *options.content_length,
          [&](size_t, size_t, httplib::DataSink& sink) { return push_all(sink); },
          "application/octet-stream");
    }
    return lease->Put(
        path, headers,
        [&](size_t, httplib::DataSink& sink) {
          bool ok = push_all(sink);
          if (ok) sink.done();
          return ok;
        },
        "application/octet-stream");
  };
  httplib::Result result = send();
  if (!produced.ok()) {
    lease.Discard();
    return produced;
  }
  if (!result) {
    lease.Discard();
    return pool_->TransportError(result.error());
  }
  if (result->status != 201 && result->status != 200) {
    return http::StatusFromHttp(result->status, result->body);
  }
  return InfoFromJson(result->body);
}

Result<ObjectInfo> HttpObjectStore::Get(std::string_view key, ObjectSink& sink) {
  LH_RETURN_IF_ERROR(ValidateKey(key));
  Status sink_status;
  int status = 0;
  ObjectInfo info;
  uint64_t received = 0;
  std::string error_body;
  auto lease = pool_->Acquire();
  auto result = lease->Get(
      ObjectPath(key), httplib::Headers{},
      [&](const httplib::Response& response) {
        status = response.status;
        if (status != 200) return true;
        info = InfoFromHeaders(key, response);
        sink_status = sink.OnInfo(info);
        return sink_status.ok();
      },
      [&](const char* data, size_t length) {
        if (status != 200) {
          if (error_body.size() < kMaxErrorBody) error_body.append(data, length);
          return true;
        }
        received += length;
        sink_status = sink.OnData(std::string_view(data, length));
        return sink_status.ok();
      });
  if (!sink_status.ok()) {
    lease.Discard();
    return sink_status;
  }
  if (!result) {
    lease.Discard();
    return pool_->TransportError(result.error());
  }
  if (status != 200) return http::StatusFromHttp(status, error_body);
  if (received != info.size) {
    return Status::IoError("object " + std::string(key) +
                           " arrived truncated: " + std::to_string(received) + " of " +
                           std::to_string(info.size) + " bytes");
  }
  return info;
}

Result<ObjectInfo> HttpObjectStore::Head(std::string_view key) {
  LH_RETURN_IF_ERROR(ValidateKey(key));
  auto lease = pool_->Acquire();
  auto result = lease->Head(ObjectPath(key));
  if (!result) {
    lease.Discard();
    return pool_->TransportError(result.error());
  }
  // A HEAD answer has no body to carry the error word; the status decides.
  if (result->status != 200) return http::StatusFromHttp(result->status, "");
  return InfoFromHeaders(key, *result);
}

Status HttpObjectStore::Delete(std::string_view key) {
  LH_RETURN_IF_ERROR(ValidateKey(key));
  auto lease = pool_->Acquire();
  auto result = lease->Delete(ObjectPath(key));
  if (!result) {
    lease.Discard();
    return pool_->TransportError(result.error());
  }
  if (result->status != 204 && result->status != 200) {
    return http::StatusFromHttp(result->status, result->body);
  }
  return Status::Ok();
}

Result<ListPage> HttpObjectStore::List(const ListOptions& options) {
  LH_RETURN_IF_ERROR(ValidatePrefix(options.prefix));
  std::string path = std::string(kObjectsPath) + "?prefix=" + PercentEncode(options.prefix) +
                     "&limit=" + std::to_string(options.limit);
  if (!options.start_after.empty()) {
    path += "&start_after=" + PercentEncode(options.start_after);
  }
  auto lease = pool_->Acquire();
  auto result = lease->Get(path);
  if (!result) {
    lease.Discard();
    return pool_->TransportError(result.error());
  }
  if (result->status != 200) return http::StatusFromHttp(result->status, result->body);
  auto json = nlohmann::json::parse(result->body, nullptr, false);
  if (json.is_discarded() || !json.is_object() || !json.contains("objects") ||
      !json["objects"].is_array()) {
    return Status::IoError("storaged answered a list with malformed JSON");
  }
  ListPage page;
  for (const auto& object : json["objects"]) {
    ObjectInfo info;
    info.key = object.value("key", "");
    info.size = object.value("size", uint64_t{0});
    info.etag = object.value("etag", "");
    info.modified_unix_ms = ParseRfc3339Ms(object.value("modified", "")).value_or(0);
    page.objects.push_back(std::move(info));
  }
  if (json.contains("next") && json["next"].is_string()) page.next = json["next"];
  return page;
}

}  // namespace lakehouse::storage
