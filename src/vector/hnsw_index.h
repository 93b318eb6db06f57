// The HNSW engine behind vector::Index, for the factories in index_factory.cpp:
// the vector part of every index, without the full-text part.
#pragma once

#include <memory>

#include "common/status.h"
#include "vector/index.h"

namespace lakehouse::vector {

// An empty index; kInvalidArgument for bad parameters. It refuses items with
// a text unless params.full_text is set (then a wrapper indexes the text).
Result<std::unique_ptr<Index>> CreateHnswIndex(const IndexParams& params);
// The vector part of a snapshot, checked whole; image.full_text is ignored.
Result<std::unique_ptr<Index>> RestoreHnswIndex(IndexImage image);

}  // namespace lakehouse::vector
