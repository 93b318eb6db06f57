// SQL literal and identifier quoting, apart from DuckDB so code that only builds SQL text need not
// include it.
#pragma once

#include <string>
#include <string_view>

namespace lakehouse {

// 'text' with each ' doubled. Every other byte, NUL included, is copied as
// is: callers that must refuse NUL (DuckDB ends C strings there) check first.
std::string SqlString(std::string_view text);

// "text" with each " doubled; bytes are copied as SqlString copies them.
std::string SqlIdentifier(std::string_view text);

}  // namespace lakehouse
