// query::BindTextParams — a request's `$n` parameters bound to a DuckDB prepared statement.
#pragma once

#include <duckdb.h>

#include "common/status.h"
#include "query/query_engine.h"

namespace lakehouse::query {

// Binds request.params in order: text as VARCHAR (DuckDB casts it to the
// parameter's type when the statement runs, as PostgreSQL does with untyped
// literals), nullopt as NULL. kInvalidArgument when their count differs from
// the statement's or one cannot be bound.
Status BindTextParams(duckdb_prepared_statement prepared, const QueryRequest& request);

}  // namespace lakehouse::query
