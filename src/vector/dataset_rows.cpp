// Pages through the usable rows of a dataset version with queryd, in id order.
#include "vector/dataset_rows.h"

#include <algorithm>
#include <optional>

#include "common/sql_quote.h"
#include "query/duckdb_handles.h"

namespace lakehouse::vector {

using nlohmann::json;

std::string VersionRef(const std::string& dataset, uint64_t version) {
  return SqlIdentifier(dataset + "@" + std::to_string(version));
}

Result<query::SqlAnswer> DatasetRowReader::Run(const std::string& sql, size_t limit) {
  query::QueryRequest request;
  request.sql = sql;
  request.limit = limit;
  return reader_.Read(request);
}

std::string DatasetRowReader::Usable(uint64_t version) const {
  std::string id = SqlIdentifier(source_.id_column);
  std::string text = SqlIdentifier(source_.text_column);
  std::string sql = "SELECT CAST(" + id + " AS VARCHAR) AS " + std::string(kIdAlias) + ", CAST(" +
                    text + " AS VARCHAR) AS " + std::string(kTextAlias);
  for (const auto& column : source_.metadata_columns) sql += ", " + SqlIdentifier(column);
  return sql + " FROM " + VersionRef(source_.dataset, version) + " WHERE " + id +
         " IS NOT NULL AND " + text + " IS NOT NULL AND trim(CAST(" + text + " AS VARCHAR)) <> ''";
}

// Keyset paging (after the last id seen) rather than OFFSET, so each page
// costs the same however deep into the version it is.
Status DatasetRowReader::ForEachRow(const std::string& select, size_t total,
                                    const std::string& phase, const ProgressCallback& progress,
                                    const std::function<void(json&)>& visit) {
  std::optional<std::string> after;
  size_t done = 0;
  while (true) {
    std::string sql = "SELECT * FROM (" + select + ") AS rows_";
    if (after) sql += " WHERE " + std::string(kIdAlias) + " > " + SqlString(*after);
    sql += " ORDER BY " + std::string(kIdAlias) + " LIMIT " + std::to_string(kPageRows);
    LH_ASSIGN_OR_RETURN(auto page, Run(sql));
    for (auto& row : page.rows) {
      if (!row.is_array() || row.empty() || !row[0].is_string()) {
        return Status::Internal("queryd sent a row without its id");
      }
      after = row[0].get<std::string>();
      visit(row);
    }
    done += page.rows.size();
    if (progress) progress({phase, done, std::max(total, done)});
    if (page.rows.size() < kPageRows) return Status::Ok();
  }
}

DatasetRow DatasetRowReader::ToRow(json& values) const {
  DatasetRow row{values[0].get<std::string>(), values[1].get<std::string>(), json::object()};
  for (size_t i = 0; i < source_.metadata_columns.size() && i + 2 < values.size(); ++i) {
    row.metadata[source_.metadata_columns[i]] = std::move(values[i + 2]);
  }
  return row;
}

}  // namespace lakehouse::vector
