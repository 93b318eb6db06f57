// catalog::Catalog — datasets and their immutable versions.
//
// A dataset is a name and a sequence of versions 1, 2, 3 ... Each version is
// a JSON manifest object under `_catalog/<name>/v/<10-digit version>.json`,
// committed with a put-if-absent, so of two writers of version N+1 exactly
// one wins. The catalog keeps no state that storage does not: a fresh
// process over the same store knows everything.
//
// Promises:
//  - Commit of an append rebases onto whatever version won a race and
//    retries, so concurrent appends all land as consecutive versions.
//  - Commit of an overwrite or a replace that loses a race is kConflict
//    (409); a replace's writer recomputes its change from the new current
//    version and commits again.
//  - A deleted dataset is a version with operation "delete": it disappears
//    from listings and lookups, its earlier versions stay readable by number
//    until vacuumed, and a later ingest starts it again.
//  - A tag names one version of a dataset, `_catalog/<name>/t/<tag>.json`;
//    it may be moved to another version, never to a deletion.
//  - Vacuum never removes a tagged version, nor a data file (or its deletes)
//    that a kept or tagged version references.
//  - A damaged manifest (not JSON, not a manifest, or naming another
//    dataset or version) never fails a listing: ListDatasets answers the
//    other datasets and reports it in `damaged`. Reading that dataset's
//    current version is kIoError naming the manifest's key.
//
// Threads: every method may be called from any number of threads at once,
// and from any number of processes over one store; races between writers
// are settled by the store's put-if-absent, never by a lock in memory.
// Lifetimes: the values returned are copies the caller owns. A
// StoreCatalog's store must outlive it; an HttpCatalog owns its clients.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"

namespace lakehouse::catalog {

struct Column {
  std::string name;
  std::string type;  // a DuckDB type name, e.g. BIGINT, VARCHAR, TIMESTAMP
  bool operator==(const Column&) const = default;
};

// Rows of one data file that a later version removed, by position: a
// deletion vector object (query/deletion_vector.h). A version lists every
// one that applies to each of its files; they only accumulate, and never
// name a position twice.
struct DeleteFile {
  std::string key;
  uint64_t rows = 0;  // positions it removes
  uint64_t bytes = 0;
  bool operator==(const DeleteFile&) const = default;
};

struct DataFile {
  std::string key;    // object key of a Parquet file
  uint64_t rows = 0;  // rows in the file, deleted ones included
  uint64_t bytes = 0;
  std::vector<DeleteFile> deletes;
  uint64_t deleted_rows() const;
  uint64_t live_rows() const;  // rows less deleted rows
  bool operator==(const DataFile&) const = default;
};

struct Source {
  std::string file_name;
  uint64_t bytes = 0;
  std::string sha256;
};

enum class Operation {
  kCreate,
  kAppend,
  kOverwrite,
  kDelete,      // the dataset was deleted: a tombstone without rows
  kUpsert,      // rows replaced or inserted by key
  kDeleteRows,  // rows removed by a predicate
  kRestore,     // the files of an earlier version, again
  kCompact,     // the same rows, rewritten into fewer files without deletes
  kErase,       // rows removed from this and every earlier version kept
};
std::string_view OperationName(Operation op);

// What a version did to the rows of the one before it.
struct ChangeCounts {
  uint64_t inserted = 0;
  uint64_t updated = 0;
  uint64_t deleted = 0;
  bool operator==(const ChangeCounts&) const = default;
};

struct Manifest {
  std::string dataset;
  uint64_t version = 0;
  std::optional<uint64_t> parent;
  Operation operation = Operation::kCreate;
  std::vector<Column> schema;
  std::vector<DataFile> files;
  uint64_t rows = 0;   // live rows: the files' rows less their deletes
  uint64_t bytes = 0;  // data and delete files
  std::optional<Source> source;
  int64_t created_unix_ms = 0;
  ChangeCounts counts;
  std::optional<uint64_t> restored_from;  // a restore: the version it brought back
  // The files' schemas differ (a schema evolved since the oldest was
  // written): readers match their columns by name.
  bool mixed_schema = false;
  // The erasures that rewrote this version's files (an erase version lists
  // its own): its rows are no longer those it was committed with.
  std::vector<std::string> erasures;
};

struct DatasetSummary {
  std::string name;
  uint64_t version = 0;
  uint64_t rows = 0;
  uint64_t bytes = 0;
  int64_t updated_unix_ms = 0;
};

// A dataset whose newest manifest could not be read as one.
struct DamagedManifest {
  std::string key;    // the manifest's object key
  std::string error;  // why it was refused
};

struct DatasetListing {
  std::vector<DatasetSummary> datasets;  // by name
  std::vector<DamagedManifest> damaged;  // by key
};

enum class WriteMode {
  kAppend,     // the request's files after the current version's
  kOverwrite,  // the request's files instead of them
  // The request's files (and their deletes) are the whole new version,
  // computed from version `expected_version`, which must still be current.
  kReplace,
};

// New data for a dataset: files already written to storage under unique keys.
struct CommitRequest {
  std::string dataset;
  WriteMode mode = WriteMode::kAppend;
  std::vector<Column> schema;
  std::vector<DataFile> files;
  std::optional<Source> source;
  // For overwrite: the version the writer based its decision on, if any; a
  // different current version is a conflict. Required for kReplace.
  std::optional<uint64_t> expected_version;
  // For kReplace: what the version records (upsert, delete_rows, restore,
  // compact), its counts and what it restored.
  Operation operation = Operation::kAppend;
  ChangeCounts counts;
  std::optional<uint64_t> restored_from;
  bool mixed_schema = false;
  // For kReplace with operation kErase: the erasure's id.
  std::optional<std::string> erasure;
};

// What an erasure rewrote, by object key: each old data file's replacement
// (with no rows when every row of it was erased, so the version keeps its
// columns) and each of its deletion vectors' (nullopt: every position it
// held was erased). A version listing an old file lists its replacement
// instead, with the replacements of its deletion vectors, and counts its
// rows again.
struct FileRewrites {
  std::string erasure;                    // the erasure's id, added to each version rewritten
  std::map<std::string, DataFile> files;  // replacements carry no deletes
  std::map<std::string, std::optional<DeleteFile>> deletes;
};

// Applies `rewrites` to `manifest`; false when it names no old file.
// kIoError when it lists a deletion vector of a rewritten file that the
// rewrites lack (its positions would point at the wrong rows).
Result<bool> ApplyRewrites(const FileRewrites& rewrites, Manifest& manifest);

// Recomputes a manifest's `rows` and `bytes` from its files.
void Summarize(Manifest& manifest);

struct VacuumReport {
  std::vector<uint64_t> removed_versions;
  std::vector<std::string> removed_files;
  // Versions older than the newest `keep` that stayed because a tag names them.
  std::vector<uint64_t> kept_tagged;
};

struct Tag {
  std::string tag;
  uint64_t version = 0;
  int64_t created_unix_ms = 0;  // when the tag was last set
  bool operator==(const Tag&) const = default;
};

// The versions a vacuum keeping the newest `keep` of `versions` (oldest
// first) keeps: those and every version a tag names.
std::set<uint64_t> VersionsVacuumKeeps(const std::vector<Manifest>& versions,
                                       const std::vector<Tag>& tags, uint64_t keep);

// Where a dataset's data files live: "data/<name>/". Vacuum sweeps it.
std::string DataFilePrefix(std::string_view dataset);

// `[a-z][a-z0-9_]{0,62}`; anything else is kInvalidArgument naming the rule.
Status ValidateDatasetName(std::string_view name);
// The one answer, everywhere (HTTP routes, SQL, the CLI), for a dataset that
// does not exist or was deleted: kNotFound, `dataset "x" does not exist`.
Status DatasetNotFound(std::string_view name);
// `[a-z][a-z0-9_.-]{0,62}`; anything else is kInvalidArgument naming the rule.
// Starting with a letter, a tag is never all digits, so `name@tag` in SQL
// never reads as `name@N`.
Status ValidateTagName(std::string_view tag);

class Catalog {
 public:
  virtual ~Catalog() = default;

