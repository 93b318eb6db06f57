// The body of POST /v1/indexes/{name}/search as a vector::SearchRequest, and
// a vector::SearchResult as its answer (docs/api.md, Searching an index).
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "common/status.h"
#include "vector/index_search.h"

namespace lakehouse::server {

inline constexpr std::string_view kSearchFields[] = {
    "vector", "text", "k", "ef", "filter", "mode", "rrf_k", "weights", "highlight"};

// Field by field; a wrong type or value is kInvalidArgument naming the
// field. Which fields a mode needs is checked by the search itself.
Result<vector::SearchRequest> ParseSearchRequest(const nlohmann::json& body);

// {"mode", "results": [{id, score, distance, metadata, and in hybrid
// vector_rank and keyword_rank; with highlight, matched}]}.
nlohmann::json SearchResultJson(const vector::SearchResult& result, bool highlight);

}  // namespace lakehouse::server
