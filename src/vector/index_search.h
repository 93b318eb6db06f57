// vector::SearchIndex — one search of one index in any of its modes:
// nearest vectors, BM25 keywords, or both fused by reciprocal rank
// (rank_fusion.h). What POST /v1/indexes/{name}/search and the SQL search
// functions answer with (docs/api.md, Searching an index).
//
// Modes:
//  - vector   the k nearest items to `vector`, or to `text` embedded;
//             score = 1 - distance for cosine and ip (the cosine or the dot
//             product), -distance for l2: higher is better in every mode.
//  - keyword  the k best items by BM25 for `text` (needs a full-text part).
//  - hybrid   both rankings, each kFusionDepth deep (or k if larger), fused
//             with weights; score is the fused score, vector_rank and
//             keyword_rank each item's place in the two lists (from 1).
//  Unset, the mode is hybrid when the index has a full-text part and the
//  request has a text, else vector.
// The metadata filter applies to every ranker before it cuts its list, so
// each hit passes it and up to k come back.
//
// Errors (kInvalidArgument unless said): a mode the index cannot answer
// (keyword or hybrid without a full-text part), keyword without `text` or
// with `vector`, vector without exactly one of `text` and `vector`, rrf_k
// or weights outside hybrid or out of range, highlight without a full-text
// part; the embedder's own errors when a text must be embedded.
//
// Threads: as the index's searches; the embedder must outlive the call.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "embed/embedder.h"
#include "vector/index.h"
#include "vector/metadata_filter.h"

namespace lakehouse::vector {

enum class SearchMode { kVector, kKeyword, kHybrid };
std::string_view SearchModeName(SearchMode mode);
// kInvalidArgument for a word other than "vector", "keyword" or "hybrid".
Result<SearchMode> ParseSearchMode(std::string_view name);

// How deep each ranker's list goes before fusion: ranks past the first few
// dozen add under 1/(60+50) each, too little to lift an item into a top 10.
inline constexpr size_t kFusionDepth = 50;

struct SearchRequest {
  std::optional<std::string> text;
  std::optional<std::vector<float>> vector;
  std::optional<SearchMode> mode;  // unset: see above
  size_t k = 10;
  std::optional<uint32_t> ef;
  MetadataFilter filter;
  std::optional<double> rrf_k;           // hybrid only; default kDefaultRrfK
  std::optional<double> vector_weight;   // hybrid only; default 1
  std::optional<double> keyword_weight;  // hybrid only; default 1
  bool highlight = false;                // fill RankedHit::matched from `text`
};

struct RankedHit {
  std::string id;
  double score = 0;
  std::optional<float> distance;      // set when the vector ranker found the item
  std::optional<size_t> vector_rank;  // hybrid: its place in each ranking (from 1)
  std::optional<size_t> keyword_rank;
  std::shared_ptr<const nlohmann::json> metadata;  // never null
  std::vector<std::string> matched;  // highlight: the query's terms it holds, as indexed
};

struct SearchResult {
  SearchMode mode = SearchMode::kVector;
  std::vector<RankedHit> hits;  // best first
};

// The mode `request` asks for, or the default for `index`; the errors above.
Result<SearchMode> ChooseMode(const Index& index, const SearchRequest& request);

// Whether answering `request` in `mode` embeds its text (no vector given).
bool NeedsEmbedding(SearchMode mode, const SearchRequest& request);

// `embedder` may be null when NeedsEmbedding is false.
Result<SearchResult> SearchIndex(const Index& index, embed::Embedder* embedder,
                                 const SearchRequest& request);

}  // namespace lakehouse::vector
