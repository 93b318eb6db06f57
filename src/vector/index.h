// vector::Index — one HNSW vector index: string ids, a JSON metadata object
// per id, metrics cosine / l2 / ip (docs/design.md, Vector indexes).
//
// Promises:
//  - A batch is validated whole before anything changes: a bad batch is
//    kInvalidArgument naming the position of the first bad item and why, and
//    the index is exactly as before.
//  - Adding an id that exists replaces its vector and metadata.
//  - Distances: l2 = squared Euclidean, cosine = 1 - cos, ip = 1 - dot;
//    results come nearest first.
//  - Searches run in parallel with each other and with adds and removes;
//    only growing the graph's capacity holds them off, briefly. Writes (add,
//    remove, snapshot) take turns; a batch add spreads over the cores.
//  - A per-search `ef` changes nothing shared, so it serialises nothing.
//  - Snapshot() and Restore() round-trip the graph exactly: a stored vector
//    found before is found again at the same distance.
//  - An Index owns its graph, vectors and metadata, and keeps no reference
//    to anything of its caller's: results are copies.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "vector/metadata_filter.h"

namespace lakehouse::vector {

enum class Metric { kCosine, kL2, kIp };
std::string_view MetricName(Metric metric);
Result<Metric> ParseMetric(std::string_view name);

struct IndexParams {
  std::string name;
  uint32_t dim = 0;
  Metric metric = Metric::kCosine;
  uint32_t m = 16;
  uint32_t ef_construction = 200;
  uint32_t ef_search = 64;
  // The embedder that turns text into this index's vectors (search by text);
  // empty: the index takes vectors only.
  std::string model;
};

// Where a dataset text index's items come from (docs/local-ai.md): one
// item per row of `dataset` at `version`, its id from `id_column`, its vector
// from embedding `text_column`, its metadata from `metadata_columns`.
struct DatasetSource {
  std::string dataset;
  uint64_t version = 0;
  std::string id_column;
  std::string text_column;
  std::vector<std::string> metadata_columns;
  bool operator==(const DatasetSource&) const = default;
};

// `[a-z][a-z0-9_-]{0,62}`, dim 1..4096, M 4..64, ef values 1..10000.
Status ValidateParams(const IndexParams& params);

inline constexpr size_t kMaxIdBytes = 256;
inline constexpr size_t kMaxMetadataBytes = 64 * 1024;

struct Item {
  std::string id;
  std::vector<float> vector;
  nlohmann::json metadata = nlohmann::json::object();  // null counts as {}
};

// Everything an index is made of, enough to rebuild it exactly (the content
// of an LHV1 object, see lhv1.h).
struct IndexImage {
  struct Entry {
    std::string id;
    uint64_t label = 0;  // the engine's key for the id
    float norm = 1;      // cosine stores unit vectors; this restores the given one
    nlohmann::json metadata;
  };
  IndexParams params;
  uint64_t version = 0;  // the index's change count when taken (not persisted)
  uint64_t next_label = 0;
  std::vector<Entry> entries;  // live items only
  std::string graph;           // the engine's own serialisation
  // Kept beside the index by its owner (VectorService), not by the engine:
  std::optional<DatasetSource> source;  // a dataset text index's origin
  std::string embedder_state;           // what its embedder learned (Fit)
  uint64_t seq = 0;                     // the last stored change (delta) it covers
};

struct Hit {
  std::string id;
  float distance = 0;
  std::shared_ptr<const nlohmann::json> metadata;  // the item's, shared, never null
};

class Index {
 public:
  static Result<std::unique_ptr<Index>> Create(const IndexParams& params);
  // Rebuilds an index from a snapshot, checking every part of it first: a
  // damaged image is kUnprocessable, never a crash or a half-built index.
  static Result<std::unique_ptr<Index>> Restore(IndexImage image);
  virtual ~Index() = default;

  virtual const IndexParams& params() const = 0;
  virtual size_t size() const = 0;
  // Adds or replaces every item, or none (see the promises above).
  virtual Status Add(std::vector<Item> items) = 0;
  virtual Result<std::vector<Hit>> Search(std::span<const float> query, size_t k,
                                          std::optional<uint32_t> ef = std::nullopt) const = 0;
  // The k nearest among the items whose metadata passes `filter`, right also
  // when few pass: below a tenth of the index (or 2,048 items) those items
  // are scanned exactly; above, the graph search skips the others as answers.
  virtual Result<std::vector<Hit>> SearchFiltered(std::span<const float> query, size_t k,
                                                  std::optional<uint32_t> ef,
                                                  const MetadataFilter& filter) const = 0;
  // The stored item. For cosine the vector comes back as given up to float
  // rounding: the graph keeps it normalised, with its norm beside it.
  virtual Result<Item> Get(std::string_view id) const = 0;
  virtual Status Remove(std::string_view id) = 0;
  // Counts the changes made so far; a snapshot records the count it covers.
  virtual uint64_t version() const = 0;
  // A consistent image of the index. Holds other writes off while it copies
  // the graph; searches go on.
  virtual Result<IndexImage> Snapshot() const = 0;
};

}  // namespace lakehouse::vector
