// The CSV options of an ingest request in the form DuckDB's read_csv and sniff_csv take them.
//
// Private to src/ingest; ingestor.h declares the validation callers see.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace lakehouse::ingest {

struct IngestRequest;

// Bounds of the options' values.
inline constexpr size_t kMaxCsvOptionBytes = 64;
inline constexpr uint64_t kMaxSkipLines = 1000000;

// ", nullstr = '…', dateformat = '…'": the options DuckDB applies itself, for
// a request ValidateCsvOptions accepted. Delimiter and header are the plan's.
std::string CsvOptionSql(const IngestRequest& request);

}  // namespace lakehouse::ingest
