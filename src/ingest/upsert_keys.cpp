// Checks an upsert's key columns against the dataset, and its key values in the converted upload.
#include "ingest/upsert_keys.h"

#include <algorithm>

#include "common/sql_quote.h"
#include "ingest/failures.h"
#include "query/duckdb_handles.h"

namespace lakehouse::ingest {
namespace {

// Where row `row` (0-based, in file order) of an upload is, in the words
// its format has for it.
std::string RowPlace(const IngestRequest& request, const std::optional<CsvPlan>& csv,
                     uint64_t row) {
  if (csv) return "line " + std::to_string(csv->first_line + row + (csv->header ? 1 : 0));
  if (request.format == Format::kJson) return "record " + std::to_string(row + 1);
  return "row " + std::to_string(row + 1);
}

// `id=7` or `(region=TX, id=7)`, as SQL over the upload's columns.
std::string KeyTextSql(const std::vector<std::string>& key) {
  std::string parts;
  for (const auto& column : key) {
    parts += (parts.empty() ? "" : " || ', ' || ") + SqlString(column + "=") +
             " || coalesce(CAST(" + SqlIdentifier(column) + " AS VARCHAR), 'NULL')";
  }
  return key.size() == 1 ? parts : "'(' || " + parts + " || ')'";
}

}  // namespace

Status CheckKeyColumns(const IngestRequest& request, const std::vector<catalog::Column>& schema) {
  std::string columns;
  for (const auto& column : schema) columns += (columns.empty() ? "" : ", ") + column.name;
  for (const auto& key : request.key) {
    bool found = std::any_of(schema.begin(), schema.end(),
                             [&](const catalog::Column& column) { return column.name == key; });
    if (!found) {
      return Status::InvalidArgument("key column \"" + key + "\" is not a column of " +
                                     request.dataset + " (its columns: " + columns + ")");
    }
  }
  return Status::Ok();
}

Status CheckUploadKeys(duckdb_connection connection, const std::string& parquet,
                       const IngestRequest& request, const std::optional<CsvPlan>& csv) {
  std::string any_null, partition;
  for (const auto& column : request.key) {
    any_null += (any_null.empty() ? "" : " OR ") + SqlIdentifier(column) + " IS NULL";
    partition += (partition.empty() ? "" : ", ") + SqlIdentifier(column);
  }
  const std::string upload = "read_parquet(" + SqlString(parquet) + ")";
  // The first row with a NULL key, and the first that repeats an earlier
  // row's key (with that earlier row), in one pass each.
  const std::string sql =
      "(SELECT 0 AS kind, " + KeyTextSql(request.key) +
      " AS key_text, file_row_number AS row_at, NULL::BIGINT AS earlier_row FROM " + upload +
      " WHERE " + any_null +
      " ORDER BY file_row_number LIMIT 1) UNION ALL (SELECT 1, key_text, row_at, earlier_row "
      "FROM (SELECT " +
      KeyTextSql(request.key) +
      " AS key_text, file_row_number AS row_at, lag(file_row_number) OVER (PARTITION BY " +
      partition + " ORDER BY file_row_number) AS earlier_row FROM " + upload + " WHERE NOT (" +
      any_null + ")) WHERE earlier_row IS NOT NULL ORDER BY row_at LIMIT 1) ORDER BY kind";
  query::QueryResult result;
  if (duckdb_query(connection, sql.c_str(), result.out()) != DuckDBSuccess) {
    return Status::Internal(std::string("cannot check the upload's keys: ") +
                            duckdb_result_error(result.get()));
  }
  if (duckdb_row_count(result.get()) == 0) return Status::Ok();
  char* key = duckdb_value_varchar(result.get(), 1, 0);
  std::string key_text = key ? key : "";
  duckdb_free(key);
  const uint64_t at = static_cast<uint64_t>(duckdb_value_int64(result.get(), 2, 0));
  if (duckdb_value_int64(result.get(), 0, 0) == 0) {
    return Status::Unprocessable("the key of " + UploadName(request) + " is NULL at " +
                                 RowPlace(request, csv, at) + " (" + key_text +
                                 "): an upsert needs a key on every row; nothing was stored");
  }
  const uint64_t earlier = static_cast<uint64_t>(duckdb_value_int64(result.get(), 3, 0));
  return Status::Unprocessable("key " + key_text + " appears twice in " + UploadName(request) +
                               ", at " + RowPlace(request, csv, earlier) + " and " +
                               RowPlace(request, csv, at) +
                               ": an upsert takes each key once; nothing was stored");
}

}  // namespace lakehouse::ingest
