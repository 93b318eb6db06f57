// The Ingestor's calls that change stored rows: an upsert's commit, DeleteRows, Compact, Erase.
#include "common/sql_quote.h"
#include "ingest/ingestor_impl.h"

#include <mutex>

#include "common/logging.h"
#include "ingest/compaction.h"
#include "query/duckdb_handles.h"

namespace lakehouse::ingest {

Result<IngestResult> IngestorImpl::Upsert(const IngestRequest& request, const std::string& parquet,
                                          uint64_t rows, const std::vector<catalog::Column>& schema,
                                          const catalog::Source& source,
                                          const std::optional<catalog::Manifest>& evolved_from) {
  LH_ASSIGN_OR_RETURN(catalog::DataFile file, StoreDataFile(request, parquet, rows));
  // Storing may have moved the upload into the store: read it from there.
  auto stored = files_->Acquire(file.key);
  if (!stored.ok()) {
    RemoveDataFile(request, file.key);
    return stored.status();
  }
  std::string on;
  for (const auto& column : request.key) {
    on += (on.empty() ? "" : " AND ") + std::string("t.") + SqlIdentifier(column) + " = u." +
          SqlIdentifier(column);
  }
  RowChange change;
  change.dataset = request.dataset;
  change.operation = catalog::Operation::kUpsert;
  change.join = "JOIN read_parquet(" + SqlString(stored->path()) + ") u ON " + on;
  change.upload_row = "u.file_row_number";
  change.added = file;
  change.source = source;
  if (evolved_from) {
    change.schema = schema;
    change.base_schema = evolved_from->schema;
  }
  LH_ASSIGN_OR_RETURN(query::Connection connection, Connect());
  // Only a dataset without a current version takes every row as new: a
  // kNotFound from the change itself (a data file gone) is an error.
  auto current = catalog_.GetCurrent(request.dataset);
  auto changed = current.ok() ? CommitRowChange(ChangeContext(connection.get()), change)
                              : Result<RowChangeResult>(current.status());
  Result<IngestResult> result = Status::Internal("no result");
  if (changed.ok()) {
    result = IngestResult{std::move(*changed->manifest), rows - changed->rows_replaced,
                          changed->rows_replaced};
  } else if (!current.ok() && current.status().code() == StatusCode::kNotFound) {
    // No current version (a new or deleted dataset): every row is new.
    catalog::CommitRequest commit;
    commit.dataset = request.dataset;
    commit.schema = schema;
    commit.files = {file};
    commit.source = source;
    auto manifest = catalog_.Commit(commit);
    if (manifest.ok())
      result = IngestResult{std::move(*manifest), rows, 0};
    else
      result = manifest.status();
  } else {
    result = changed.status();
  }
  if (!result.ok()) {
    RemoveDataFile(request, file.key);
    return result;
  }
  spdlog::info("upsert {}: version {} ({} inserted, {} updated)", request.dataset,
               result->manifest.version, result->rows_added, result->rows_updated);
  CompactSmallFiles(request.dataset, connection.get());
  return result;
}

void IngestorImpl::CompactSmallFiles(const std::string& dataset, duckdb_connection connection) {
  if (options_.auto_compact_small_files == 0) return;
  auto work_dir = MakeWorkDir();
  if (!work_dir.ok()) return;
  ScratchDir scratch(*work_dir);
  // The upsert is committed whatever happens here: a failure only leaves
  // the small files for the next upsert (or POST .../compact) to merge.
  auto compacted = CompactDataset(
      ChangeContext(connection),
      {dataset, options_.compact_file_bytes, scratch.path(), options_.auto_compact_small_files});
  if (!compacted.ok()) {
    spdlog::warn("upsert {}: merging its small files failed: {}", dataset,
                 compacted.status().ToString());
  }
}

Result<CompactResult> IngestorImpl::Compact(const std::string& dataset) {
  LH_RETURN_IF_ERROR(catalog::ValidateDatasetName(dataset));
  LH_RETURN_IF_ERROR(EnsureRecovered());
  LH_ASSIGN_OR_RETURN(std::string work_dir, MakeWorkDir());
  ScratchDir scratch(work_dir);
  LH_ASSIGN_OR_RETURN(query::Connection connection, Connect());
  return CompactDataset(ChangeContext(connection.get()),
                        {dataset, options_.compact_file_bytes, scratch.path()});
}

Result<ErasureRecord> IngestorImpl::Erase(const EraseRequest& request) {
  LH_RETURN_IF_ERROR(catalog::ValidateDatasetName(request.dataset));
  LH_RETURN_IF_ERROR(EnsureRecovered());
  LH_ASSIGN_OR_RETURN(query::Connection connection, Connect());
  LH_RETURN_IF_ERROR(fence_->CheckPredicate(connection.get(), request.where));
  LH_ASSIGN_OR_RETURN(std::string work_dir, MakeWorkDir());
  ScratchDir scratch(work_dir);
  std::lock_guard erasing(erase_mu_);
  return EraseRows(ChangeContext(connection.get()), request, scratch.path());
}

Result<DeleteRowsResult> IngestorImpl::DeleteRows(const DeleteRowsRequest& request) {
  LH_RETURN_IF_ERROR(catalog::ValidateDatasetName(request.dataset));
  LH_RETURN_IF_ERROR(EnsureRecovered());
  LH_ASSIGN_OR_RETURN(query::Connection connection, Connect());
  LH_RETURN_IF_ERROR(fence_->CheckPredicate(connection.get(), request.where));
  RowChange change;
  change.dataset = request.dataset;
  change.operation = catalog::Operation::kDeleteRows;
  change.predicate = request.where;
  LH_ASSIGN_OR_RETURN(RowChangeResult changed,
                      CommitRowChange(ChangeContext(connection.get()), change));
  DeleteRowsResult result;
  result.rows_deleted = changed.rows_removed;
  if (changed.manifest) {
    result.version = changed.manifest->version;
    result.rows = changed.manifest->rows;
    result.manifest = std::move(changed.manifest);
    spdlog::info("delete rows {}: version {} ({} deleted)", request.dataset, result.version,
                 result.rows_deleted);
  } else {
    LH_ASSIGN_OR_RETURN(auto current,
                        catalog_.GetVersion(request.dataset, changed.current_version));
    result.version = current.version;
    result.rows = current.rows;
  }
  return result;
}

Result<std::vector<ErasureRecord>> IngestorImpl::ListErasures(const std::string& dataset) {
  LH_RETURN_IF_ERROR(catalog::ValidateDatasetName(dataset));
  LH_RETURN_IF_ERROR(EnsureRecovered());
  return ingest::ListErasures(store_, dataset);
}

}  // namespace lakehouse::ingest
