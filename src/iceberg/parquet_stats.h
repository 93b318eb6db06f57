// iceberg::ReadParquetStats — a data file's Iceberg column statistics
// (counts, sizes, lower and upper bounds) from its Parquet footer alone,
// through DuckDB; and LocalParquetFile, a local copy of a stored object for it.
//
// Threads: every function may be called from any number of threads at once;
// each call opens its own in-memory DuckDB (duckdb_session.h), fenced to the
// one file it reads. Nothing here downloads or loads DuckDB extensions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "iceberg/table_model.h"
#include "storage/object_store.h"

namespace lakehouse::iceberg {

struct ParquetFileStats {
  int64_t record_count = 0;
  std::vector<ColumnStats> columns;  // ascending field id, only columns present in the file
};

// Bounds of strings and binaries are truncated to this many bytes (upper
// bounds then rounded up), as Iceberg's default metrics mode truncate(16).
inline constexpr size_t kBoundTruncateBytes = 16;

// Reads only the footer of the Parquet file at `path` (DuckDB's
// parquet_metadata and parquet_file_metadata, and the column types
// read_parquet binds; no data page is read) and answers, for each of
// `fields` whose name is a top-level primitive column of the file:
//  - column_size: the sum of the column chunks' total_compressed_size;
//  - value_count: the sum of their num_values (nulls included);
//  - null_value_count: the sum of their null counts, absent when a row group
//    does not record one;
//  - nan_value_count: always absent (a footer does not record NaNs);
//  - lower/upper bound: the least row-group minimum and the greatest
//    row-group maximum (Parquet's min_value/max_value), in Iceberg's
//    single-value binary serialization of the field's type. A bound is
//    absent when a row group with non-null values has no statistic for it,
//    when it is a float or double NaN, or when the file's column type is not
//    the field's type or one Iceberg promotes to it (int to long, float to
//    double, a decimal to a wider one of the same scale).
// Strings and binaries longer than kBoundTruncateBytes are truncated: the
// lower bound at a UTF-8 boundary (binary: at that byte), the upper bound
// likewise and then its last code point (byte) incremented, so it is still
// above every value; it is absent when no code point (byte) can be.
//
// Errors: kIoError naming `key`, never `path`, when DuckDB cannot read the
// footer (a missing file, not Parquet, truncated); kInternal when DuckDB
// cannot be opened.
Result<ParquetFileStats> ReadParquetStats(const std::string& path, std::string_view key,
                                          const std::vector<Field>& fields);

// A local file holding one stored Parquet object: the store's own file when
// it keeps one, else a download the handle deletes when it dies.
// Move-only; a moved-from handle owns nothing.
class LocalParquetFile {
 public:
  LocalParquetFile(LocalParquetFile&& other) noexcept;
  LocalParquetFile& operator=(LocalParquetFile&& other) noexcept;
  LocalParquetFile(const LocalParquetFile&) = delete;
  LocalParquetFile& operator=(const LocalParquetFile&) = delete;
  ~LocalParquetFile();

  const std::string& path() const { return path_; }
  bool temporary() const { return temporary_; }  // a download, deleted with the handle

 private:
  friend Result<LocalParquetFile> OpenLocalParquet(storage::ObjectStore& store,
                                                   std::string_view key,
                                                   const std::string& scratch_dir);
  LocalParquetFile(std::string path, bool temporary)
      : path_(std::move(path)), temporary_(temporary) {}
  void Remove();

  std::string path_;
  bool temporary_ = false;
};

// The object `key` of `store` as a local file for ReadParquetStats: the
// path store.LocalPathOf(key) names when it names one (nothing copied; the
// object must not be deleted while the handle is used), else the object
// downloaded into a new temp file in `scratch_dir` (created if missing).
// Errors: the store's (kNotFound for a missing object) and kIoError or
// kNoSpace for the scratch file; a failed download leaves no file behind.
// The store must outlive the call only.
Result<LocalParquetFile> OpenLocalParquet(storage::ObjectStore& store, std::string_view key,
                                          const std::string& scratch_dir);

}  // namespace lakehouse::iceberg
