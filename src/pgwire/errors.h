// Private to pgwire: Status values as PostgreSQL SQLSTATE codes.
#pragma once

#include <string_view>

#include "common/status.h"

namespace lakehouse::pgwire {

// The SQLSTATE a client sees for `status`: from its code, refined by
// DuckDB's error class where the code alone is too coarse (a syntax error
// 42601, an unknown column 42703, a value that does not cast 22P02).
std::string_view SqlStateOf(const Status& status);

}  // namespace lakehouse::pgwire
