// Handlers for /v1/indexes: create, list, show, delete an index; add, get, delete items; search.
#include "server/vector_routes.h"

#include <nlohmann/json.hpp>

#include "server/full_text_params.h"
#include "server/http_server.h"
#include "server/index_search_params.h"
#include "server/request_body.h"

namespace lakehouse::server {
namespace {

using nlohmann::json;

constexpr size_t kMaxVectorsBody = 64 << 20;
constexpr const char* kIndex = R"(/v1/indexes/([^/]+))";

// The fields of each JSON body; a misspelt one ("metirc") must not silently
// fall back to a default.
constexpr std::string_view kCreateFields[] = {
    "name",      "dim",     "metric", "m", "ef_construction", "ef_search", "model",
    "full_text", "stemmer", "k1",     "b"};
constexpr std::string_view kAddFields[] = {"items"};
constexpr std::string_view kItemFields[] = {"id", "vector", "metadata", "text"};

Result<uint32_t> OptionalUint(const json& object, const char* field, uint32_t fallback) {
  auto it = object.find(field);
  if (it == object.end() || it->is_null()) return fallback;
  if (!it->is_number_unsigned() || it->get<uint64_t>() > 1'000'000) {
    return Status::InvalidArgument(std::string("\"") + field + "\" must be a positive integer");
  }
  return it->get<uint32_t>();
}

void HandleCreate(vector::VectorService& service, const std::string& body,
                  httplib::Response& response) {
  auto request = ParseJsonObject(body, kCreateFields);
  if (!request.ok()) return WriteError(response, request.status());
  vector::IndexParams params;
  if (!request->contains("name") || !(*request)["name"].is_string()) {
    return WriteError(response, Status::InvalidArgument("\"name\" must be a string"));
  }
  params.name = (*request)["name"];
  auto dim = OptionalUint(*request, "dim", 0);
  auto m = OptionalUint(*request, "m", params.m);
  auto efc = OptionalUint(*request, "ef_construction", params.ef_construction);
  auto efs = OptionalUint(*request, "ef_search", params.ef_search);
  for (const auto* r : {&dim, &m, &efc, &efs}) {
    if (!r->ok()) return WriteError(response, r->status());
  }
  params.dim = *dim;
  params.m = *m;
  params.ef_construction = *efc;
  params.ef_search = *efs;
  if (auto metric = request->find("metric"); metric != request->end()) {
    if (!metric->is_string()) {
      return WriteError(response, Status::InvalidArgument("\"metric\" must be a string"));
    }
    auto parsed = vector::ParseMetric(metric->get<std::string>());
    if (!parsed.ok()) return WriteError(response, parsed.status());
    params.metric = *parsed;
  }
  if (auto model = request->find("model"); model != request->end() && !model->is_null()) {
    if (!model->is_string()) {
      return WriteError(response, Status::InvalidArgument("\"model\" must be a string"));
    }
    params.model = model->get<std::string>();
  }
  // A text index (one with a model) gets a full-text part unless told not to.
  auto full_text = ParseFullTextChoice(*request);
  if (!full_text.ok()) return WriteError(response, full_text.status());
  if (!*full_text && !params.model.empty()) params.full_text = text::Bm25Params{};
  if (*full_text && (*full_text)->enabled) params.full_text = (*full_text)->params;
  auto created = service.Create(params);
  if (!created.ok()) return WriteError(response, created.status());
  WriteJson(response, 201, IndexJson(*created).dump());
}

// One item of an add: an id, a vector or a text (or both), metadata.
Result<vector::Item> ParseItem(const json& item, const std::string& where) {
  if (!item.is_object() || !item.contains("id") || !item["id"].is_string() ||
      (!item.contains("vector") && !item.contains("text"))) {
    return Status::InvalidArgument(where +
                                   ": needs a string \"id\" and a \"vector\" or a \"text\"");
  }
  vector::Item parsed{item["id"], {}, item.value("metadata", json::object()), std::nullopt};
  if (item.contains("vector")) {
    LH_ASSIGN_OR_RETURN(parsed.vector, ParseFloatArray(item["vector"], where + ": vector"));
  }
  if (item.contains("text")) {
    if (!item["text"].is_string())
      return Status::InvalidArgument(where + ": text must be a string");
    parsed.text = item["text"].get<std::string>();
  }
  return parsed;
}

void HandleAdd(vector::VectorService& service, const std::string& name, const std::string& body,
               httplib::Response& response) {
  auto request = ParseJsonObject(body, kAddFields);
  if (!request.ok()) return WriteError(response, request.status());
  auto items_json = request->find("items");
  if (items_json == request->end() || !items_json->is_array()) {
    return WriteError(response, Status::InvalidArgument("\"items\" must be an array"));
  }
  std::vector<vector::Item> items;
  items.reserve(items_json->size());
  for (size_t i = 0; i < items_json->size(); ++i) {
    const json& item = (*items_json)[i];
    const std::string where = "item " + std::to_string(i);
    if (item.is_object()) {
      if (Status s = CheckJsonFields(item, kItemFields, where + ": "); !s.ok()) {
        return WriteError(response, Status::InvalidArgument(s.message() + "; nothing was added"));
      }
    }
    auto parsed = ParseItem(item, where);
    if (!parsed.ok()) {
      return WriteError(response,
                        Status::InvalidArgument(parsed.status().message() + "; nothing was added"));
    }
    items.push_back(std::move(*parsed));
  }
  size_t added = items.size();
  auto outcome = service.Add(name, std::move(items));
  if (!outcome.ok()) return WriteError(response, outcome.status());
  WriteJson(
      response, 200,
      json{{"added", added}, {"count", outcome->count}, {"persisted", outcome->persisted}}.dump());
}

void HandleSearch(vector::VectorService& service, const std::string& name, const std::string& body,
                  httplib::Response& response) {
  auto json_body = ParseJsonObject(body, kSearchFields);
  if (!json_body.ok()) return WriteError(response, json_body.status());
  auto request = ParseSearchRequest(*json_body);
  if (!request.ok()) return WriteError(response, request.status());
  auto result = service.Search(name, *request);
  if (!result.ok()) return WriteError(response, result.status());
  WriteJson(response, 200, SearchResultJson(*result, request->highlight).dump());
}

// Runs `handle` on the named index, or answers 404.
template <typename Handle>
void WithIndex(vector::VectorService& service, const std::string& name, httplib::Response& response,
               Handle handle) {
  auto index = service.Find(name);
  if (!index.ok()) return WriteError(response, index.status());
  handle(**index);
}

}  // namespace

json IndexJson(const vector::IndexStatus& status) {
  const auto& p = status.params;
  json out = {{"name", p.name},
              {"dim", p.dim},
              {"metric", vector::MetricName(p.metric)},
              {"m", p.m},
              {"ef_construction", p.ef_construction},
              {"ef_search", p.ef_search},
              {"count", status.count},
              {"persisted", status.persisted},
              {"model", p.model},
              {"full_text", FullTextJson(p.full_text)}};
  if (status.source) {
    const auto& s = *status.source;
    out["source"] = {{"dataset", s.dataset},
                     {"version", s.version},
                     {"id_column", s.id_column},
                     {"text_column", s.text_column},
                     {"metadata_columns", s.metadata_columns}};
  }
  return out;
}

namespace {

// GET /v1/indexes
void HandleList(vector::VectorService& service, httplib::Response& response) {
  json list = json::array();
  for (const auto& status : service.List()) {
    const auto& p = status.params;
    list.push_back({{"name", p.name},
                    {"dim", p.dim},
                    {"metric", vector::MetricName(p.metric)},
                    {"count", status.count},
                    {"persisted", status.persisted}});
    if (!status.damaged.empty()) list.back()["damaged"] = status.damaged;
  }
  json skipped = json::array();
  for (const auto& s : service.skipped()) skipped.push_back({{"key", s.key}, {"error", s.error}});
  WriteJson(
      response, 200,
      json{{"indexes", list}, {"persistent", service.persistent()}, {"skipped", skipped}}.dump());
}

void RegisterIndexRoutes(httplib::Server& router, vector::VectorService& service) {
  router.Post("/v1/indexes",
              ConsumeBody([&service](const httplib::Request& request, httplib::Response& response,
                                     const httplib::ContentReader& reader) {
                auto body = ReadBoundedBody(request, reader);
                if (!body.ok()) return WriteError(response, body.status());
                HandleCreate(service, *body, response);
              }));
  router.Get("/v1/indexes", [&service](const httplib::Request&, httplib::Response& response) {
    HandleList(service, response);
  });
  router.Get(kIndex, [&service](const httplib::Request& request, httplib::Response& response) {
    auto status = service.Describe(request.matches[1].str());
    if (!status.ok()) return WriteError(response, status.status());
    WriteJson(response, 200, IndexJson(*status).dump());
  });
  router.Delete(kIndex, [&service](const httplib::Request& request, httplib::Response& response) {
    Status dropped = service.Drop(request.matches[1].str());
    if (!dropped.ok()) return WriteError(response, dropped);
    response.status = 204;
  });
}

void RegisterItemRoutes(httplib::Server& router, vector::VectorService& service) {
  router.Post(std::string(kIndex) + "/vectors",
              ConsumeBody([&service](const httplib::Request& request, httplib::Response& response,
                                     const httplib::ContentReader& reader) {
                auto body = ReadBoundedBody(request, reader, kMaxVectorsBody);
                if (!body.ok()) return WriteError(response, body.status());
                HandleAdd(service, request.matches[1].str(), *body, response);
              }));
  router.Get(std::string(kIndex) + "/vectors/(.+)", [&service](const httplib::Request& request,
                                                               httplib::Response& response) {
    WithIndex(service, request.matches[1], response, [&](vector::Index& index) {
      auto item = index.Get(request.matches[2].str());
      if (!item.ok()) return WriteError(response, item.status());
      WriteJson(
          response, 200,
          json{{"id", item->id}, {"vector", item->vector}, {"metadata", item->metadata}}.dump());
    });
  });
  router.Delete(std::string(kIndex) + "/vectors/(.+)", [&service](const httplib::Request& request,
                                                                  httplib::Response& response) {
    auto outcome = service.Remove(request.matches[1].str(), request.matches[2].str());
    if (!outcome.ok()) return WriteError(response, outcome.status());
    // 204 has no body; whether the removal is stored travels in a header.
    response.set_header("X-Lakehouse-Persisted", outcome->persisted ? "true" : "false");
    response.status = 204;
  });
  router.Post(std::string(kIndex) + "/search",
              ConsumeBody([&service](const httplib::Request& request, httplib::Response& response,
                                     const httplib::ContentReader& reader) {
                auto body = ReadBoundedBody(request, reader);
                if (!body.ok()) return WriteError(response, body.status());
                HandleSearch(service, request.matches[1].str(), *body, response);
              }));
}

}  // namespace

void RegisterVectorRoutes(httplib::Server& router, vector::VectorService& service) {
  RegisterIndexRoutes(router, service);
  RegisterItemRoutes(router, service);
}

}  // namespace lakehouse::server
