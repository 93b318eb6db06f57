// iceberg::… — an Iceberg format-version 2 table as Lakehouse publishes it:
// plain values that the metadata builder fills, the Avro encoder writes and
// the REST catalog serves. No I/O here.
//
// Lakehouse versions map one to one onto snapshots: snapshot id and
// sequence number are the version's number. Ids and names follow the
// Iceberg table spec (https://iceberg.apache.org/spec/), format version 2.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lakehouse::iceberg {

// One column of a table schema. `type` is an Iceberg primitive type name as
// it appears in table metadata JSON: "boolean", "int", "long", "float",
// "double", "decimal(P,S)", "date", "time", "timestamp", "timestamptz",
// "string", "uuid", "binary".
struct Field {
  int32_t id = 0;
  std::string name;
  std::string type;
  bool required = false;
  bool operator==(const Field&) const = default;
};

struct Schema {
  int32_t schema_id = 0;
  std::vector<Field> fields;
  bool operator==(const Schema&) const = default;
};

// Statistics of one column of one data file. Bounds are Iceberg's
// single-value binary serialization of the column's type (spec, appendix D):
// little-endian ints and IEEE floats, days and microseconds for dates and
// timestamps, UTF-8 for strings, big-endian two's complement for decimals.
struct ColumnStats {
  int32_t field_id = 0;
  std::optional<int64_t> column_size;  // bytes of the column's chunks, compressed
  std::optional<int64_t> value_count;  // values, nulls included
  std::optional<int64_t> null_value_count;
  std::optional<int64_t> nan_value_count;
  std::optional<std::string> lower_bound;
  std::optional<std::string> upper_bound;
  bool operator==(const ColumnStats&) const = default;
};

enum class FileContent : int32_t { kData = 0, kPositionDeletes = 1 };

// A data file or a position delete file, as a manifest lists it (the
// spec's `data_file` struct, field 2).
struct ContentFile {
  FileContent content = FileContent::kData;
  std::string file_path;  // a full location, e.g. s3://bucket/data/x.parquet
  int64_t record_count = 0;
  int64_t file_size_in_bytes = 0;
  std::vector<ColumnStats> stats;  // ascending field id; empty for delete files
  bool operator==(const ContentFile&) const = default;
};

enum class EntryStatus : int32_t { kExisting = 0, kAdded = 1, kDeleted = 2 };

// One row of a manifest (the spec's `manifest_entry`).
struct ManifestEntry {
  EntryStatus status = EntryStatus::kAdded;
  int64_t snapshot_id = 0;           // the snapshot that added the file
  int64_t sequence_number = 0;       // its data sequence number
  int64_t file_sequence_number = 0;  // the sequence number of the snapshot that added it
  ContentFile file;
  bool operator==(const ManifestEntry&) const = default;
};

// What a manifest's Avro header records besides its own schema.
struct ManifestHeader {
  std::string table_schema_json;  // the table schema it was written with, as JSON
  int32_t schema_id = 0;
  FileContent content = FileContent::kData;  // "data" or "deletes"
};

// One row of a manifest list (the spec's `manifest_file`).
struct ManifestListEntry {
  std::string manifest_path;
  int64_t manifest_length = 0;
  int32_t partition_spec_id = 0;
  FileContent content = FileContent::kData;
  int64_t sequence_number = 0;
  int64_t min_sequence_number = 0;
  int64_t added_snapshot_id = 0;
  int32_t added_files_count = 0;
  int32_t existing_files_count = 0;
  int32_t deleted_files_count = 0;
  int64_t added_rows_count = 0;
  int64_t existing_rows_count = 0;
  int64_t deleted_rows_count = 0;
  bool operator==(const ManifestListEntry&) const = default;
};

// What a manifest list's Avro header records.
struct ManifestListHeader {
  int64_t snapshot_id = 0;
  std::optional<int64_t> parent_snapshot_id;
  int64_t sequence_number = 0;
};

// Iceberg's reserved field ids of a position delete file's columns.
inline constexpr int32_t kDeleteFilePathFieldId = 2147483546;
inline constexpr int32_t kDeletePosFieldId = 2147483545;

}  // namespace lakehouse::iceberg
