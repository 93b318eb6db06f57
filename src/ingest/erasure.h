// Erasure: rows removed from every version of a dataset still kept, down to
// the bytes in storage — the one operation that changes history.
//
// An erasure finds the rows its predicate holds for in every data file that
// a kept version (tagged ones included) lists, deleted rows included, and
// writes each such file again without them under a new key, with its
// deletion vectors renumbered to the rows that remain. Every version that
// listed an old file is then rewritten in place to list the new one (the
// catalog's RewriteFiles), and the old files are deleted. Files without a
// matching row are not touched.
//
// Order of operations, each crash point safe:
//  1. New data files and deletion vectors under fresh keys. A crash leaves
//     only unreferenced objects, which vacuum sweeps.
//  2. The erasure's record, state "pending", holding every old and new key
//     (`_erasures/<dataset>/<id>.json`). It names keys only, never values.
//  3. A new version, operation "erase": the current one with the erased
//     rows gone, committed as a replace of that version. It is the point of
//     no return, and the fence that keeps racing writers out: a change
//     computed from an older version conflicts and is computed again from
//     this one, which lists only new files. (A deleted dataset has no
//     current version; there the record is the point of no return.)
//  4. Every version still present that lists an old file is rewritten.
//  5. The old files are deleted, and step 4 runs once more, for a restore
//     that copied an old version's file list meanwhile.
//  6. The record is rewritten with state "done" and what was done.
// A restart finds records still pending (RecoverErasures): one whose erase
// version was committed is carried on from step 4, any other is undone
// (its new objects and record deleted). Steps 4 to 6 are idempotent.
//
// Not thread-safe: erasures of one store take turns (the Ingestor holds a
// lock); each runs on its own DuckDB connection. What RowChangeContext names
// must outlive it.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "ingest/row_changes.h"

namespace lakehouse::ingest {

struct EraseRequest {
  std::string dataset;
  std::string where;  // checked by the query fence (CheckPredicate) first
};

// One erasure as its log keeps it.
struct ErasureRecord {
  std::string id;  // sortable by start: <13-digit unix ms>-<random>
  std::string dataset;
  std::string where;  // the predicate as given: erase by key, not by the value to forget
  std::string state;  // "pending" or "done"
  int64_t started_unix_ms = 0;
  int64_t finished_unix_ms = 0;
  std::optional<uint64_t> version;           // the erase version; unset for a deleted dataset
  uint64_t rows_erased = 0;                  // rows removed from stored files
  uint64_t rows_erased_current = 0;          // of those, rows the current version held
  std::vector<uint64_t> versions_rewritten;  // earlier versions rewritten in place
  uint64_t files_rewritten = 0;              // data files written again
  catalog::FileRewrites rewrites;            // old keys and their replacements
};

// The record's stored JSON, and the shape of GET .../erasures items (which
// leave out the key lists).
nlohmann::json ErasureToJson(const ErasureRecord& record, bool with_keys);
Result<ErasureRecord> ErasureFromJson(const nlohmann::json& json);

// Where an erasure's record lives.
std::string ErasureKey(std::string_view dataset, std::string_view id);

// Erases (see above) and answers the record; `rows_erased` 0 and no record
// stored when no row matched. kNotFound for a dataset without versions; a
// predicate DuckDB cannot apply is kInvalidArgument. `work_dir` is scratch
// space of this erasure alone.
Result<ErasureRecord> EraseRows(const RowChangeContext& context, const EraseRequest& request,
                                const std::string& work_dir);

// The dataset's erasures, oldest first.
Result<std::vector<ErasureRecord>> ListErasures(storage::ObjectStore& store,
                                                std::string_view dataset);

// Carries on or undoes every erasure a crash left pending (see above).
Status RecoverErasures(const RowChangeContext& context);

}  // namespace lakehouse::ingest
