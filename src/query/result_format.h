// A query result's columns as its callers see them, and the text forms all outputs share.
//
// The rows themselves are written from DuckDB's chunks by ChunkEncoder
// (result_chunks.h, private to the query part), so this header, and with it
// query_engine.h, needs no DuckDB.
#pragma once

#include <cstdint>
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

// The SQL type of a column or parameter, coarse enough to need no DuckDB:
// what a client protocol needs to name the type to its own clients.
enum class ValueType {
  kUnknown,  // a parameter DuckDB cannot type until it is bound
  kBoolean,
  kTinyInt,
  kSmallInt,
  kInteger,
  kBigInt,
  kUTinyInt,
  kUSmallInt,
  kUInteger,
  kUBigInt,
  kHugeInt,  // HUGEINT, UHUGEINT
  kDecimal,
  kFloat,
  kDouble,
  kVarchar,
  kJson,
  kBlob,
  kDate,
  kTime,
  kTimeTz,
  kTimestamp,  // of any precision (seconds to nanoseconds)
  kTimestampTz,
  kInterval,
  kUuid,
  kEnum,
  kList,  // LIST and ARRAY
  kStruct,
  kMap,
  kOther,  // UNION, BIT, NULL and whatever DuckDB adds
};

struct ResultColumn {
  std::string name;
  std::string type;  // the SQL type the user's query produced
  ColumnEncoding encoding = ColumnEncoding::kString;
  ValueType value_type = ValueType::kOther;
};

// Rows of a result as one text per cell, in PostgreSQL's text forms:
// booleans t/f, timestamps `YYYY-MM-DD HH:MM:SS[.ffffff]` (with `+00` when
// zoned), floats' NaN/Infinity spelt as PostgreSQL does, lists as array
// literals `{a,b,NULL}`, structs and maps as JSON text, the rest as
// DuckDB's own text of the value. NULL is a cell apart from any text.
struct TextRows {
  size_t columns = 0;
  std::string text;            // every cell's text, back to back
  std::vector<uint32_t> ends;  // where each cell's text ends in `text`, row by row
  std::vector<bool> nulls;     // one per cell

  size_t rows() const { return columns == 0 ? 0 : ends.size() / columns; }
  bool null(size_t row, size_t column) const { return nulls[row * columns + column]; }
  std::string_view cell(size_t row, size_t column) const {
    size_t i = row * columns + column;
    uint32_t begin = i == 0 ? 0 : ends[i - 1];
    return std::string_view(text).substr(begin, ends[i] - begin);
  }
  void clear() {
    text.clear();
    ends.clear();
    nulls.clear();
  }
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
