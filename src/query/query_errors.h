// Private to the query part: DuckDB's failures mapped to the Status codes clients see.
#pragma once

#include <duckdb.h>

#include <string>
#include <string_view>

#include "common/status.h"

namespace lakehouse::query {

// The refusal of a query over the memory bound: the work needs more memory
// than the server allows, which no smaller request body would change.
Status MemoryExhausted(const std::string& limit, const std::string& message);

// The failure of a query that was running, from DuckDB's error type.
Status ErrorFromResult(duckdb_error_type type, const std::string& message,
                       const std::string& memory_limit);

// The failure of a prepare, from DuckDB's message alone.
Status ErrorFromPrepare(const std::string& message, const std::string& memory_limit);

// What a refused statement is called in the refusal, e.g. "INSERT".
std::string_view StatementTypeName(duckdb_statement_type type);

}  // namespace lakehouse::query
