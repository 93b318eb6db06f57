// Changes to the rows of a dataset's current version: an upsert's
// replacement of rows by key and a delete by predicate.
//
// A change finds the positions of the rows it removes in the current
// version, writes them as deletion vectors (query/deletion_vector.h) beside
// the data files that hold them — never rewriting a data file — and commits
// a catalog replace computed from that version, adding the upsert's new
// data file. When another writer commits first, the change is computed
// again from the new current version, so concurrent changes all land, in
// some order, and none is lost.
//
// Order of operations, each crash point safe: the new data file and the
// deletion vectors are written under fresh keys first; nothing refers to
// them until the manifest's put-if-absent commits. A crash before it leaves
// only unreferenced objects under data/<name>/, which vacuum sweeps; a lost
// race deletes the vectors it wrote at once.
//
// Not thread-safe on its own: each change runs on its own DuckDB connection,
// which the caller owns. The store, catalog, cache and sets must outlive it.
#pragma once

#include <duckdb.h>

#include <optional>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "query/data_file_cache.h"
#include "query/dataset_scan.h"
#include "storage/object_store.h"

namespace lakehouse::ingest {

struct RowChangeContext {
  storage::ObjectStore& store;
  catalog::Catalog& catalog;
  query::DataFileCache& files;
  query::DeletionSets& deletion_sets;
  query::DeletionVectorCache& deletion_vectors;
  duckdb_connection connection;  // of a database where RegisterDatasetScan ran
};

// Which rows of the current version a change removes, as SQL over its rows
// read as `t`: `join` (may be empty) joins whatever decides, and
// `predicate` (may be empty) filters. With `upload_row`, the SQL naming the
// row of the upload that replaces a removed row (an upsert's join).
struct RowChange {
  std::string dataset;
  catalog::Operation operation = catalog::Operation::kDeleteRows;
  std::string join;
  std::string predicate;
  std::string upload_row;
  // An upsert's new rows: already stored, added to the version as is.
  std::optional<catalog::DataFile> added;
  std::optional<catalog::Source> source;
  // An upsert that evolves the schema: the version gets `schema`, and the
  // change holds only while the current version's schema is `base_schema`
  // (else kConflict).
  std::optional<std::vector<catalog::Column>> schema;
  std::vector<catalog::Column> base_schema;
};

struct RowChangeResult {
  // The committed version; unset when the change removed and added nothing
  // (then no version was made).
  std::optional<catalog::Manifest> manifest;
  uint64_t current_version = 0;  // the version the change was computed from
  uint64_t rows_removed = 0;     // every row removed
  uint64_t rows_replaced = 0;    // rows of the upload that replaced one or more
};

// The rows of a version as DuckDB reads them here: `from` is
// `read_parquet([...]) t` and `live` is true for the rows the version holds
// (false for those its deletion vectors remove). The files and the deletion
// set stay pinned while it lives.
struct PinnedScan {
  std::string from;
  std::string live;
  std::vector<query::DataFileCache::Lease> leases;
  std::shared_ptr<const query::DeletionSet> deleted;  // null: the version has no deletes
  query::DeletionSets::Registration deletions;
};
Result<PinnedScan> PinScan(const RowChangeContext& context, const catalog::Manifest& manifest);

// kConflict: another writer changed the schema an upload was read against.
Status SchemaChangedWhileReading(const std::string& dataset);

// Deletes objects a change wrote but did not commit; failures are logged.
void RemoveObjects(storage::ObjectStore& store, const std::vector<std::string>& keys);

// Computes and commits `change` (see above). kNotFound when the dataset has
// no current version; a failure of the predicate is kInvalidArgument with
// DuckDB's message (an unknown column, a type error).
Result<RowChangeResult> CommitRowChange(const RowChangeContext& context, const RowChange& change);

}  // namespace lakehouse::ingest
