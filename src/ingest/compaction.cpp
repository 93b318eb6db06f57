// CompactDataset: pick the files worth rewriting, rewrite them in the
// dataset's schema, commit them in place of the old ones.
#include "ingest/compaction.h"

#include <algorithm>
#include <filesystem>

#include "common/logging.h"
#include "common/sql_quote.h"
#include "ingest/random_id.h"
#include "query/duckdb_handles.h"

namespace lakehouse::ingest {
namespace {

constexpr int kMaxAttempts = 3;

// Files with deletes, and small files when there are at least two of them
// (one small file alone gains nothing from being rewritten). A minor
// compaction: the files under file_bytes / kSmallFileDivisor, once there are
// `min_small_files` of them.
std::vector<size_t> FilesToRewrite(const catalog::Manifest& manifest,
                                   const CompactionRequest& request) {
  std::vector<size_t> rewrite;
  if (request.min_small_files > 0) {
    for (size_t i = 0; i < manifest.files.size(); ++i) {
      if (manifest.files[i].bytes < request.file_bytes / kSmallFileDivisor) rewrite.push_back(i);
    }
    if (rewrite.size() < request.min_small_files) rewrite.clear();
    return rewrite;
  }
  bool any_deletes = false;
  for (size_t i = 0; i < manifest.files.size(); ++i) {
    const auto& file = manifest.files[i];
    if (!file.deletes.empty() || file.bytes < request.file_bytes / 2) rewrite.push_back(i);
    any_deletes = any_deletes || !file.deletes.empty();
  }
  if (!any_deletes && rewrite.size() < 2) rewrite.clear();
  return rewrite;
}

struct Written {
  std::vector<catalog::DataFile> files;
  uint64_t rows = 0;
};

// Writes the live rows of `part` into files of about `file_bytes` under
// `dir`, cast to the dataset's schema, and stores them under fresh keys
// (listed in `stored` as they are).
Result<Written> Rewrite(const RowChangeContext& context, const catalog::Manifest& part,
                        const CompactionRequest& request, const std::string& dir,
                        std::vector<std::string>* stored) {
  LH_ASSIGN_OR_RETURN(PinnedScan scan, PinScan(context, part));
  std::string columns;
  for (const auto& column : part.schema) {
    columns += (columns.empty() ? "" : ", ") + std::string("CAST(") + SqlIdentifier(column.name) +
               " AS " + column.type + ") AS " + SqlIdentifier(column.name);
  }
  const std::string sql = "COPY (SELECT " + columns + " FROM " + scan.from + " WHERE " + scan.live +
                          ") TO " + SqlString(dir) +
                          " (FORMAT parquet, COMPRESSION zstd, FILE_SIZE_BYTES " +
                          std::to_string(request.file_bytes) + ")";
  query::QueryResult result;
  if (duckdb_query(context.connection, sql.c_str(), result.out()) != DuckDBSuccess) {
    if (duckdb_result_error_type(result.get()) == DUCKDB_ERROR_OUT_OF_MEMORY) {
      return Status::ResourceExhausted("compaction of " + request.dataset + " ran out of memory");
    }
    return Status::Internal("compaction of " + request.dataset +
                            " failed: " + duckdb_result_error(result.get()));
  }
  Written written;
  written.rows = duckdb_rows_changed(result.get());
  std::vector<std::filesystem::path> outputs;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    outputs.push_back(entry.path());
  std::sort(outputs.begin(), outputs.end());
  for (const auto& path : outputs) {
    query::QueryResult counted;
    const std::string count = "SELECT count(*) FROM read_parquet(" + SqlString(path.string()) + ")";
    if (duckdb_query(context.connection, count.c_str(), counted.out()) != DuckDBSuccess) {
      return Status::Internal("cannot count the rows of a compacted file");
    }
    catalog::DataFile file{catalog::DataFilePrefix(request.dataset) + RandomId() + ".parquet",
                           static_cast<uint64_t>(duckdb_value_int64(counted.get(), 0, 0)),
                           0,
                           {}};
    LH_ASSIGN_OR_RETURN(
        auto object, context.store.PutFile(file.key, path.string(), storage::PutMode::kIfAbsent));
    stored->push_back(file.key);
    file.bytes = object.size;
    written.files.push_back(std::move(file));
  }
  return written;
}

}  // namespace

Result<CompactResult> CompactDataset(const RowChangeContext& context,
                                     const CompactionRequest& request) {
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    LH_ASSIGN_OR_RETURN(catalog::Manifest head, context.catalog.GetCurrent(request.dataset));
    CompactResult result;
    result.version = head.version;
    std::vector<size_t> rewrite = FilesToRewrite(head, request);
    if (rewrite.empty()) return result;
    catalog::Manifest part = head;
    part.files.clear();
    uint64_t live_rows = 0;
    for (size_t i : rewrite) {
      part.files.push_back(head.files[i]);
      live_rows += head.files[i].live_rows();
    }
    const std::string dir = request.work_dir + "/compacted-" + std::to_string(attempt);
    std::vector<std::string> stored;
    auto written = Rewrite(context, part, request, dir, &stored);
    if (written.ok() && written->rows != live_rows) {
      written = Status::Internal("compaction of " + request.dataset + " wrote " +
                                 std::to_string(written->rows) + " rows of " +
                                 std::to_string(live_rows) + "; nothing was committed");
    }
    if (!written.ok()) {
      RemoveObjects(context.store, stored);
      return written.status();
    }
    catalog::CommitRequest commit;
    commit.dataset = request.dataset;
    commit.mode = catalog::WriteMode::kReplace;
    commit.schema = head.schema;
    for (size_t i = 0, next = 0; i < head.files.size(); ++i) {
      if (next < rewrite.size() && rewrite[next] == i) {
        ++next;
      } else {
        commit.files.push_back(head.files[i]);
      }
    }
    // Only files that were not rewritten can still differ from the schema.
    commit.mixed_schema = head.mixed_schema && !commit.files.empty();
    commit.files.insert(commit.files.end(), written->files.begin(), written->files.end());
    commit.expected_version = head.version;
    commit.operation = catalog::Operation::kCompact;
    auto committed = context.catalog.Commit(commit);
    if (committed.ok()) {
      result.version = committed->version;
      result.files_rewritten = rewrite.size();
      result.files_written = written->files.size();
      result.manifest = std::move(*committed);
      spdlog::info("compact {}: version {} ({} files rewritten into {})", request.dataset,
                   result.version, result.files_rewritten, result.files_written);
      return result;
    }
    RemoveObjects(context.store, stored);
    if (committed.status().code() != StatusCode::kConflict) return committed.status();
  }
  return Status::Conflict("the dataset " + request.dataset +
                          " changed during each of its compactions; try again");
}

}  // namespace lakehouse::ingest
