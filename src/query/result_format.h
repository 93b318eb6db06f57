// Turns DuckDB result chunks into JSON rows or CSV lines, column by column,
// without building values one at a time through the C API's slow accessors.
//
// The formatter handles the common physical types itself. The engine rewrites
// a query so that every other column arrives as VARCHAR: nested types as JSON
// text from to_json() (emitted raw), the rest through CAST(... AS VARCHAR).
#pragma once

#include <duckdb.h>

#include <string>
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
  duckdb_type physical = DUCKDB_TYPE_VARCHAR;  // what the vector holds
  uint8_t decimal_scale = 0;
};

// Decides how a column of `type` is delivered; false when the engine must
// cast it (see above). `nested` tells the cast target: to_json or VARCHAR.
bool IsNativelyFormatted(duckdb_logical_type type);
bool IsNested(duckdb_type type);
// A display name for a logical type, e.g. BIGINT, DECIMAL(18,3), VARCHAR[].
std::string TypeName(duckdb_logical_type type);

class ChunkFormatter {
 public:
  explicit ChunkFormatter(std::vector<ResultColumn> columns) : columns_(std::move(columns)) {}

  const std::vector<ResultColumn>& columns() const { return columns_; }

  // Appends rows [0, rows) of `chunk` as JSON arrays, each preceded by a
  // comma unless it is the first row of the whole result.
  void AppendJson(duckdb_data_chunk chunk, size_t rows, bool& first_row, std::string& out) const;
  // Appends rows [0, rows) as CSV lines (RFC 4180; NULL is an empty field).
  void AppendCsv(duckdb_data_chunk chunk, size_t rows, std::string& out) const;
  void AppendCsvHeader(std::string& out) const;

 private:
  std::vector<ResultColumn> columns_;
};

// JSON string escaping, exposed for the result envelope.
void AppendJsonString(std::string_view text, std::string& out);

}  // namespace lakehouse::query
