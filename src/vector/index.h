// vector::Index — one HNSW vector index: string ids, a JSON metadata object
// per id, metrics cosine / l2 / ip (docs/design.md, Vector indexes), and
// optionally a full-text (BM25) part over a text per item.
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
//  - With a full-text part (params.full_text), an item's text is indexed
//    for keyword search beside its vector, in the same write: a batch adds
//    both or neither, replacing an item replaces its text (an item without
//    text leaves none), and removing it removes both. A snapshot holds both
//    as of the same write.
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
#include "text/bm25_index.h"
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
  // Set: the index keeps a BM25 full-text part over its items' texts, with
  // these parameters.
  std::optional<text::Bm25Params> full_text;
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
// A resume or a job description is a few KiB; a megabyte is a book.
inline constexpr size_t kMaxTextBytes = 1 << 20;

struct Item {
  Item() = default;
  // Spelled out so that an item without a text is written {id, vector,
  // metadata}, as before texts existed.
  Item(std::string id, std::vector<float> vector,
       nlohmann::json metadata = nlohmann::json::object(),
       std::optional<std::string> text = std::nullopt)
      : id(std::move(id)),
        vector(std::move(vector)),
        metadata(std::move(metadata)),
        text(std::move(text)) {}

  std::string id;
  std::vector<float> vector;
  nlohmann::json metadata = nlohmann::json::object();  // null counts as {}
  // What the full-text part indexes (valid UTF-8, up to kMaxTextBytes);
  // unset: the item has no text. An index without a full-text part
  // refuses items that carry one.
  std::optional<std::string> text;
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
  std::string full_text;       // the full-text part as LHT1 (text/bm25_format.h); empty: none
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

struct KeywordHit {
  std::string id;
  double score = 0;                                // BM25, higher is better
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
  // The item's metadata, shared; null when there is no such item.
  virtual std::shared_ptr<const nlohmann::json> MetadataOf(std::string_view id) const = 0;

  // The full-text part. Without one (params().full_text unset), keyword
  // searches are kInvalidArgument saying so.
  bool has_full_text() const { return params().full_text.has_value(); }
  // The best k items by BM25 for `query` among those whose metadata passes
  // `filter`, best first (text/bm25_index.h). kInvalidArgument for k outside
  // 1..10000.
  virtual Result<std::vector<KeywordHit>> SearchKeywords(std::string_view query, size_t k,
                                                         const MetadataFilter& filter) const;
  // The query's terms, as indexed, that item `id` holds (for highlighting).
  virtual Result<std::vector<std::string>> MatchedTerms(std::string_view id,
                                                        std::string_view query) const;
  // Counts the changes made so far; a snapshot records the count it covers.
  virtual uint64_t version() const = 0;
  // A consistent image of the index. Holds other writes off while it copies
  // the graph; searches go on.
  virtual Result<IndexImage> Snapshot() const = 0;
};

}  // namespace lakehouse::vector
