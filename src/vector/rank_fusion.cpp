// FuseRanks: reciprocal rank fusion of ranked id lists, with weights and a deterministic order.
#include "vector/rank_fusion.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

namespace lakehouse::vector {

Status ValidateFusion(double rrf_k, std::span<const double> weights) {
  if (!std::isfinite(rrf_k) || rrf_k <= 0) {
    return Status::InvalidArgument("\"rrf_k\" must be a number above 0");
  }
  bool any = false;
  for (double w : weights) {
    if (!std::isfinite(w) || w < 0) {
      return Status::InvalidArgument("a weight must be a number 0 or above");
    }
    any = any || w > 0;
  }
  if (!any) return Status::InvalidArgument("at least one weight must be above 0");
  return Status::Ok();
}

namespace {

// The list and rank that order ties: the earliest list holding the id.
std::pair<size_t, size_t> FirstRank(const FusedRank& fused) {
  for (size_t list = 0; list < fused.ranks.size(); ++list) {
    if (fused.ranks[list]) return {list, *fused.ranks[list]};
  }
  return {fused.ranks.size(), 0};
}

}  // namespace

std::vector<FusedRank> FuseRanks(std::span<const RankedList> lists, double rrf_k, size_t k) {
  std::vector<FusedRank> fused;
  std::unordered_map<std::string_view, size_t> at;  // id -> position in fused
  for (size_t list = 0; list < lists.size(); ++list) {
    const RankedList& ranked = lists[list];
    for (size_t r = 0; r < ranked.ids.size(); ++r) {
      auto [it, fresh] = at.try_emplace(ranked.ids[r], fused.size());
      if (fresh) {
        fused.push_back({ranked.ids[r], 0, std::vector<std::optional<size_t>>(lists.size())});
      }
      FusedRank& entry = fused[it->second];
      if (entry.ranks[list]) continue;  // an id listed twice counts once, at its best
      entry.ranks[list] = r + 1;
      entry.score += ranked.weight / (rrf_k + static_cast<double>(r + 1));
    }
  }
  auto better = [](const FusedRank& a, const FusedRank& b) {
    if (a.score != b.score) return a.score > b.score;
    auto ra = FirstRank(a);
    auto rb = FirstRank(b);
    if (ra != rb) return ra < rb;
    return a.id < b.id;
  };
  const size_t keep = std::min(k, fused.size());
  std::partial_sort(fused.begin(), fused.begin() + static_cast<std::ptrdiff_t>(keep), fused.end(),
                    better);
  fused.resize(keep);
  return fused;
}

}  // namespace lakehouse::vector
