// vector::DatasetIndexer — dataset text indexes (docs/local-ai.md;
// POST /v1/datasets/{name}/indexes): one item per row of a dataset version,
// its id from one column, its vector from embedding another, its metadata
// from the rest, so searches can filter on them.
//
// Promises:
//  - A first build reads the dataset's current version through queryd (the
//    same fence and pinning as any query), fits the embedder to the texts
//    (the built-in one learns IDF; the fitted state is kept with the index),
//    builds the whole index out of sight and then installs and saves it once:
//    nobody sees it half built, and a failed build leaves nothing behind.
//  - The index records the dataset, the version, the columns and the model.
//  - Asking again after new versions refreshes it: only rows whose id, text
//    or metadata changed since the recorded version are embedded again, and
//    ids gone from the dataset are removed, in one change saved once. The
//    fitted embedder is kept, so old and new vectors stay comparable.
//    `rebuild` (or a recorded version that was vacuumed away) builds afresh.
//  - The index keeps a full-text (BM25) part over the same texts unless the
//    request turns it off; it is refreshed with the vectors, in the same
//    change. Asking for other full-text parameters than an existing index
//    has rebuilds it.
//  - Rows with a NULL id or a NULL or blank text are skipped and counted. A
//    column that does not exist, an id column with a repeated value, or an
//    index of that name that holds something else is kInvalidArgument /
//    kConflict, and nothing changes.
#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "embed/embedder_set.h"
#include "query/sql_reader.h"
#include "vector/vector_service.h"

namespace lakehouse::vector {

// Whether an index has a full-text part, and with which parameters.
struct FullTextChoice {
  bool enabled = true;
  text::Bm25Params params;
  bool operator==(const FullTextChoice&) const = default;
};

struct DatasetIndexRequest {
  std::string dataset;
  std::string index;
  std::string id_column;
  std::string text_column;
  std::string model;  // empty: the default embedder
  // Unset: every other column of a scalar type.
  std::optional<std::vector<std::string>> metadata_columns;
  // Unset: as the existing index has it, or enabled with the default
  // parameters for a new one.
  std::optional<FullTextChoice> full_text;
  bool rebuild = false;
};

struct DatasetIndexProgress {
  std::string phase;  // "reading", "fitting", "embedding", "saving"
  size_t done = 0;
  size_t total = 0;
};

struct DatasetIndexOutcome {
  IndexStatus status;
  bool created = false;       // false: an existing index was refreshed or rebuilt
  bool rebuilt = false;       // an existing index was built afresh
  uint64_t from_version = 0;  // a refresh's previous version; 0 for a build
  size_t upserted = 0;        // items embedded and added or replaced
  size_t removed = 0;
  size_t skipped = 0;  // rows without an id or a text
  double elapsed_ms = 0;
};

using ProgressCallback = std::function<void(const DatasetIndexProgress&)>;

// What Reconcile did to one index.
struct ReconcileOutcome {
  std::string index;
  size_t removed = 0;    // items whose row is gone from the recorded version
  bool rebuilt = false;  // the recorded version was gone: built afresh
};

class DatasetIndexer {
 public:
  // `reader` null: no queryd to read datasets from, so every request is
  // kUnavailable saying so.
  DatasetIndexer(VectorService& vectors, query::SqlReader* reader,
                 const embed::EmbedderSet& embedders)
      : vectors_(vectors), reader_(reader), embedders_(embedders) {}

  Result<DatasetIndexOutcome> BuildOrRefresh(const DatasetIndexRequest& request,
                                             const ProgressCallback& progress = {});

  // After an erasure rewrote the dataset's versions: every index built from
  // `dataset` drops the items whose rows its recorded version no longer
  // holds, and is compacted, so neither its base nor a delta in storage
  // keeps them. An index whose recorded version is gone is rebuilt from the
  // current one. Indexes of other datasets are untouched.
  Result<std::vector<ReconcileOutcome>> Reconcile(const std::string& dataset);

 private:
  VectorService& vectors_;
  query::SqlReader* reader_;
  const embed::EmbedderSet& embedders_;
  std::mutex mu_;  // builds and refreshes take turns: each reads, then writes
};

}  // namespace lakehouse::vector
