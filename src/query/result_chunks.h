// Private to the query part: DuckDB result chunks written as JSON rows or CSV lines.
//
// The encoder reads each column's vector directly, without building values
// one at a time through the C API's slow accessors, and handles the common
// physical types itself. The engine rewrites a query so that every other
// column arrives as VARCHAR: nested types as JSON text from to_json()
// (emitted raw), the rest through CAST(... AS VARCHAR).
#pragma once

#include <duckdb.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "query/result_format.h"

namespace lakehouse::query {

// How the encoder reads one column's vector.
struct ColumnLayout {
  ColumnEncoding encoding = ColumnEncoding::kString;
  duckdb_type physical = DUCKDB_TYPE_VARCHAR;  // what the vector holds
  uint8_t decimal_scale = 0;
  ValueType value = ValueType::kOther;  // the user's type, before any cast
};

// Decides how a column of `type` is delivered; false when the engine must
// cast it (see above). `nested` tells the cast target: to_json or VARCHAR.
bool IsNativelyFormatted(duckdb_logical_type type);
bool IsNested(duckdb_type type);
// A display name for a logical type, e.g. BIGINT, DECIMAL(18,3), VARCHAR[].
std::string TypeName(duckdb_logical_type type);
// The coarse type of a column or parameter of `type`.
ValueType ValueTypeOf(duckdb_logical_type type);
// The layout of a column of `type` as the (possibly rewritten) query
// delivers it; `as_json` when it is the to_json() text of a nested value.
ColumnLayout LayoutOf(duckdb_logical_type type, bool as_json);

// A list's to_json() text as a PostgreSQL array literal: `[1,null,[2]]` to
// `{1,NULL,{2}}`, strings quoted where PostgreSQL would quote them, objects
// as quoted JSON text (result_text.cpp). Text that is not a JSON array is
// appended unchanged.
void AppendArrayFromJson(std::string_view json, std::string& out);

// DuckDB's text of an interval ("1 year 2 months 3 days 04:05:06") as
// PostgreSQL spells it ("1 year 2 mons 3 days 04:05:06"), which drivers
// parse (result_text.cpp).
void AppendIntervalText(std::string_view text, std::string& out);

// One CSV field, quoted when it must be (RFC 4180).
void AppendCsvField(std::string_view field, std::string& out);

class ChunkEncoder {
 public:
  explicit ChunkEncoder(std::vector<ColumnLayout> columns) : columns_(std::move(columns)) {}

  // Appends rows [0, rows) of `chunk` as JSON arrays, each preceded by a
  // comma unless it is the first row of the whole result.
  void AppendJson(duckdb_data_chunk chunk, size_t rows, bool& first_row, std::string& out) const;
  // Appends rows [0, rows) as CSV lines (RFC 4180; NULL is an empty field).
  void AppendCsv(duckdb_data_chunk chunk, size_t rows, std::string& out) const;
  // Appends rows [0, rows) as cells in PostgreSQL's text forms
  // (result_format.h's TextRows; result_text.cpp).
  void AppendText(duckdb_data_chunk chunk, size_t rows, TextRows& out) const;

 private:
  std::vector<ColumnLayout> columns_;
};

}  // namespace lakehouse::query
