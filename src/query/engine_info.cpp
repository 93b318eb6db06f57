// DuckDbVersion: the version string of the linked DuckDB library.
#include "query/engine_info.h"

#include <duckdb.h>

namespace lakehouse::query {

std::string DuckDbVersion() { return duckdb_library_version(); }

}  // namespace lakehouse::query
