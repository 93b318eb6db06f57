// Object PUT, ranged GET, DELETE and listing, public or internal, keys decoded from the raw target.
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

// The key comes from the raw request target, not httplib's decoded path, so
// that "%2F" and the other escapes are decoded exactly once, by our rules.
// `base` is the family's path ("/v1/objects").
Result<std::string> KeyFromTarget(std::string_view raw, std::string_view base) {
  if (size_t query = raw.find('?'); query != std::string_view::npos) raw = raw.substr(0, query);
  if (!raw.starts_with(base) || raw.substr(base.size(), 1) != "/") {
    return Status::InvalidKey("malformed object path");
  }
  return storage::DecodeKeyFromPath(raw.substr(base.size() + 1));
}

// The key a request names, checked against the family's rule.
Result<std::string> RequestKey(const httplib::Request& request, ObjectApi api) {
  const bool internal = api == ObjectApi::kInternal;
  LH_ASSIGN_OR_RETURN(
      std::string key,
      KeyFromTarget(request.target, internal ? kInternalObjectsPath : kPublicObjectsPath));
  if (!internal) LH_RETURN_IF_ERROR(storage::CheckUserKey(key));
  return key;
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

void HandlePut(storage::ObjectStore& store, uint64_t max_object_bytes, ObjectApi api,
               const httplib::Request& request, httplib::Response& response,
               const httplib::ContentReader& reader) {
  // A refused key leaves the body unread; ConsumeBody deals with it.
  auto key = RequestKey(request, api);
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

void HandleGet(storage::ObjectStore& store, ObjectApi api, const httplib::Request& request,
               httplib::Response& response) {
  auto key = RequestKey(request, api);
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

void HandleDelete(storage::ObjectStore& store, ObjectApi api, const httplib::Request& request,
                  httplib::Response& response) {
  auto key = RequestKey(request, api);
  if (!key.ok()) return WriteError(response, key.status());
  Status deleted = store.Delete(*key);
  if (!deleted.ok()) return WriteError(response, deleted);
  response.status = 204;
}

void HandleList(storage::ObjectStore& store, ObjectApi api, const httplib::Request& request,
                httplib::Response& response) {
  storage::ListOptions options;
  options.prefix = request.get_param_value("prefix");
  if (api == ObjectApi::kPublic) {
    if (Status s = storage::CheckUserPrefix(options.prefix); !s.ok()) {
      return WriteError(response, s);
    }
  }
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
  auto page = api == ObjectApi::kPublic ? ListUserObjects(store, options) : store.List(options);
  if (!page.ok()) return WriteError(response, page.status());
  nlohmann::json objects = nlohmann::json::array();
  for (const auto& info : page->objects) objects.push_back(InfoJson(info));
  nlohmann::json body = {{"objects", std::move(objects)}, {"next", nullptr}};
  if (page->next) body["next"] = *page->next;
  WriteJson(response, 200, body.dump());
}

}  // namespace

Status CheckPublicObjectTarget(std::string_view target) {
  auto key = KeyFromTarget(target, kPublicObjectsPath);
  if (!key.ok()) return Status::Ok();
  return storage::CheckUserKey(*key);
}

Result<storage::ListPage> ListUserObjects(storage::ObjectStore& store,
                                          storage::ListOptions options) {
  const size_t limit = options.limit;
  storage::ListPage out;
  while (true) {
    options.limit = limit - out.objects.size();
    LH_ASSIGN_OR_RETURN(storage::ListPage page, store.List(options));
    bool skipped = false;
    for (size_t i = 0; i < page.objects.size(); ++i) {
      std::string_view reserved = storage::SystemPrefixOf(page.objects[i].key);
      if (reserved.empty()) {
        out.objects.push_back(std::move(page.objects[i]));
        if (out.objects.size() < limit) continue;
        bool more = i + 1 < page.objects.size() || page.next.has_value();
        if (more) out.next = out.objects.back().key;
        return out;
      }
      // The rest of this system space is system keys: list again from past
      // it (unless already there, for a key PastPrefix does not cover).
      std::string past = storage::PastPrefix(reserved);
      if (past > options.start_after) {
        options.start_after = std::move(past);
        skipped = true;
        break;
      }
    }
    if (skipped) continue;
    if (!page.next) return out;
    options.start_after = *page.next;
  }
}

void RegisterObjectRoutes(httplib::Server& router, storage::ObjectStore& store,
                          uint64_t max_object_bytes, ObjectApi api) {
  const std::string base(api == ObjectApi::kPublic ? kPublicObjectsPath : kInternalObjectsPath);
  // (.*) rather than (.+): an empty key is a 400 naming the rule, not a 404.
  const std::string pattern = base + "/(.*)";
  router.Put(pattern, ConsumeBody([&store, max_object_bytes, api](
                                      const httplib::Request& request, httplib::Response& response,
                                      const httplib::ContentReader& reader) {
               HandlePut(store, max_object_bytes, api, request, response, reader);
             }));
  router.Get(pattern, [&store, api](const httplib::Request& request, httplib::Response& response) {
    HandleGet(store, api, request, response);
  });
  router.Delete(pattern,
                [&store, api](const httplib::Request& request, httplib::Response& response) {
                  HandleDelete(store, api, request, response);
                });
  router.Get(base, [&store, api](const httplib::Request& request, httplib::Response& response) {
    HandleList(store, api, request, response);
  });
}

}  // namespace lakehouse::server
