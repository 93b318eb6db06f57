// How a dataset's DuckDB column types become Iceberg types, and schemas
// become the JSON of table metadata and the name mapping engines read
// Parquet files without field ids by.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "common/status.h"
#include "iceberg/table_model.h"

namespace lakehouse::iceberg {

// The Iceberg primitive type a column of DuckDB type `duckdb_type` reads as
// from the Parquet file DuckDB wrote for it; kInvalidArgument naming the
// type when Iceberg v2 has none that reads those bytes back unchanged
// (nested types, intervals, nanosecond timestamps, unsigned 64-bit).
Result<std::string> IcebergTypeOf(std::string_view duckdb_type);

// {"type": "struct", "schema-id", "fields": [{"id", "name", "required", "type"}]}.
nlohmann::json SchemaToJson(const Schema& schema);

}  // namespace lakehouse::iceberg
