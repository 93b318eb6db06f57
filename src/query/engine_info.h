// Facts about the embedded query engine, for `lakehouse version`, health and SQL's version().
#pragma once

#include <string>

namespace lakehouse::query {

// The version string of the linked DuckDB library, e.g. "v1.4.4".
std::string DuckDbVersion();

// What SQL's version() answers: "PostgreSQL 15.0 (Lakehouse <version>,
// DuckDB <version>)", so drivers that parse "PostgreSQL X.Y" from it (as
// SQLAlchemy's dialect does) accept the server. current_database() is
// kSqlDatabaseName and current_schema() "public" beside it.
std::string SqlVersionString();
inline constexpr const char* kSqlDatabaseName = "lakehouse";

}  // namespace lakehouse::query
