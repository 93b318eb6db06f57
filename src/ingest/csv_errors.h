// Retells DuckDB's errors over a CSV upload as one line: what is wrong, where, and which option
// helps.
//
// Private to src/ingest. DuckDB's CSV errors run to twenty lines: the
// reader's settings, and solutions (ignore_errors, encoding='UTF-16') that
// name options of DuckDB's rather than of this API. The retelling keeps the
// line (counting lines the request skipped), the column and the value, and
// names the API's option that would help.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ingest/ingestor.h"

namespace lakehouse::ingest {

// The message for DuckDB's `error` over the spooled CSV at `path` (UTF-8
// unless it holds an invalid byte, which is then found and named), without
// the "cannot read ... as CSV: " that callers put in front.
std::string RetellCsvError(std::string_view error, const std::string& path,
                           const IngestRequest& request);

// Where the first byte that is not UTF-8 is in the file at `path`, if any.
struct InvalidUtf8 {
  uint64_t line = 1;
  uint64_t column = 1;  // the byte's place on its line, from 1
  unsigned char byte = 0;
};
std::optional<InvalidUtf8> FindInvalidUtf8(const std::string& path);

}  // namespace lakehouse::ingest
