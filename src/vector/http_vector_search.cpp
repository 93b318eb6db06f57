// HttpVectorSearch::SearchText: POSTs text, k and filter to vectord's search route and decodes the
// hits.
#include "vector/http_vector_search.h"

#include <nlohmann/json.hpp>

#include "common/percent_encoding.h"
#include "http/http_status.h"

namespace lakehouse::vector {
namespace {

using nlohmann::json;

}  // namespace

Result<std::unique_ptr<HttpVectorSearch>> HttpVectorSearch::Create(
    const http::ClientOptions& options) {
  LH_ASSIGN_OR_RETURN(auto pool, http::ClientPool::Create(options));
  return std::unique_ptr<HttpVectorSearch>(new HttpVectorSearch(std::move(pool)));
}

Result<std::vector<Hit>> HttpVectorSearch::SearchText(const std::string& index,
                                                      const std::string& text, size_t k,
                                                      const std::string& filter) {
  // Every byte but the unreserved ones escaped: an index name comes from SQL
  // text and must not reach another route.
  const std::string path = "/v1/indexes/" + PercentEncode(index) + "/search";
  json request{{"text", text}, {"k", k}};
  if (!filter.empty()) {
    request["filter"] = json::parse(filter, nullptr, false);
    if (request["filter"].is_discarded()) {
      return Status::InvalidArgument("\"filter\" is not JSON");
    }
  }
  const std::string body = request.dump(-1, ' ', false, json::error_handler_t::replace);
  auto lease = pool_->Acquire();
  auto result = lease->Post(path, body, "application/json");
  if (!result) {
    lease.Discard();
    return pool_->TransportError(result.error());
  }
  if (result->status != 200) {
    Status status = http::StatusFromHttp(result->status, result->body);
    if (status.code() == StatusCode::kNotFound && status.message().starts_with("HTTP ")) {
      // Not vectord's JSON error: something else answers at that URL.
      return Status::NotFound("no index named \"" + index + "\" (vectord at " + pool_->base_url() +
                              " answered 404)");
    }
    if (result->status >= 500) {
      // vectord's own trouble (its embedder down, say): say whose.
      return Status(status.code(), "vectord at " + pool_->base_url() + ": " + status.message());
    }
    return status;
  }
  auto parsed = json::parse(result->body, nullptr, false);
  auto malformed = [&] {
    return Status::IoError("vectord at " + pool_->base_url() + " answered a malformed search");
  };
  if (parsed.is_discarded() || !parsed.is_object() || !parsed.contains("results") ||
      !parsed["results"].is_array()) {
    return malformed();
  }
  std::vector<Hit> hits;
  hits.reserve(parsed["results"].size());
  for (auto& item : parsed["results"]) {
    if (!item.is_object() || !item.contains("id") || !item["id"].is_string() ||
        !item.contains("distance") || !item["distance"].is_number()) {
      return malformed();
    }
    Hit hit;
    hit.id = item["id"].get<std::string>();
    hit.distance = item["distance"].get<float>();
    json metadata = item.contains("metadata") && item["metadata"].is_object()
                        ? std::move(item["metadata"])
                        : json::object();
    hit.metadata = std::make_shared<const json>(std::move(metadata));
    hits.push_back(std::move(hit));
  }
  return hits;
}

}  // namespace lakehouse::vector
