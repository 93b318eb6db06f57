// iceberg::WritePositionDeleteFile — an Iceberg v2 position delete file
// (the rows of one data file that a snapshot removes), written by DuckDB.
//
// Threads: may be called from any number of threads at once; each call opens
// its own in-memory DuckDB (duckdb_session.h), fenced to the output file's
// directory. Nothing here downloads or loads DuckDB extensions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace lakehouse::iceberg {

// Writes `out_path` (replacing any file there): a zstd-compressed Parquet
// file with the columns file_path (string, field id kDeleteFilePathFieldId)
// and pos (long, field id kDeletePosFieldId), one row per position in
// ascending order, file_path = `data_file_location` on every row. Its record
// count is positions.size(); zero positions make a valid file of no rows.
//
// The spec calls both columns required, but DuckDB 1.4's Parquet writer
// marks every top-level column OPTIONAL (repetition), whatever the query's
// NOT NULL constraints, and has no option to do otherwise. No row holds a
// null; readers that pick their column reader from the Iceberg schema and
// insist the file's repetition match it may still refuse the file.
//
// Returns the file's size in bytes. Errors: kInvalidArgument when a position
// repeats or exceeds INT64_MAX (positions may come in any order);
// kIoError naming `out_path` when DuckDB cannot write it; kInternal when
// DuckDB cannot be opened.
Result<int64_t> WritePositionDeleteFile(std::string_view data_file_location,
                                        const std::vector<uint64_t>& positions,
                                        const std::string& out_path);

}  // namespace lakehouse::iceberg
