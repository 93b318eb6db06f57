// vector::FuseRanks — reciprocal rank fusion (Cormack, Clarke and Büttcher,
// SIGIR 2009) of ranked lists of ids, the hybrid search's way of joining the
// vector and keyword rankings without comparing their scores.
//
// An id's fused score is the sum, over the lists holding it, of
//   weight / (rrf_k + rank)        rank counted from 1
// so an id near the top of either list rises, and one in both rises most.
// The scores of the rankers themselves (a distance, a BM25 score) are never
// compared: they are on scales that do not mix.
//
// Pure function; no state, any thread.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"

namespace lakehouse::vector {

// The Cormack et al. constant: it damps the lead of the very first ranks.
inline constexpr double kDefaultRrfK = 60;

struct RankedList {
  std::vector<std::string> ids;  // best first; an id appears at most once
  double weight = 1;
};

struct FusedRank {
  std::string id;
  double score = 0;
  // Per input list, in order: the id's rank there (from 1), or nullopt.
  std::vector<std::optional<size_t>> ranks;
};

// kInvalidArgument unless rrf_k is finite and > 0 and every weight is finite
// and >= 0, with at least one above 0.
Status ValidateFusion(double rrf_k, std::span<const double> weights);

// The best `k` ids of the lists fused, highest score first; ties go to the
// id with the better rank in the earliest list holding it, then by id. A
// list with weight 0 still reports its ranks but adds nothing.
// REQUIRES: ValidateFusion(rrf_k, the lists' weights).ok().
std::vector<FusedRank> FuseRanks(std::span<const RankedList> lists, double rrf_k, size_t k);

}  // namespace lakehouse::vector
