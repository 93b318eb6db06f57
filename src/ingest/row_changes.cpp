// CommitRowChange: find the rows a change removes, write their deletion
// vectors, commit a replace, and start again after a lost race.
#include "ingest/row_changes.h"

#include <algorithm>
#include <map>

#include "common/logging.h"
#include "common/sql_quote.h"
#include "ingest/random_id.h"
#include "query/deletion_vector.h"
#include "query/duckdb_handles.h"

namespace lakehouse::ingest {
namespace {

// A race lost this many times in a row means the dataset is being written
// faster than a change can be computed; the client may try again.
constexpr int kMaxAttempts = 50;
constexpr size_t kMaxDeletesPerFile = 8;

struct Matches {
  std::map<uint64_t, std::vector<uint64_t>> positions;  // by file index
  uint64_t rows = 0;
  uint64_t replaced = 0;  // distinct upload rows matched
};

}  // namespace

Result<PinnedScan> PinScan(const RowChangeContext& context, const catalog::Manifest& manifest) {
  PinnedScan scan;
  std::string list;
  for (const auto& file : manifest.files) {
    LH_ASSIGN_OR_RETURN(auto lease, context.files.Acquire(file.key));
    list += (list.empty() ? "" : ", ") + SqlString(lease.path());
    scan.leases.push_back(std::move(lease));
  }
  scan.live = "TRUE";
  if (query::HasDeletes(manifest)) {
    LH_ASSIGN_OR_RETURN(scan.deleted,
                        query::LoadDeletionSet(manifest, context.deletion_vectors.Loader()));
    scan.deletions = context.deletion_sets.Register(scan.deleted);
    scan.live = "lakehouse_live(" + std::to_string(scan.deletions.id()) +
                ", t.file_index, t.file_row_number)";
  }
  scan.from = "read_parquet([" + list +
              "], union_by_name = " + (manifest.mixed_schema ? "true" : "false") + ") t";
  return scan;
}

namespace {

// DuckDB's message without the context lines that quote the statement
// (which hold server paths).
std::string ErrorMessage(duckdb_result* result) {
  std::string message = duckdb_result_error(result) ? duckdb_result_error(result) : "failed";
  if (size_t line = message.find("\n\nLINE "); line != std::string::npos) message.resize(line);
  if (size_t line = message.find("\nLINE "); line != std::string::npos) message.resize(line);
  return message;
}

Result<Matches> FindRows(const RowChangeContext& context, const PinnedScan& scan,
                         const RowChange& change) {
  std::string sql = "SELECT t.file_index, t.file_row_number, " +
                    (change.upload_row.empty() ? "NULL::BIGINT" : change.upload_row) + " FROM " +
                    scan.from + " " + change.join + " WHERE " + scan.live;
  // A newline before the parenthesis: a trailing comment cannot hide it.
  if (!change.predicate.empty()) sql += " AND (" + change.predicate + "\n)";
  query::QueryResult result;
  if (duckdb_query(context.connection, sql.c_str(), result.out()) != DuckDBSuccess) {
    duckdb_error_type type = duckdb_result_error_type(result.get());
    std::string message = ErrorMessage(result.get());
    if (type == DUCKDB_ERROR_OUT_OF_MEMORY) return Status::ResourceExhausted(message);
    if (change.predicate.empty()) return Status::Internal(message);
    return Status::InvalidArgument("the predicate cannot be applied to " + change.dataset + ": " +
                                   message);
  }
  Matches matches;
  std::vector<int64_t> replaced;
  while (true) {
    query::DataChunk chunk(duckdb_fetch_chunk(*result.get()));
    if (!chunk) break;
    const idx_t n = duckdb_data_chunk_get_size(chunk.get());
    if (n == 0) break;
    auto* files = static_cast<uint64_t*>(
        duckdb_vector_get_data(duckdb_data_chunk_get_vector(chunk.get(), 0)));
    auto* rows =
        static_cast<int64_t*>(duckdb_vector_get_data(duckdb_data_chunk_get_vector(chunk.get(), 1)));
    duckdb_vector upload = duckdb_data_chunk_get_vector(chunk.get(), 2);
    auto* upload_rows = static_cast<int64_t*>(duckdb_vector_get_data(upload));
    uint64_t* valid = duckdb_vector_get_validity(upload);
    for (idx_t i = 0; i < n; ++i) {
      matches.positions[files[i]].push_back(static_cast<uint64_t>(rows[i]));
      if (!change.upload_row.empty() && duckdb_validity_row_is_valid(valid, i)) {
        replaced.push_back(upload_rows[i]);
      }
    }
    matches.rows += n;
  }
  std::sort(replaced.begin(), replaced.end());
  matches.replaced =
      static_cast<uint64_t>(std::unique(replaced.begin(), replaced.end()) - replaced.begin());
  return matches;
}

// The version's files with a new deletion vector on each file that loses
// rows; the keys written go into `written` as they are. A file keeps at most
// kMaxDeletesPerFile vectors: the change that would pass it writes one
// holding all of the file's deleted rows instead, so a scan reads a bounded
// number per file while most changes still write only their own rows.
Result<std::vector<catalog::DataFile>> WriteDeletes(const RowChangeContext& context,
                                                    const catalog::Manifest& manifest,
                                                    const PinnedScan& scan, Matches& matches,
                                                    std::vector<std::string>* written) {
  std::vector<catalog::DataFile> files = manifest.files;
  for (auto& [index, positions] : matches.positions) {
    if (index >= files.size()) return Status::Internal("a matched row of no file");
    catalog::DataFile& file = files[index];
    const bool merge = file.deletes.size() >= kMaxDeletesPerFile && scan.deleted &&
                       (*scan.deleted)[index] != nullptr;
    if (merge) {
      std::vector<uint64_t> before = (*scan.deleted)[index]->Positions();
      positions.insert(positions.end(), before.begin(), before.end());
    }
    std::sort(positions.begin(), positions.end());
    LH_ASSIGN_OR_RETURN(std::string bytes, query::EncodeDeletionVector({file.rows, positions}));
    std::string key = catalog::DataFilePrefix(manifest.dataset) + RandomId() + ".lhdv";
    LH_RETURN_IF_ERROR(context.store.PutBytes(key, bytes, storage::PutMode::kIfAbsent).status());
    written->push_back(key);
    if (merge) file.deletes.clear();
    file.deletes.push_back({key, positions.size(), bytes.size()});
  }
  return files;
}

catalog::ChangeCounts CountsOf(const RowChange& change, const Matches& matches) {
  catalog::ChangeCounts counts;
  counts.updated = matches.replaced;
  counts.inserted = change.added ? change.added->rows - matches.replaced : 0;
  counts.deleted = matches.rows - matches.replaced;
  return counts;
}

}  // namespace

Status SchemaChangedWhileReading(const std::string& dataset) {
  return Status::Conflict("the schema of " + dataset +
                          " changed while the upload was read; send it again");
}

void RemoveObjects(storage::ObjectStore& store, const std::vector<std::string>& keys) {
  for (const auto& key : keys) {
    Status removed = store.Delete(key);
    if (!removed.ok() && removed.code() != StatusCode::kNotFound) {
      spdlog::warn("could not remove {} after a change that did not commit: {}", key,
                   removed.ToString());
    }
  }
}

Result<RowChangeResult> CommitRowChange(const RowChangeContext& context, const RowChange& change) {
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    LH_ASSIGN_OR_RETURN(catalog::Manifest head, context.catalog.GetCurrent(change.dataset));
    if (change.schema && head.schema != change.base_schema) {
      return SchemaChangedWhileReading(change.dataset);
    }
    LH_ASSIGN_OR_RETURN(PinnedScan scan, PinScan(context, head));
    LH_ASSIGN_OR_RETURN(Matches matches, FindRows(context, scan, change));
    RowChangeResult result;
    result.current_version = head.version;
    result.rows_removed = matches.rows;
    result.rows_replaced = matches.replaced;
    if (matches.rows == 0 && !change.added) return result;
    std::vector<std::string> written;
    auto files = WriteDeletes(context, head, scan, matches, &written);
    if (!files.ok()) {
      RemoveObjects(context.store, written);
      return files.status();
    }
    if (change.added) files->push_back(*change.added);
    catalog::CommitRequest commit;
    commit.dataset = change.dataset;
    commit.mode = catalog::WriteMode::kReplace;
    commit.schema = head.schema;
    commit.files = std::move(*files);
    commit.source = change.source;
    commit.expected_version = head.version;
    commit.operation = change.operation;
    commit.counts = CountsOf(change, matches);
    commit.mixed_schema = head.mixed_schema;
    if (change.schema) {
      commit.schema = *change.schema;
      commit.mixed_schema = true;
    }
    auto committed = context.catalog.Commit(commit);
    if (committed.ok()) {
      result.manifest = std::move(*committed);
      return result;
    }
    RemoveObjects(context.store, written);
    if (committed.status().code() != StatusCode::kConflict) return committed.status();
    // Another writer committed first: compute the change again from its version.
  }
  return Status::Conflict("too many concurrent changes to " + change.dataset + "; try again");
}

}  // namespace lakehouse::ingest
