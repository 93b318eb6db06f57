#include "server/object_routes.h"

#include <charconv>
#include <nlohmann/json.hpp>

#include "common/time_format.h"
#include "server/http_server.h"
#include "server/request_body.h"
#include "storage/object_key.h"

namespace lakehouse::server {
namespace {

using storage::ObjectInfo;

constexpr std::string_view kObjectsPrefix = "/v1/objects/";

// The key comes from the raw request target, not httplib's decoded path, so
// that "%2F" and the other escapes are decoded exactly once, by our rules.
Result<std::string> KeyFromTarget(const std::string& target) {
  std::string_view raw(target);
  if (size_t query = raw.find('?'); query != std::string_view::npos) raw = raw.substr(0, query);
  if (!raw.starts_with(kObjectsPrefix)) return Status::InvalidKey("malformed object path");
  return storage::DecodeKeyFromPath(raw.substr(kObjectsPrefix.size()));
}

nlohmann::json InfoJson(const ObjectInfo& info) {
  return {{"key", info.key},
          {"size", info.size},
          {"etag", info.etag},
          {"modified", FormatRfc3339Ms(info.modified_unix_ms)}};
}

void WriteObjectHeaders(httplib::Response& response, const ObjectInfo& info) {
  response.set_header("ETag", "\"" + info.etag + "\"");
  response.set_header("Last-Modified", FormatHttpDate(info.modified_unix_ms));
}

// Streams one requested byte range of an object into the response, refusing
// to continue if the object changed since its headers were sent.
class RangeSink : public storage::ObjectSink {
 public:
  RangeSink(const std::string& etag, size_t offset, size_t length, httplib::DataSink& out)
      : etag_(etag), skip_(offset), remaining_(length), out_(out) {}

  Status OnInfo(const ObjectInfo& info) override {
    if (info.etag != etag_) return Status::Conflict("object replaced while being sent");
    return Status::Ok();
  }

  Status OnData(std::string_view chunk) override {
    if (skip_ >= chunk.size()) {
      skip_ -= chunk.size();
      return Status::Ok();
    }
    chunk.remove_prefix(skip_);
    skip_ = 0;
    if (chunk.size() > remaining_) chunk = chunk.substr(0, remaining_);
    if (!out_.write(chunk.data(), chunk.size())) {
      return Status::Unavailable("client went away");
    }
    remaining_ -= chunk.size();
    if (remaining_ == 0) {
      finished_ = true;
      return Status::Conflict("range complete");  // stops the read early
    }
    return Status::Ok();
  }

  bool finished() const { return finished_ || remaining_ == 0; }

 private:
  const std::string& etag_;
  size_t skip_;
  size_t remaining_;
  httplib::DataSink& out_;
  bool finished_ = false;
};

void HandlePut(storage::ObjectStore& store, uint64_t max_object_bytes,
               const httplib::Request& request, httplib::Response& response,
               const httplib::ContentReader& reader) {
  auto key = KeyFromTarget(request.target);
  if (!key.ok()) return WriteError(response, key.status());

  storage::PutOptions options;
  if (request.has_header("If-None-Match")) {
    if (request.get_header_value("If-None-Match") != "*") {
      return WriteError(response, Status::InvalidArgument("only If-None-Match: * is supported"));
    }
    options.mode = storage::PutMode::kIfAbsent;
  }
  auto length = ContentLength(request);
  if (!length.ok()) return WriteError(response, length.status());
  options.content_length = *length;
  if (*length && **length > max_object_bytes) {
    return RefuseOversizedBody(
        response, reader, **length,
        Status::TooLarge("object is " + std::to_string(**length) + " bytes; the limit is " +
                         std::to_string(max_object_bytes)));
  }
  auto info = store.Put(*key, StreamBody(reader), options);
  if (!info.ok()) {
    // The rest of an abandoned body is still on the wire: do not reuse it.
    response.set_header("Connection", "close");
    return WriteError(response, info.status());
  }
  WriteJson(response, 201, InfoJson(*info).dump());
}

void HandleGet(storage::ObjectStore& store, const httplib::Request& request,
               httplib::Response& response) {
  auto key = KeyFromTarget(request.target);
  if (!key.ok()) return WriteError(response, key.status());
  auto info = store.Head(*key);
  if (!info.ok()) return WriteError(response, info.status());
  WriteObjectHeaders(response, *info);
  if (info->size == 0) {
    // httplib sends no Content-Length for an empty provider; say it plainly.
    response.set_content("", "application/octet-stream");
    return;
  }
  // httplib calls the provider after this handler returns (never for HEAD),
  // once per requested range.
  response.set_content_provider(info->size, "application/octet-stream",
                                [&store, key = *key, etag = info->etag](
                                    size_t offset, size_t length, httplib::DataSink& sink) {
                                  RangeSink range(etag, offset, length, sink);
                                  (void)store.Get(key, range);  // the sink records how far it got
                                  return range.finished();
                                });
}

void HandleDelete(storage::ObjectStore& store, const httplib::Request& request,
                  httplib::Response& response) {
  auto key = KeyFromTarget(request.target);
  if (!key.ok()) return WriteError(response, key.status());
  Status deleted = store.Delete(*key);
  if (!deleted.ok()) return WriteError(response, deleted);
  response.status = 204;
}

void HandleList(storage::ObjectStore& store, const httplib::Request& request,
                httplib::Response& response) {
  storage::ListOptions options;
  options.prefix = request.get_param_value("prefix");
  options.start_after = request.get_param_value("start_after");
  if (request.has_param("limit")) {
    const std::string text = request.get_param_value("limit");
    size_t limit = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), limit);
    if (ec != std::errc() || end != text.data() + text.size() || limit == 0 ||
        limit > storage::kMaxListLimit) {
      return WriteError(response, Status::InvalidArgument("limit must be an integer from 1 to " +
                                                          std::to_string(storage::kMaxListLimit) +
                                                          ", got \"" + text + "\""));
    }
    options.limit = limit;
  }
  auto page = store.List(options);
  if (!page.ok()) return WriteError(response, page.status());
  nlohmann::json objects = nlohmann::json::array();
  for (const auto& info : page->objects) objects.push_back(InfoJson(info));
  nlohmann::json body = {{"objects", std::move(objects)}, {"next", nullptr}};
  if (page->next) body["next"] = *page->next;
  WriteJson(response, 200, body.dump());
}

}  // namespace

void RegisterObjectRoutes(httplib::Server& router, storage::ObjectStore& store,
                          uint64_t max_object_bytes) {
  // (.*) rather than (.+): an empty key is a 400 naming the rule, not a 404.
  const std::string pattern = R"(/v1/objects/(.*))";
  router.Put(pattern, ConsumeBody([&store, max_object_bytes](const httplib::Request& request,
                                                             httplib::Response& response,
                                                             const httplib::ContentReader& reader) {
               HandlePut(store, max_object_bytes, request, response, reader);
             }));
  router.Get(pattern, [&store](const httplib::Request& request, httplib::Response& response) {
    HandleGet(store, request, response);
  });
  router.Delete(pattern, [&store](const httplib::Request& request, httplib::Response& response) {
    HandleDelete(store, request, response);
  });
  router.Get("/v1/objects", [&store](const httplib::Request& request, httplib::Response& response) {
    HandleList(store, request, response);
  });
}

}  // namespace lakehouse::server
