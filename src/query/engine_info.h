// Facts about the embedded query engine, for `lakehouse version` and health.
#pragma once

#include <string>

namespace lakehouse::query {

// The version string of the linked DuckDB library, e.g. "v1.4.4".
std::string DuckDbVersion();

}  // namespace lakehouse::query
