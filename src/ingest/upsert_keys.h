// Checks an upsert's key: columns of the dataset, and in the upload never NULL and never twice.
//
// Private to src/ingest. An upsert replaces stored rows by key, so a key
// that is missing or repeated in the upload would replace the wrong rows or
// none; both are refused before anything is stored, naming where in the
// upload the problem is.
#pragma once

#include <duckdb.h>

#include <optional>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "common/status.h"
#include "ingest/csv_probe.h"
#include "ingest/ingestor.h"

namespace lakehouse::ingest {

// Every key column is a column of `schema` (the dataset's, or for a new one
// the upload's); else kInvalidArgument naming it and the columns there are.
Status CheckKeyColumns(const IngestRequest& request, const std::vector<catalog::Column>& schema);

// In the converted upload `parquet`: the first row with a NULL key, else the
// first key seen twice, is kUnprocessable naming its line (CSV, by `csv`),
// record (JSON) or row.
Status CheckUploadKeys(duckdb_connection connection, const std::string& parquet,
                       const IngestRequest& request, const std::optional<CsvPlan>& csv);

}  // namespace lakehouse::ingest
