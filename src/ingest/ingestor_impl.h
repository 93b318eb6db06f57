// The Ingestor's implementation class, shared by the two files that define its calls.
//
// Private to src/ingest. ingestor.cpp takes an upload from the spool to its
// commit; ingestor_changes.cpp holds the calls that change stored rows (an
// upsert's commit, DeleteRows, Compact, Erase) and the erasure log.
#pragma once

#include <duckdb.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "ingest/append_schema.h"
#include "ingest/csv_probe.h"
#include "ingest/erasure.h"
#include "ingest/ingestor.h"
#include "ingest/row_changes.h"
#include "query/data_file_cache.h"
#include "query/dataset_scan.h"
#include "query/duckdb_handles.h"
#include "query/sql_fence.h"
#include "storage/object_store.h"

namespace lakehouse::ingest {

// A scratch directory removed with everything in it.
class ScratchDir {
 public:
  explicit ScratchDir(std::string path) : path_(std::move(path)) {}
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// What the conversion made of an upload.
struct Converted {
  std::optional<CsvPlan> csv;  // set for a CSV
  AppendPlan plan;             // the schema its rows were written in
  uint64_t rows = 0;
};

class IngestorImpl final : public Ingestor {
 public:
  IngestorImpl(const IngestOptions& options, storage::ObjectStore& store, catalog::Catalog& catalog)
      : options_(options), store_(store), catalog_(catalog) {}

  Status Init();

  // A connection of this ingestor's database, for one call.
  Result<query::Connection> Connect();

  // Settles the erasures a crash left pending, once (erasure.h).
  Status EnsureRecovered();

  Result<DeleteRowsResult> DeleteRows(const DeleteRowsRequest& request) override;
  Result<CompactResult> Compact(const std::string& dataset) override;
  Result<ErasureRecord> Erase(const EraseRequest& request) override;
  Result<std::vector<ErasureRecord>> ListErasures(const std::string& dataset) override;

  Result<IngestResult> Ingest(const IngestRequest& request,
                              const storage::BodyProducer& body) override;

 private:
  Result<IngestResult> IngestInWorkDir(const IngestRequest& request,
                                       const storage::BodyProducer& body);
  Result<std::string> MakeWorkDir() const;
  // An append's current version, read once for the repeat check and the
  // schema plan; unset for other modes and for a dataset yet to be made.
  Result<std::optional<catalog::Manifest>> CurrentForAppend(const IngestRequest& request);
  // kConflict when a plain append's upload has the bytes of `current`'s
  // source (compared by size first, so `digest` is waited for only then),
  // unless the request forces it.
  Status RefuseRepeatedAppend(const IngestRequest& request,
                              const std::optional<catalog::Manifest>& current, uint64_t bytes,
                              const std::function<Result<std::string>()>& digest);
  // Converts the spooled upload at `path` into `parquet`, in the schema its
  // version takes (planned against `current`, an append's).
  Result<Converted> Convert(duckdb_connection connection, const std::string& path,
                            const std::string& parquet, const IngestRequest& request,
                            const std::optional<catalog::Manifest>& current);
  Result<std::vector<catalog::Column>> Describe(duckdb_connection connection,
                                                const std::string& reader, const std::string& path,
                                                const IngestRequest& request);
  // How the upload, whose columns DuckDB read as `upload`, becomes rows of
  // the next version: an append plans against `current`; a new dataset or
  // an overwrite takes the upload's schema as it is.
  Result<AppendPlan> PlanVersion(const IngestRequest& request,
                                 const std::optional<catalog::Manifest>& current,
                                 std::vector<catalog::Column> upload,
                                 std::optional<uint64_t> first_line);
  // Stores the converted upload and commits it as the next version: an
  // upsert, an append with an evolved schema, or a plain append or overwrite.
  Result<IngestResult> CommitUpload(duckdb_connection connection, const IngestRequest& request,
                                    const std::string& parquet, const Converted& converted,
                                    const catalog::Source& source);
  // Appends `file` as a version with an evolved schema, on top of whatever
  // version is current while its schema is still `base`'s.
  Result<catalog::Manifest> CommitEvolved(const IngestRequest& request,
                                          const catalog::DataFile& file,
                                          const std::vector<catalog::Column>& schema,
                                          const catalog::Manifest& base,
                                          const catalog::Source& source);
  Result<catalog::DataFile> StoreDataFile(const IngestRequest& request, const std::string& parquet,
                                          uint64_t rows);
  // After a commit that failed: nothing may refer to the file.
  void RemoveDataFile(const IngestRequest& request, const std::string& key);
  Result<catalog::Manifest> StoreAndCommit(const IngestRequest& request, const std::string& parquet,
                                           uint64_t rows,
                                           const std::vector<catalog::Column>& schema,
                                           const catalog::Source& source);
  Result<IngestResult> Upsert(const IngestRequest& request, const std::string& parquet,
                              uint64_t rows, const std::vector<catalog::Column>& schema,
                              const catalog::Source& source,
                              const std::optional<catalog::Manifest>& evolved_from);
  // A minor compaction after an upsert, when the dataset's small files add
  // up to auto_compact_small_files.
  void CompactSmallFiles(const std::string& dataset, duckdb_connection connection);
  RowChangeContext ChangeContext(duckdb_connection connection) {
    return {store_, catalog_, *files_, deletion_sets_, deletion_vectors_, connection};
  }
  // A failed DuckDB statement over the upload: a full disk, too little
  // memory, or else the upload's fault, retold in terms of the upload.
  Status DuckDbFailure(duckdb_result* result, const std::string& path,
                       const IngestRequest& request) const;
  Status InputError(const std::string& message, const std::string& path,
                    const IngestRequest& request) const;

  IngestOptions options_;
  storage::ObjectStore& store_;
  catalog::Catalog& catalog_;
  std::unique_ptr<query::DataFileCache> files_;  // the data files a change reads
  query::DeletionVectorCache deletion_vectors_{store_};
  query::DeletionSets deletion_sets_;     // outlives database_, whose scans read it
  std::optional<query::SqlFence> fence_;  // for DeleteRows' predicates
  std::mutex erase_mu_;                   // erasures take turns
  std::atomic<bool> recovered_{false};    // EnsureRecovered succeeded
  query::Database database_;
};

}  // namespace lakehouse::ingest
