// ParseSearchRequest and SearchResultJson: the JSON of an index search, both ways.
#include "server/index_search_params.h"

#include <cmath>

#include "server/request_body.h"

namespace lakehouse::server {

using nlohmann::json;

namespace {

Result<uint32_t> PositiveInteger(const json& body, const char* field) {
  const json& value = body[field];
  if (!value.is_number_unsigned() || value.get<uint64_t>() == 0 ||
      value.get<uint64_t>() > 1'000'000) {
    return Status::InvalidArgument(std::string("\"") + field + "\" must be a positive integer");
  }
  return value.get<uint32_t>();
}

Result<double> Number(const json& value, const std::string& field) {
  if (!value.is_number()) return Status::InvalidArgument("\"" + field + "\" must be a number");
  return value.get<double>();
}

Status ParseWeights(const json& weights, vector::SearchRequest& request) {
  if (!weights.is_object()) {
    return Status::InvalidArgument(
        "\"weights\" must be an object such as {\"vector\": 1, \"keyword\": 2}");
  }
  for (const auto& [ranker, value] : weights.items()) {
    if (ranker == "vector") {
      LH_ASSIGN_OR_RETURN(request.vector_weight, Number(value, "weights.vector"));
    } else if (ranker == "keyword") {
      LH_ASSIGN_OR_RETURN(request.keyword_weight, Number(value, "weights.keyword"));
    } else {
      return Status::InvalidArgument("\"weights\" has \"" + ranker +
                                     "\"; the rankers are \"vector\" and \"keyword\"");
    }
  }
  return Status::Ok();
}

Status ParseFusion(const json& body, vector::SearchRequest& request) {
  if (HasJsonValue(body, "rrf_k")) {
    LH_ASSIGN_OR_RETURN(request.rrf_k, Number(body["rrf_k"], "rrf_k"));
  }
  if (HasJsonValue(body, "weights")) LH_RETURN_IF_ERROR(ParseWeights(body["weights"], request));
  if (HasJsonValue(body, "highlight")) {
    if (!body["highlight"].is_boolean()) {
      return Status::InvalidArgument("\"highlight\" must be true or false");
    }
    request.highlight = body["highlight"].get<bool>();
  }
  return Status::Ok();
}

json Rank(const std::optional<size_t>& rank) { return rank ? json(*rank) : json(nullptr); }

}  // namespace

Result<vector::SearchRequest> ParseSearchRequest(const json& body) {
  vector::SearchRequest request;
  if (HasJsonValue(body, "text")) {
    if (!body["text"].is_string()) return Status::InvalidArgument("\"text\" must be a string");
    request.text = body["text"].get<std::string>();
  }
  if (HasJsonValue(body, "vector")) {
    LH_ASSIGN_OR_RETURN(request.vector, ParseFloatArray(body["vector"], "\"vector\""));
  }
  if (HasJsonValue(body, "mode")) {
    if (!body["mode"].is_string()) {
      return Status::InvalidArgument("\"mode\" must be \"hybrid\", \"vector\" or \"keyword\"");
    }
    LH_ASSIGN_OR_RETURN(request.mode, vector::ParseSearchMode(body["mode"].get<std::string>()));
  }
  if (HasJsonValue(body, "k")) {
    LH_ASSIGN_OR_RETURN(uint32_t k, PositiveInteger(body, "k"));
    request.k = k;
  }
  if (HasJsonValue(body, "ef")) {
    LH_ASSIGN_OR_RETURN(request.ef, PositiveInteger(body, "ef"));
  }
  if (HasJsonValue(body, "filter")) {
    LH_ASSIGN_OR_RETURN(request.filter, vector::MetadataFilter::Parse(body["filter"]));
  }
  LH_RETURN_IF_ERROR(ParseFusion(body, request));
  return request;
}

json SearchResultJson(const vector::SearchResult& result, bool highlight) {
  const bool hybrid = result.mode == vector::SearchMode::kHybrid;
  json results = json::array();
  for (const auto& hit : result.hits) {
    json one = {{"id", hit.id},
                {"score", hit.score},
                {"distance", hit.distance ? json(*hit.distance) : json(nullptr)},
                {"metadata", *hit.metadata}};
    if (hybrid) {
      one["vector_rank"] = Rank(hit.vector_rank);
      one["keyword_rank"] = Rank(hit.keyword_rank);
    }
    if (highlight) one["matched"] = hit.matched;
    results.push_back(std::move(one));
  }
  return {{"mode", vector::SearchModeName(result.mode)}, {"results", std::move(results)}};
}

}  // namespace lakehouse::server
