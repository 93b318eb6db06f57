// The consistency check of a saved index image's item table against its graph.
#pragma once

#include "common/status.h"
#include "vector/hnsw_format.h"
#include "vector/index.h"

namespace lakehouse::vector {

// Every live element has exactly one entry and every entry a live element,
// ids and labels unique, norms positive, metadata objects. Unprocessable
// names the first entry or element at fault.
Status CheckEntries(const IndexImage& image, const hnsw_format::GraphFacts& graph);

}  // namespace lakehouse::vector
