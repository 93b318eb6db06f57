// Probes a CSV upload: the dialect DuckDB's sniffer settles on, checked against the file's records.
//
// Private to src/ingest. DuckDB's sniffer alone may find agreement the file
// lacks (one column, no quoting), so every reading a person might intend is
// counted with csv_records.h before DuckDB converts anything; the reader SQL
// then uses exactly the dialect the records were counted with.
#pragma once

#include <duckdb.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "common/status.h"
#include "ingest/csv_records.h"
#include "ingest/ingestor.h"

namespace lakehouse::ingest {

// The dialect DuckDB's sniffer settled on, and what it implies.
struct CsvPlan {
  CsvDialect dialect;
  bool header = true;
  size_t fields = 0;        // of the first record
  uint64_t first_line = 1;  // the file's line the first record starts on
  uint64_t data_rows = 0;   // records less the header
};

// Retells a failed DuckDB statement over the upload; the ingestor's, since
// it alone knows its scratch disk and memory limit.
using DuckDbFailureFn = std::function<Status(duckdb_result* result)>;

// Asks DuckDB's sniffer for the dialect of the CSV file at `path` (the
// request's delimiter and header win), then checks every record against the
// first. A ragged record is kInvalidArgument naming its line.
Result<CsvPlan> PlanCsv(duckdb_connection connection, const std::string& path,
                        const IngestRequest& request, const DuckDbFailureFn& failed);

// read_csv(...) over `path` in the planned dialect and with the request's
// other CSV options; with `types`, every value must prove it fits its
// column's type.
std::string CsvReaderSql(const std::string& path, const CsvPlan& plan, const IngestRequest& request,
                         const std::vector<catalog::Column>* types);

}  // namespace lakehouse::ingest
