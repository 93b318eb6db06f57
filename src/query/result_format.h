// A query result's columns as its callers see them, and the text forms all outputs share.
//
// The rows themselves are written from DuckDB's chunks by ChunkEncoder
// (result_chunks.h, private to the query part), so this header, and with it
// query_engine.h, needs no DuckDB.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lakehouse::query {

enum class ColumnEncoding {
  kBoolean,
  kSigned,    // TINYINT..BIGINT
  kUnsigned,  // UTINYINT..UBIGINT
  kFloat,
  kDouble,
  kString,
  kRawJson,  // VARCHAR holding JSON text produced by to_json()
  kDate,
  kTimestamp,  // microseconds
  kDecimal,    // int16/int32/int64 internal storage
};

struct ResultColumn {
  std::string name;
  std::string type;  // the SQL type the user's query produced
  ColumnEncoding encoding = ColumnEncoding::kString;
};

class ChunkFormatter {
 public:
  explicit ChunkFormatter(std::vector<ResultColumn> columns) : columns_(std::move(columns)) {}

  const std::vector<ResultColumn>& columns() const { return columns_; }

  // The CSV header line: the column names (RFC 4180).
  void AppendCsvHeader(std::string& out) const;

 private:
  std::vector<ResultColumn> columns_;
};

// JSON string escaping, exposed for the result envelope.
void AppendJsonString(std::string_view text, std::string& out);

}  // namespace lakehouse::query