  // The live datasets, and the damaged ones beside them; an error only when
  // storage itself fails.
  virtual Result<DatasetListing> ListDatasets() = 0;
  // The current version; kNotFound for an unknown or deleted dataset.
  virtual Result<Manifest> GetCurrent(std::string_view name) = 0;
  virtual Result<Manifest> GetVersion(std::string_view name, uint64_t version) = 0;
  // Every version still present, oldest first.
  virtual Result<std::vector<Manifest>> ListVersions(std::string_view name) = 0;
  virtual Result<Manifest> Commit(const CommitRequest& request) = 0;
  virtual Result<Manifest> DeleteDataset(std::string_view name) = 0;
  // Keeps the newest `keep` versions (at least 1) and every tagged one, and
  // removes the other manifests and every data file no kept version
  // references.
  virtual Result<VacuumReport> Vacuum(std::string_view name, uint64_t keep) = 0;

  // Points `tag` at `version`, moving it if it exists. kNotFound naming the
  // version when it does not exist or is a deletion.
  virtual Status PutTag(std::string_view name, std::string_view tag, uint64_t version) = 0;
  // The dataset's tags, by tag name; kNotFound for a dataset that never was.
  virtual Result<std::vector<Tag>> ListTags(std::string_view name) = 0;
  // The version `tag` names; kNotFound naming the tag when there is none.
  virtual Result<uint64_t> GetTag(std::string_view name, std::string_view tag) = 0;
  // kNotFound naming the tag when there is none.
  virtual Status DeleteTag(std::string_view name, std::string_view tag) = 0;

  // Rewrites, in place, every version still present that lists a file of
  // `rewrites` (ApplyRewrites), and answers their numbers. The one change
  // to history there is: only an erasure calls it, after its new files are
  // stored. Idempotent, so an interrupted erasure can run it again.
  virtual Result<std::vector<uint64_t>> RewriteFiles(std::string_view name,
                                                     const FileRewrites& rewrites) = 0;
};

}  // namespace lakehouse::catalog
