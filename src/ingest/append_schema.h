// Decides whether an appended upload's columns fit the dataset's schema, and how to read them.
//
// Private to src/ingest. The rules are ingestor.h's: a plain append matches
// columns by position and name and casts only where that is safe; under
// schema evolution columns match by name, new ones are added at the end and
// a narrower stored type may widen. Nothing here reads the upload: the
// answer is a SELECT list for the conversion to apply.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "common/status.h"
#include "ingest/ingestor.h"

namespace lakehouse::ingest {

// How an upload becomes rows of the dataset's next version.
struct AppendPlan {
  std::string projection = "*";         // the SELECT list over the upload
  std::vector<catalog::Column> schema;  // the version's
  // A CSV is read again with `schema`'s types, so that a value that does
  // not fit is an error naming its line rather than a failed cast.
  bool read_with_types = false;
  // Set when evolution changed the schema: the version it evolved from.
  std::optional<catalog::Manifest> evolved_from;
};

// The plan for appending an upload whose columns DuckDB read as `upload` to
// the dataset whose current version is `current`. A column that does not
// fit is kUnprocessable naming it; another number of columns names the
// columns that differ and, for a CSV, `first_line` (its first record's).
Result<AppendPlan> PlanAppend(const IngestRequest& request, const catalog::Manifest& current,
                              const std::vector<catalog::Column>& upload,
                              std::optional<uint64_t> first_line);

}  // namespace lakehouse::ingest
