// SearchIndex: checks a search request, runs the vector and keyword rankers it needs, fuses them.
#include "vector/index_search.h"

#include <algorithm>
#include <array>
#include <unordered_map>

#include "vector/rank_fusion.h"

namespace lakehouse::vector {
namespace {

Status CheckRequest(const Index& index, SearchMode mode, const SearchRequest& request) {
  const std::string& name = index.params().name;
  if (mode != SearchMode::kVector && !index.has_full_text()) {
    return Status::InvalidArgument("\"mode\": \"" + std::string(SearchModeName(mode)) +
                                   "\" needs a full-text part, and index \"" + name +
                                   "\" has none: it is searched by its vectors alone (\"mode\": "
                                   "\"vector\")");
  }
  if (mode == SearchMode::kKeyword && request.vector) {
    return Status::InvalidArgument("\"mode\": \"keyword\" searches by \"text\", not \"vector\"");
  }
  if (mode != SearchMode::kVector && !request.text) {
    return Status::InvalidArgument("\"mode\": \"" + std::string(SearchModeName(mode)) +
                                   "\" needs a \"text\"");
  }
  if (mode == SearchMode::kVector && request.text.has_value() == request.vector.has_value()) {
    return Status::InvalidArgument("give exactly one of \"vector\" and \"text\"");
  }
  const bool fusion_asked = request.rrf_k || request.vector_weight || request.keyword_weight;
  if (mode != SearchMode::kHybrid && fusion_asked) {
    return Status::InvalidArgument("\"rrf_k\" and \"weights\" apply to \"mode\": \"hybrid\" only");
  }
  if (mode == SearchMode::kHybrid) {
    std::array<double, 2> weights = {request.vector_weight.value_or(1),
                                     request.keyword_weight.value_or(1)};
    LH_RETURN_IF_ERROR(ValidateFusion(request.rrf_k.value_or(kDefaultRrfK), weights));
  }
  if (request.highlight && !index.has_full_text()) {
    return Status::InvalidArgument("\"highlight\" needs a full-text part, and index \"" + name +
                                   "\" has none");
  }
  if (request.k == 0 || request.k > 10000) return Status::InvalidArgument("k must be 1..10000");
  return Status::Ok();
}

double ScoreOf(Metric metric, float distance) {
  return metric == Metric::kL2 ? -static_cast<double>(distance) : 1.0 - distance;
}

Result<std::vector<Hit>> RankByVector(const Index& index, embed::Embedder* embedder,
                                      const SearchRequest& request, size_t depth) {
  std::optional<uint32_t> ef = request.ef;
  if (request.vector) return index.SearchFiltered(*request.vector, depth, ef, request.filter);
  if (embedder == nullptr) return Status::Internal("no embedder for a text search");
  std::vector<std::string> texts = {*request.text};
  LH_ASSIGN_OR_RETURN(auto vectors, embedder->Embed(texts));
  if (vectors.size() != 1) return Status::Internal("embedder returned no vector");
  return index.SearchFiltered(vectors[0], depth, ef, request.filter);
}

std::vector<RankedHit> FromVectorHits(const Index& index, std::vector<Hit> hits) {
  std::vector<RankedHit> out;
  out.reserve(hits.size());
  for (auto& hit : hits) {
    RankedHit ranked;
    ranked.id = std::move(hit.id);
    ranked.score = ScoreOf(index.params().metric, hit.distance);
    ranked.distance = hit.distance;
    ranked.metadata = std::move(hit.metadata);
    out.push_back(std::move(ranked));
  }
  return out;
}

std::vector<RankedHit> FromKeywordHits(std::vector<KeywordHit> hits) {
  std::vector<RankedHit> out;
  out.reserve(hits.size());
  for (auto& hit : hits) {
    RankedHit ranked;
    ranked.id = std::move(hit.id);
    ranked.score = hit.score;
    ranked.metadata = std::move(hit.metadata);
    out.push_back(std::move(ranked));
  }
  return out;
}

// Both rankings, fused; each hit keeps its distance when the vector ranker
// found it.
Result<std::vector<RankedHit>> SearchHybrid(const Index& index, embed::Embedder* embedder,
                                            const SearchRequest& request) {
  const size_t depth = std::max(request.k, kFusionDepth);
  LH_ASSIGN_OR_RETURN(std::vector<Hit> near, RankByVector(index, embedder, request, depth));
  LH_ASSIGN_OR_RETURN(std::vector<KeywordHit> words,
                      index.SearchKeywords(*request.text, depth, request.filter));
  std::array<RankedList, 2> lists;
  lists[0].weight = request.vector_weight.value_or(1);
  lists[1].weight = request.keyword_weight.value_or(1);
  std::unordered_map<std::string_view, std::pair<const Hit*, const KeywordHit*>> found;
  for (const auto& hit : near) {
    lists[0].ids.push_back(hit.id);
    found[hit.id].first = &hit;
  }
  for (const auto& hit : words) {
    lists[1].ids.push_back(hit.id);
    found[hit.id].second = &hit;
  }
  std::vector<RankedHit> out;
  for (auto& fused : FuseRanks(lists, request.rrf_k.value_or(kDefaultRrfK), request.k)) {
    auto [vector_hit, keyword_hit] = found.at(fused.id);
    RankedHit ranked;
    ranked.id = std::move(fused.id);
    ranked.score = fused.score;
    ranked.vector_rank = fused.ranks[0];
    ranked.keyword_rank = fused.ranks[1];
    if (vector_hit != nullptr) ranked.distance = vector_hit->distance;
    ranked.metadata = vector_hit != nullptr ? vector_hit->metadata : keyword_hit->metadata;
    out.push_back(std::move(ranked));
  }
  return out;
}

Status Highlight(const Index& index, const std::string& text, std::vector<RankedHit>& hits) {
  for (auto& hit : hits) {
    auto matched = index.MatchedTerms(hit.id, text);
    if (matched.ok()) {
      hit.matched = std::move(*matched);
    } else if (matched.status().code() != StatusCode::kNotFound) {
      return matched.status();  // kNotFound: an item without text matches nothing
    }
  }
  return Status::Ok();
}

}  // namespace

std::string_view SearchModeName(SearchMode mode) {
  switch (mode) {
    case SearchMode::kVector:
      return "vector";
    case SearchMode::kKeyword:
      return "keyword";
    case SearchMode::kHybrid:
      return "hybrid";
  }
  return "vector";
}

Result<SearchMode> ParseSearchMode(std::string_view name) {
  for (SearchMode mode : {SearchMode::kVector, SearchMode::kKeyword, SearchMode::kHybrid}) {
    if (SearchModeName(mode) == name) return mode;
  }
  return Status::InvalidArgument("\"mode\" must be \"hybrid\", \"vector\" or \"keyword\", not \"" +
                                 std::string(name) + "\"");
}

Result<SearchMode> ChooseMode(const Index& index, const SearchRequest& request) {
  SearchMode mode = request.mode.value_or(
      index.has_full_text() && request.text ? SearchMode::kHybrid : SearchMode::kVector);
  LH_RETURN_IF_ERROR(CheckRequest(index, mode, request));
  return mode;
}

bool NeedsEmbedding(SearchMode mode, const SearchRequest& request) {
  return mode != SearchMode::kKeyword && !request.vector;
}

Result<SearchResult> SearchIndex(const Index& index, embed::Embedder* embedder,
                                 const SearchRequest& request) {
  LH_ASSIGN_OR_RETURN(SearchMode mode, ChooseMode(index, request));
  SearchResult result;
  result.mode = mode;
  if (mode == SearchMode::kVector) {
    LH_ASSIGN_OR_RETURN(auto hits, RankByVector(index, embedder, request, request.k));
    result.hits = FromVectorHits(index, std::move(hits));
  } else if (mode == SearchMode::kKeyword) {
    LH_ASSIGN_OR_RETURN(auto hits, index.SearchKeywords(*request.text, request.k, request.filter));
    result.hits = FromKeywordHits(std::move(hits));
  } else {
    LH_ASSIGN_OR_RETURN(result.hits, SearchHybrid(index, embedder, request));
  }
  if (request.highlight && request.text) {
    LH_RETURN_IF_ERROR(Highlight(index, *request.text, result.hits));
  }
  return result;
}

}  // namespace lakehouse::vector
