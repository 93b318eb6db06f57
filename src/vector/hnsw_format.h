// Checks of hnswlib 0.8's own graph serialisation (saveIndex/loadIndex).
//
// hnswlib trusts its input: a damaged file can make loadIndex allocate what
// its header says or make a later search follow a link out of bounds. So an
// LHV1 graph is inspected in full before hnswlib sees it.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace lakehouse::vector::hnsw_format {

struct Element {
  uint64_t label = 0;
  bool deleted = false;
};

// The elements of a well-formed graph, in internal order.
struct GraphFacts {
  std::vector<Element> elements;
};

// kUnprocessable naming the first thing wrong unless `bytes` is exactly one
// hnswlib graph of float vectors of `dim` built with `m` and
// `ef_construction`, whose every link count, neighbour id, level and length
// is in range. Allocates at most in proportion to `bytes`.
Result<GraphFacts> Inspect(std::string_view bytes, uint32_t dim, uint32_t m,
                           uint32_t ef_construction);

}  // namespace lakehouse::vector::hnsw_format
