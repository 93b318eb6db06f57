// HttpVectorSearch: POSTs text, mode, k and filter to vectord's search route and decodes the
// ranked hits.
#include "vector/http_vector_search.h"

#include <nlohmann/json.hpp>

#include "common/percent_encoding.h"
#include "http/http_status.h"

namespace lakehouse::vector {
namespace {

using nlohmann::json;

// A place in a ranking: absent or null for none, else a positive integer.
bool ReadRank(const json& item, const char* field, std::optional<size_t>& rank) {
  auto it = item.find(field);
  if (it == item.end() || it->is_null()) return true;
  if (!it->is_number_unsigned() || it->get<uint64_t>() == 0) return false;
  rank = it->get<size_t>();
  return true;
}

// One element of "results"; false when it is not a hit.
bool ReadHit(json& item, RankedHit& hit) {
  if (!item.is_object() || !item.contains("id") || !item["id"].is_string()) return false;
  hit.id = item["id"].get<std::string>();
  if (auto score = item.find("score"); score != item.end()) {
    if (!score->is_number()) return false;
    hit.score = score->get<double>();
  }
  if (auto distance = item.find("distance"); distance != item.end() && !distance->is_null()) {
    if (!distance->is_number()) return false;
    hit.distance = distance->get<float>();
  }
  if (!ReadRank(item, "vector_rank", hit.vector_rank) ||
      !ReadRank(item, "keyword_rank", hit.keyword_rank)) {
    return false;
  }
  json metadata = item.contains("metadata") && item["metadata"].is_object()
                      ? std::move(item["metadata"])
                      : json::object();
  hit.metadata = std::make_shared<const json>(std::move(metadata));
  return true;
}

}  // namespace

Result<std::unique_ptr<HttpVectorSearch>> HttpVectorSearch::Create(
    const http::ClientOptions& options) {
  LH_ASSIGN_OR_RETURN(auto pool, http::ClientPool::Create(options));
  return std::unique_ptr<HttpVectorSearch>(new HttpVectorSearch(std::move(pool)));
}

Status HttpVectorSearch::Malformed() const {
  return Status::IoError("vectord at " + pool_->base_url() + " answered a malformed search");
}

Result<SearchResult> HttpVectorSearch::Search(const std::string& index, SearchMode mode,
                                              const std::string& text, size_t k,
                                              const std::string& filter) {
  // Every byte but the unreserved ones escaped: an index name comes from SQL
  // text and must not reach another route.
  const std::string path = "/v1/indexes/" + PercentEncode(index) + "/search";
  json request{{"text", text}, {"mode", SearchModeName(mode)}, {"k", k}};
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
  if (parsed.is_discarded() || !parsed.is_object() || !parsed.contains("results") ||
      !parsed["results"].is_array()) {
    return Malformed();
  }
  SearchResult found;
  found.mode = mode;
  found.hits.reserve(parsed["results"].size());
  for (auto& item : parsed["results"]) {
    RankedHit hit;
    if (!ReadHit(item, hit)) return Malformed();
    found.hits.push_back(std::move(hit));
  }
  return found;
}

Result<std::vector<Hit>> HttpVectorSearch::SearchText(const std::string& index,
                                                      const std::string& text, size_t k,
                                                      const std::string& filter) {
  LH_ASSIGN_OR_RETURN(SearchResult found, Search(index, SearchMode::kVector, text, k, filter));
  std::vector<Hit> hits;
  hits.reserve(found.hits.size());
  for (auto& ranked : found.hits) {
    // The vector ranker found every hit of a vector search.
    if (!ranked.distance) return Malformed();
    hits.push_back({std::move(ranked.id), *ranked.distance, std::move(ranked.metadata)});
  }
  return hits;
}

}  // namespace lakehouse::vector
