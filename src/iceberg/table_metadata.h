// The Iceberg table a dataset's versions make, as pure functions: field ids
// and schemas, which file each snapshot reads and since when, and the table
// metadata JSON. No I/O: the publisher (table_publisher.h) feeds these the
// stored versions and writes what they answer.
//
// The mapping, in full (docs/design.md, "Iceberg tables"):
//  - each Lakehouse version N is snapshot N, with sequence number N; its
//    parent is the version it was committed on, when that is still kept;
//  - a column keeps one field id for the life of the dataset: ids are given
//    in order of first appearance, oldest version first, and never taken
//    back (LayOut's known_ids);
//  - a data file keeps the snapshot and sequence number of the version that
//    first listed it in an unbroken line of parents; so does each deletion
//    vector, which Iceberg reads as a position delete file;
//  - a dataset's deletion (a tombstone version) is a snapshot that reads
//    no file.
// Threads: pure functions, any thread.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "common/status.h"
#include "iceberg/table_model.h"

namespace lakehouse::iceberg {

// The snapshot and sequence number a file has carried since it was added.
struct FileOrigin {
  int64_t snapshot_id = 0;
  int64_t sequence_number = 0;
};

// What one version reads, with each file's origin.
struct SnapshotFiles {
  const catalog::Manifest* version = nullptr;
  std::optional<int64_t> parent;  // the parent snapshot, when kept
  int32_t schema_id = 0;
  std::map<std::string, FileOrigin> data;     // by data file key
  std::map<std::string, FileOrigin> deletes;  // by deletion vector key
  // The parent's files are all still read, so its manifests can be reused.
  bool extends_parent_data = false;
  bool extends_parent_deletes = false;
};

// The whole table, derived from the versions still stored.
struct TableLayout {
  std::vector<Schema> schemas;               // by schema id
  std::map<std::string, int32_t> field_ids;  // by column name
  std::vector<SnapshotFiles> snapshots;      // oldest first, one per version
};

// `versions` oldest first, as catalog::Catalog::ListVersions answers them;
// the layout points into them, so they must outlive it. `known_ids`: the
// ids given before (kept by the publisher), so that a vacuum removing the
// versions that introduced a column never moves an id; a new column gets
// the next id after all of them. A column keeps its id when an overwrite
// changes its type: the data files carry no field ids, and the name mapping
// can send a column name to one id only.
// kInvalidArgument naming the column when a column's type has no Iceberg
// type (schema_mapping.h).
Result<TableLayout> LayOut(const std::vector<catalog::Manifest>& versions,
                           std::map<std::string, int32_t> known_ids = {});

// Iceberg's name for what a version did: append, overwrite, delete, replace.
std::string SnapshotOperation(catalog::Operation operation);

// A stable id for a dataset's table: a name-based UUID of the dataset name.
std::string TableUuid(std::string_view dataset);

// What table metadata JSON needs of a snapshot beyond its layout.
struct SnapshotRecord {
  int64_t snapshot_id = 0;
  std::string manifest_list;  // full location
  std::map<std::string, std::string> summary;
};

struct MetadataInputs {
  std::string dataset;
  std::string table_location;
  const TableLayout* layout = nullptr;
  std::vector<SnapshotRecord> snapshots;  // parallel to layout->snapshots
  std::vector<catalog::Tag> tags;
  // Full locations of the metadata files of the versions before, oldest
  // first, parallel to layout->snapshots.
  std::vector<std::string> metadata_files;
};

// The table metadata of the table as of snapshot index `upto` (its version's
// snapshots and no later one; tags naming later versions left out).
nlohmann::json TableMetadataJson(const MetadataInputs& inputs, size_t upto);

// `schema.name-mapping.default`: every field id with the column name that
// Parquet files written without field ids use for it.
std::string NameMappingJson(const TableLayout& layout);

}  // namespace lakehouse::iceberg
