// Gauges of serve's parts, each read at scrape time from the part's own interface.
#include "cli/serve_gauges.h"

#include <vector>

namespace lakehouse::cli {
namespace {

server::Gauge Count(const char* name, const char* help, uint64_t value) {
  return server::Gauge{name, help, {}, static_cast<double>(value)};
}

std::vector<server::Gauge> DatasetGauges(catalog::Catalog& catalog) {
  std::vector<server::Gauge> out;
  auto listing = catalog.ListDatasets();
  if (!listing.ok()) return out;
  out.push_back(Count("lakehouse_datasets", "Datasets (not deleted).", listing->datasets.size()));
  out.push_back(
      Count("lakehouse_damaged_manifests",
            "Datasets whose newest manifest cannot be read (GET /v1/datasets names them).",
            listing->damaged.size()));
  for (const auto& d : listing->datasets) {
    const std::vector<std::pair<std::string, std::string>> labels{{"dataset", d.name}};
    out.push_back({"lakehouse_dataset_version", "Current version of each dataset.", labels,
                   static_cast<double>(d.version)});
    out.push_back({"lakehouse_dataset_rows", "Rows in each dataset's current version.", labels,
                   static_cast<double>(d.rows)});
    out.push_back({"lakehouse_dataset_bytes", "Bytes of each dataset's current data files.", labels,
                   static_cast<double>(d.bytes)});
  }
  return out;
}

std::vector<server::Gauge> StoreGauges(storage::ObjectStore& store) {
  // Listing is bounded so a scrape of a huge store stays cheap; past the
  // bound the figures say "at least".
  constexpr size_t kMaxListed = 100'000;
  double objects = 0, bytes = 0;
  storage::ListOptions options;
  while (objects < kMaxListed) {
    auto page = store.List(options);
    if (!page.ok()) break;
    for (const auto& object : page->objects) {
      ++objects;
      bytes += static_cast<double>(object.size);
    }
    if (!page->next) break;
    options.start_after = *page->next;
  }
  return {{"lakehouse_objects", "Objects in storage (counted up to 100,000).", {}, objects},
          {"lakehouse_object_bytes", "Bytes of those objects.", {}, bytes}};
}

std::vector<server::Gauge> VectorGauges(vector::VectorService& vectors) {
  auto list = vectors.List();
  std::vector<server::Gauge> out{Count("lakehouse_vector_indexes", "Vector indexes.", list.size())};
  for (const auto& index : list) {
    out.push_back({"lakehouse_vector_index_items",
                   "Items in each vector index.",
                   {{"index", index.params.name}},
                   static_cast<double>(index.count)});
  }
  return out;
}

// queryd's copies of remote data files (all zero while storage is local: its
// files are read in place).
std::vector<server::Gauge> CacheGauges(const query::QueryEngine& engine) {
  const query::DataFileCacheStats c = engine.cache_stats();
  return {
      Count("lakehouse_query_cache_hits", "Data file cache hits since start.", c.hits),
      Count("lakehouse_query_cache_misses", "Data file cache misses (downloads) since start.",
            c.misses),
      Count("lakehouse_query_cache_fetched_bytes", "Bytes downloaded into the data file cache.",
            c.bytes_fetched),
      Count("lakehouse_query_cache_evictions", "Data files evicted from the cache.", c.evictions),
      Count("lakehouse_query_cache_bytes", "Bytes held by the data file cache.", c.bytes_held),
      Count("lakehouse_query_cache_limit_bytes", "The data file cache's bound.", c.max_bytes)};
}

}  // namespace

void AddServeGauges(server::Metrics& metrics, catalog::Catalog& catalog,
                    storage::ObjectStore& store, vector::VectorService& vectors,
                    const query::QueryEngine& engine) {
  metrics.AddGauges([&catalog] { return DatasetGauges(catalog); });
  metrics.AddGauges([&store] { return StoreGauges(store); });
  metrics.AddGauges([&vectors] { return VectorGauges(vectors); });
  metrics.AddGauges([&engine] { return CacheGauges(engine); });
  metrics.AddGauges([&metrics] {
    return std::vector<server::Gauge>{Count("lakehouse_queries_running",
                                            "Queries being answered (including their streaming).",
                                            metrics.InFlight("/v1/query"))};
  });
}

}  // namespace lakehouse::cli
