#pragma once
#include <string>
#include <vector>
#include "common/status.h"
#include "iceberg/table_model.h"
#include "storage/object_store.h"
namespace lakehouse::iceberg {
struct ParquetFileStats { int64_t record_count = 0; std::vector<ColumnStats> columns; };
Result<ParquetFileStats> ReadParquetStats(const std::string& path, std::string_view key, const std::vector<Field>& fields);
class LocalParquetFile { public: const std::string& path() const; };
Result<LocalParquetFile> OpenLocalParquet(storage::ObjectStore& store, std::string_view key, const std::string& scratch_dir);
}
