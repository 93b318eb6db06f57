// POST /v1/datasets/{name}/indexes (docs/api.md, docs/local-ai.md): translates requests to
// DatasetIndexer calls. With `Accept: application/x-ndjson` the answer
// streams progress lines ({"phase","done","total"}) and ends with the index
// or {"error": ...}; otherwise it is the index once built (201) or
// refreshed (200).
#pragma once

#include <httplib.h>

#include <nlohmann/json.hpp>
#include <vector>

#include "vector/dataset_indexer.h"

namespace lakehouse::server {

// Also POST /v1/datasets/{name}/indexes/reconcile: DatasetIndexer::Reconcile,
// answered as ReconcileJson.
void RegisterDatasetIndexRoutes(httplib::Server& router, vector::DatasetIndexer& indexer);

// {"indexes": [{"index", "removed", "rebuilt"}]}: what an erasure's answer
// says of the indexes too.
nlohmann::json ReconcileJson(const std::vector<vector::ReconcileOutcome>& outcomes);

}  // namespace lakehouse::server
