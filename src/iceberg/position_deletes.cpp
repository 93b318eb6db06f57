// Iceberg position delete files written through DuckDB's Parquet COPY.
#include "iceberg/position_deletes.h"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <limits>

#include "common/sql_quote.h"
#include "iceberg/duckdb_session.h"
#include "iceberg/table_model.h"
#include "query/duckdb_handles.h"

namespace lakehouse::iceberg {
namespace {

void DestroyAppender(duckdb_appender* appender) { duckdb_appender_destroy(appender); }
using Appender = query::Handle<duckdb_appender, DestroyAppender>;

// The positions ascending; kInvalidArgument for a repeat or one past the
// range of Iceberg's long.
Result<std::vector<uint64_t>> SortedPositions(const std::vector<uint64_t>& positions) {
  std::vector<uint64_t> sorted = positions;
  if (!std::is_sorted(sorted.begin(), sorted.end())) std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
    return Status::InvalidArgument("a position delete file lists each position once");
  }
  if (!sorted.empty() &&
      sorted.back() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return Status::InvalidArgument("position " + std::to_string(sorted.back()) +
                                   " is past the range of a Parquet long");
  }
  return sorted;
}

// Row by row through an appender: no SQL text grows with the positions.
Status AppendPositions(duckdb_connection connection, const std::vector<uint64_t>& positions) {
  Appender appender;
  if (duckdb_appender_create(connection, nullptr, "positions", appender.out()) != DuckDBSuccess) {
    return Status::Internal("cannot append to DuckDB's positions table");
  }
  for (uint64_t position : positions) {
    if (duckdb_append_int64(appender.get(), static_cast<int64_t>(position)) != DuckDBSuccess ||
        duckdb_appender_end_row(appender.get()) != DuckDBSuccess) {
      return Status::Internal(std::string("cannot append a position: ") +
                              duckdb_appender_error(appender.get()));
    }
  }
  if (duckdb_appender_close(appender.get()) != DuckDBSuccess) {
    return Status::Internal(std::string("cannot append the positions: ") +
                            duckdb_appender_error(appender.get()));
  }
  return Status::Ok();
}

std::string CopySql(std::string_view data_file_location, const std::string& out_path) {
  return "COPY (SELECT " + SqlString(data_file_location) +
         "::VARCHAR AS file_path, pos FROM positions ORDER BY pos) TO " + SqlString(out_path) +
         " (FORMAT parquet, COMPRESSION zstd, FIELD_IDS {file_path: " +
         std::to_string(kDeleteFilePathFieldId) + ", pos: " + std::to_string(kDeletePosFieldId) +
         "})";
}

}  // namespace

Result<int64_t> WritePositionDeleteFile(std::string_view data_file_location,
                                        const std::vector<uint64_t>& positions,
                                        const std::string& out_path) {
  if (data_file_location.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument("a data file location holds no NUL byte");
  }
  LH_ASSIGN_OR_RETURN(auto sorted, SortedPositions(positions));
  std::filesystem::path out(out_path);
  std::string dir = out.parent_path().empty() ? "." : out.parent_path().string();
  LH_ASSIGN_OR_RETURN(DuckSession session,
                      DuckSession::Open({.files = {out_path}, .directories = {dir + "/"}}));
  LH_RETURN_IF_ERROR(
      query::Exec(session.connection(), "CREATE TEMP TABLE positions (pos BIGINT NOT NULL)"));
  LH_RETURN_IF_ERROR(AppendPositions(session.connection(), sorted));
  query::QueryResult result;
  std::string sql = CopySql(data_file_location, out_path);
  if (duckdb_query(session.connection(), sql.c_str(), result.out()) != DuckDBSuccess) {
    return Status::IoError("cannot write the position delete file " + out_path + ": " +
                           duckdb_result_error(result.get()));
  }
  std::error_code ec;
  auto size = std::filesystem::file_size(out_path, ec);
  if (ec) return Status::FromErrno(ec.value(), "stat " + out_path);
  return static_cast<int64_t>(size);
}

}  // namespace lakehouse::iceberg
