// POST /v1/datasets/{name}/indexes (API.md, Local AI): translates requests to
// DatasetIndexer calls. With `Accept: application/x-ndjson` the answer
// streams progress lines ({"phase","done","total"}) and ends with the index
// or {"error": ...}; otherwise it is the index once built (201) or
// refreshed (200).
#pragma once

#include <httplib.h>

#include "vector/dataset_indexer.h"

namespace lakehouse::server {

void RegisterDatasetIndexRoutes(httplib::Server& router, vector::DatasetIndexer& indexer);

}  // namespace lakehouse::server
