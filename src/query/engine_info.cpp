// DuckDbVersion and SqlVersionString: the versions the engine reports.
#include "query/engine_info.h"

#include <duckdb.h>

#include "common/version.h"

namespace lakehouse::query {

std::string DuckDbVersion() { return duckdb_library_version(); }

std::string SqlVersionString() {
  return "PostgreSQL 15.0 (Lakehouse " + std::string(kVersion) + ", DuckDB " + DuckDbVersion() +
         ")";
}

}  // namespace lakehouse::query
