// The gauges /metrics reports of what `serve` holds: datasets, objects, indexes, cache.
#pragma once

#include "catalog/catalog.h"
#include "query/query_engine.h"
#include "server/metrics.h"
#include "storage/object_store.h"
#include "vector/vector_service.h"

namespace lakehouse::cli {

// Registers gauges read at each scrape. Every argument must outlive `metrics`.
void AddServeGauges(server::Metrics& metrics, catalog::Catalog& catalog,
                    storage::ObjectStore& store, vector::VectorService& vectors,
                    const query::QueryEngine& engine);

}  // namespace lakehouse::cli
