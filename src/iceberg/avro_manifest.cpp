// Manifests and manifest lists encoded with Avro C's generic values, framed
// as object container files here so the header keeps our exact schema text.
#include "iceberg/avro_manifest.h"

#include <avro.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>

#include "common/sha256.h"

namespace lakehouse::iceberg {
namespace {

// The spec's manifest_entry with an empty (unpartitioned) partition struct,
// record names as Iceberg's Java library gives them ("r" + field id, maps
// "k<key id>_v<value id>"). It is written into each file verbatim: Avro C
// would drop the field ids if it serialised the parsed schema itself.
// referenced_data_file (143) is optional in v2 and stays null here.
constexpr std::string_view kManifestEntrySchema = R"json({
"type": "record", "name": "manifest_entry", "fields": [
{"name": "status", "type": "int", "field-id": 0},
{"name": "snapshot_id", "type": ["null", "long"], "default": null, "field-id": 1},
{"name": "sequence_number", "type": ["null", "long"], "default": null, "field-id": 3},
{"name": "file_sequence_number", "type": ["null", "long"], "default": null, "field-id": 4},
{"name": "data_file", "type": {"type": "record", "name": "r2", "fields": [
  {"name": "content", "type": "int", "field-id": 134},
  {"name": "file_path", "type": "string", "field-id": 100},
  {"name": "file_format", "type": "string", "field-id": 101},
  {"name": "partition", "type": {"type": "record", "name": "r102", "fields": []}, "field-id": 102},
  {"name": "record_count", "type": "long", "field-id": 103},
  {"name": "file_size_in_bytes", "type": "long", "field-id": 104},
  {"name": "column_sizes", "type": ["null", {"type": "array", "items": {"type": "record",
    "name": "k117_v118", "fields": [{"name": "key", "type": "int", "field-id": 117},
    {"name": "value", "type": "long", "field-id": 118}]}, "logicalType": "map"}],
    "default": null, "field-id": 108},
  {"name": "value_counts", "type": ["null", {"type": "array", "items": {"type": "record",
    "name": "k119_v120", "fields": [{"name": "key", "type": "int", "field-id": 119},
    {"name": "value", "type": "long", "field-id": 120}]}, "logicalType": "map"}],
    "default": null, "field-id": 109},
  {"name": "null_value_counts", "type": ["null", {"type": "array", "items": {"type": "record",
    "name": "k121_v122", "fields": [{"name": "key", "type": "int", "field-id": 121},
    {"name": "value", "type": "long", "field-id": 122}]}, "logicalType": "map"}],
    "default": null, "field-id": 110},
  {"name": "nan_value_counts", "type": ["null", {"type": "array", "items": {"type": "record",
    "name": "k138_v139", "fields": [{"name": "key", "type": "int", "field-id": 138},
    {"name": "value", "type": "long", "field-id": 139}]}, "logicalType": "map"}],
    "default": null, "field-id": 137},
  {"name": "lower_bounds", "type": ["null", {"type": "array", "items": {"type": "record",
    "name": "k126_v127", "fields": [{"name": "key", "type": "int", "field-id": 126},
    {"name": "value", "type": "bytes", "field-id": 127}]}, "logicalType": "map"}],
    "default": null, "field-id": 125},
  {"name": "upper_bounds", "type": ["null", {"type": "array", "items": {"type": "record",
    "name": "k129_v130", "fields": [{"name": "key", "type": "int", "field-id": 129},
    {"name": "value", "type": "bytes", "field-id": 130}]}, "logicalType": "map"}],
    "default": null, "field-id": 128},
  {"name": "key_metadata", "type": ["null", "bytes"], "default": null, "field-id": 131},
  {"name": "split_offsets", "type": ["null", {"type": "array", "items": "long",
    "element-id": 133}], "default": null, "field-id": 132},
  {"name": "equality_ids", "type": ["null", {"type": "array", "items": "int",
    "element-id": 136}], "default": null, "field-id": 135},
  {"name": "sort_order_id", "type": ["null", "int"], "default": null, "field-id": 140},
  {"name": "referenced_data_file", "type": ["null", "string"], "default": null,
    "field-id": 143}
]}, "field-id": 2}
]})json";

// The spec's manifest_file, v2: the counts are required there.
constexpr std::string_view kManifestFileSchema = R"json({
"type": "record", "name": "manifest_file", "fields": [
{"name": "manifest_path", "type": "string", "field-id": 500},
{"name": "manifest_length", "type": "long", "field-id": 501},
{"name": "partition_spec_id", "type": "int", "field-id": 502},
{"name": "content", "type": "int", "field-id": 517},
{"name": "sequence_number", "type": "long", "field-id": 515},
{"name": "min_sequence_number", "type": "long", "field-id": 516},
{"name": "added_snapshot_id", "type": "long", "field-id": 503},
{"name": "added_files_count", "type": "int", "field-id": 504},
{"name": "existing_files_count", "type": "int", "field-id": 505},
{"name": "deleted_files_count", "type": "int", "field-id": 506},
{"name": "added_rows_count", "type": "long", "field-id": 512},
{"name": "existing_rows_count", "type": "long", "field-id": 513},
{"name": "deleted_rows_count", "type": "long", "field-id": 514},
{"name": "partitions", "type": ["null", {"type": "array", "items": {"type": "record",
  "name": "r508", "fields": [
  {"name": "contains_null", "type": "boolean", "field-id": 509},
  {"name": "contains_nan", "type": ["null", "boolean"], "default": null, "field-id": 518},
  {"name": "lower_bound", "type": ["null", "bytes"], "default": null, "field-id": 510},
  {"name": "upper_bound", "type": ["null", "bytes"], "default": null, "field-id": 511}]},
  "element-id": 508}], "default": null, "field-id": 507},
{"name": "key_metadata", "type": ["null", "bytes"], "default": null, "field-id": 519}
]})json";

constexpr std::string_view kContainerMagic{"Obj\x01", 4};
constexpr size_t kSyncBytes = 16;

// Avro C reports failures as a nonzero return, with the text kept aside.
Status AvroError(std::string_view what) {
  return Status::Internal("Avro encoding failed (" + std::string(what) + "): " + avro_strerror());
}

struct SchemaFree {
  void operator()(avro_obj_t* schema) const { avro_schema_decref(schema); }
};
struct ClassFree {
  void operator()(avro_value_iface_t* iface) const { avro_value_iface_decref(iface); }
};
struct WriterFree {
  void operator()(avro_writer_t_* writer) const { avro_writer_free(writer); }
};
using SchemaPtr = std::unique_ptr<avro_obj_t, SchemaFree>;
using ClassPtr = std::unique_ptr<avro_value_iface_t, ClassFree>;
using WriterPtr = std::unique_ptr<avro_writer_t_, WriterFree>;

// A generic value owned by one scope, released when the scope ends.
class OwnedValue {
 public:
  OwnedValue() = default;
  OwnedValue(const OwnedValue&) = delete;
  OwnedValue& operator=(const OwnedValue&) = delete;
  ~OwnedValue() {
    if (value_.self != nullptr) avro_value_decref(&value_);
  }
  avro_value_t* get() { return &value_; }

 private:
  avro_value_t value_{};
};

Result<avro_value_t> FieldOf(avro_value_t& record, const char* name) {
  avro_value_t field;
  if (avro_value_get_by_name(&record, name, &field, nullptr) != 0) return AvroError(name);
  return field;
}

Status Put(avro_value_t& value, int32_t v, const char* name) {
  return avro_value_set_int(&value, v) == 0 ? Status::Ok() : AvroError(name);
}

Status Put(avro_value_t& value, int64_t v, const char* name) {
  return avro_value_set_long(&value, v) == 0 ? Status::Ok() : AvroError(name);
}

// Avro C copies the buffer; it only takes a non-const pointer.
Status Put(avro_value_t& value, const std::string& bytes, const char* name) {
  void* data = const_cast<char*>(bytes.data());
  return avro_value_set_bytes(&value, data, bytes.size()) == 0 ? Status::Ok() : AvroError(name);
}

template <typename T>
Status SetField(avro_value_t& record, const char* name, const T& v) {
  LH_ASSIGN_OR_RETURN(avro_value_t field, FieldOf(record, name));
  return Put(field, v, name);
}

// Avro C counts a string's terminating NUL in its length.
Status SetString(avro_value_t& record, const char* name, const std::string& text) {
  LH_ASSIGN_OR_RETURN(avro_value_t field, FieldOf(record, name));
  if (avro_value_set_string_len(&field, text.c_str(), text.size() + 1) != 0) {
    return AvroError(name);
  }
  return Status::Ok();
}

// An optional field is the union ["null", T]: branch 0 is null, 1 the value.
Status SetNull(avro_value_t& record, const char* name) {
  LH_ASSIGN_OR_RETURN(avro_value_t field, FieldOf(record, name));
  avro_value_t branch;
  if (avro_value_set_branch(&field, 0, &branch) != 0 || avro_value_set_null(&branch) != 0) {
    return AvroError(name);
  }
  return Status::Ok();
}

Result<avro_value_t> SetPresent(avro_value_t& record, const char* name) {
  LH_ASSIGN_OR_RETURN(avro_value_t field, FieldOf(record, name));
  avro_value_t branch;
  if (avro_value_set_branch(&field, 1, &branch) != 0) return AvroError(name);
  return branch;
}

template <typename T>
Status SetOptional(avro_value_t& record, const char* name, const T& v) {
  LH_ASSIGN_OR_RETURN(avro_value_t branch, SetPresent(record, name));
  return Put(branch, v, name);
}

// One per-column map of the stats: a pair for each column that has the
// value, and null rather than an empty map when none has, as Iceberg writes.
template <typename T>
Status SetStatsMap(avro_value_t& file, const char* name, const std::vector<ColumnStats>& stats,
                   std::optional<T> ColumnStats::*member) {
  auto has = [member](const ColumnStats& s) { return (s.*member).has_value(); };
  if (std::ranges::none_of(stats, has)) return SetNull(file, name);
  LH_ASSIGN_OR_RETURN(avro_value_t pairs, SetPresent(file, name));
  for (const ColumnStats& s : stats) {
    if (!has(s)) continue;
    avro_value_t pair;
    if (avro_value_append(&pairs, &pair, nullptr) != 0) return AvroError(name);
    LH_RETURN_IF_ERROR(SetField(pair, "key", s.field_id));
    LH_RETURN_IF_ERROR(SetField(pair, "value", *(s.*member)));
  }
  return Status::Ok();
}

// `partition` is left as created: the empty struct of an unpartitioned spec.
Status FillDataFile(avro_value_t& file, const ContentFile& f) {
  LH_RETURN_IF_ERROR(SetField(file, "content", static_cast<int32_t>(f.content)));
  LH_RETURN_IF_ERROR(SetString(file, "file_path", f.file_path));
  LH_RETURN_IF_ERROR(SetString(file, "file_format", "PARQUET"));
  LH_RETURN_IF_ERROR(SetField(file, "record_count", f.record_count));
  LH_RETURN_IF_ERROR(SetField(file, "file_size_in_bytes", f.file_size_in_bytes));
  LH_RETURN_IF_ERROR(SetStatsMap(file, "column_sizes", f.stats, &ColumnStats::column_size));
  LH_RETURN_IF_ERROR(SetStatsMap(file, "value_counts", f.stats, &ColumnStats::value_count));
  LH_RETURN_IF_ERROR(
      SetStatsMap(file, "null_value_counts", f.stats, &ColumnStats::null_value_count));
  LH_RETURN_IF_ERROR(SetStatsMap(file, "nan_value_counts", f.stats, &ColumnStats::nan_value_count));
  LH_RETURN_IF_ERROR(SetStatsMap(file, "lower_bounds", f.stats, &ColumnStats::lower_bound));
  LH_RETURN_IF_ERROR(SetStatsMap(file, "upper_bounds", f.stats, &ColumnStats::upper_bound));
  // Unencrypted, unsplit, no equality deletes, no declared sort order (the
  // spec asks position delete files to leave it null), no referenced file.
  for (const char* absent :
       {"key_metadata", "split_offsets", "equality_ids", "sort_order_id", "referenced_data_file"}) {
    LH_RETURN_IF_ERROR(SetNull(file, absent));
  }
  return Status::Ok();
}

Status FillManifestEntry(avro_value_t& entry, const ManifestEntry& e) {
  LH_RETURN_IF_ERROR(SetField(entry, "status", static_cast<int32_t>(e.status)));
  LH_RETURN_IF_ERROR(SetOptional(entry, "snapshot_id", e.snapshot_id));
  LH_RETURN_IF_ERROR(SetOptional(entry, "sequence_number", e.sequence_number));
  LH_RETURN_IF_ERROR(SetOptional(entry, "file_sequence_number", e.file_sequence_number));
  LH_ASSIGN_OR_RETURN(avro_value_t file, FieldOf(entry, "data_file"));
  return FillDataFile(file, e.file);
}

Status FillManifestFile(avro_value_t& record, const ManifestListEntry& m) {
  LH_RETURN_IF_ERROR(SetString(record, "manifest_path", m.manifest_path));
  LH_RETURN_IF_ERROR(SetField(record, "manifest_length", m.manifest_length));
  LH_RETURN_IF_ERROR(SetField(record, "partition_spec_id", m.partition_spec_id));
  LH_RETURN_IF_ERROR(SetField(record, "content", static_cast<int32_t>(m.content)));
  LH_RETURN_IF_ERROR(SetField(record, "sequence_number", m.sequence_number));
  LH_RETURN_IF_ERROR(SetField(record, "min_sequence_number", m.min_sequence_number));
  LH_RETURN_IF_ERROR(SetField(record, "added_snapshot_id", m.added_snapshot_id));
  LH_RETURN_IF_ERROR(SetField(record, "added_files_count", m.added_files_count));
  LH_RETURN_IF_ERROR(SetField(record, "existing_files_count", m.existing_files_count));
  LH_RETURN_IF_ERROR(SetField(record, "deleted_files_count", m.deleted_files_count));
  LH_RETURN_IF_ERROR(SetField(record, "added_rows_count", m.added_rows_count));
  LH_RETURN_IF_ERROR(SetField(record, "existing_rows_count", m.existing_rows_count));
  LH_RETURN_IF_ERROR(SetField(record, "deleted_rows_count", m.deleted_rows_count));
  // Unpartitioned: no partition fields to summarise.
  LH_RETURN_IF_ERROR(SetNull(record, "partitions"));
  return SetNull(record, "key_metadata");
}

// Appends the binary encoding of `value`, sized first so the memory writer
// never runs out of room.
Status AppendEncoded(avro_value_t& value, std::string& out) {
  size_t size = 0;
  if (avro_value_sizeof(&value, &size) != 0) return AvroError("sizing a record");
  size_t at = out.size();
  out.resize(at + size);
  WriterPtr writer(avro_writer_memory(out.data() + at, static_cast<int64_t>(size)));
  if (writer == nullptr) return AvroError("opening a memory writer");
  if (avro_value_write(writer.get(), &value) != 0) return AvroError("writing a record");
  return Status::Ok();
}

// Every row encoded back to back with the schema `schema_json`. Each row gets
// a fresh value, so nothing of the one before can leak into it.
template <typename Row, typename Fill>
Result<std::string> EncodeRecords(std::string_view schema_json, const std::vector<Row>& rows,
                                  Fill fill) {
  avro_schema_t raw_schema = nullptr;
  if (avro_schema_from_json_length(schema_json.data(), schema_json.size(), &raw_schema) != 0) {
    return AvroError("parsing the schema");
  }
  SchemaPtr schema(raw_schema);
  ClassPtr iface(avro_generic_class_from_schema(schema.get()));
  if (iface == nullptr) return AvroError("a value class for the schema");
  std::string out;
  for (const Row& row : rows) {
    OwnedValue value;
    if (avro_generic_value_new(iface.get(), value.get()) != 0) return AvroError("a new record");
    LH_RETURN_IF_ERROR(fill(*value.get(), row));
    LH_RETURN_IF_ERROR(AppendEncoded(*value.get(), out));
  }
  return out;
}

// Avro's long: zig-zag, then a little-endian base-128 varint.
void AppendLong(std::string& out, int64_t v) {
  uint64_t z = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  while (z >= 0x80) {
    out.push_back(static_cast<char>((z & 0x7f) | 0x80));
    z >>= 7;
  }
  out.push_back(static_cast<char>(z));
}

void AppendBytes(std::string& out, std::string_view bytes) {
  AppendLong(out, static_cast<int64_t>(bytes.size()));
  out.append(bytes);
}

using Metadata = std::vector<std::pair<std::string, std::string>>;

// The header's metadata: a map<bytes> in one block, then the end marker.
std::string EncodeMetadata(std::string_view schema_json, const Metadata& extra) {
  std::string out;
  AppendLong(out, static_cast<int64_t>(extra.size() + 2));
  AppendBytes(out, "avro.schema");
  AppendBytes(out, schema_json);
  AppendBytes(out, "avro.codec");
  AppendBytes(out, "null");
  for (const auto& [key, value] : extra) {
    AppendBytes(out, key);
    AppendBytes(out, value);
  }
  AppendLong(out, 0);
  return out;
}

// An object container file: magic, metadata, sync marker, then `records`
// as one block. The marker hashes everything else, so it is stable for
// equal input and still unlikely to occur inside the records.
Result<std::string> ContainerFile(std::string_view schema_json, const Metadata& extra,
                                  size_t record_count, const std::string& records) {
  std::string metadata = EncodeMetadata(schema_json, extra);
  Sha256Stream hash;
  LH_RETURN_IF_ERROR(hash.Update(metadata));
  LH_RETURN_IF_ERROR(hash.Update(records));
  LH_ASSIGN_OR_RETURN(Sha256Digest digest, hash.Finish());
  std::string_view sync(reinterpret_cast<const char*>(digest.data()), kSyncBytes);

  std::string out(kContainerMagic);
  out += metadata;
  out += sync;
  if (record_count == 0) return out;
  AppendLong(out, static_cast<int64_t>(record_count));
  AppendLong(out, static_cast<int64_t>(records.size()));
  out += records;
  out += sync;
  return out;
}

std::string_view ContentName(FileContent content) {
  return content == FileContent::kData ? "data" : "deletes";
}

}  // namespace

Result<std::string> EncodeManifest(const ManifestHeader& header,
                                   const std::vector<ManifestEntry>& entries) {
  for (const ManifestEntry& e : entries) {
    if (e.file.content != header.content) {
      return Status::InvalidArgument("a " + std::string(ContentName(header.content)) +
                                     " manifest cannot list " + e.file.file_path +
                                     ", a file of the other kind");
    }
  }
  LH_ASSIGN_OR_RETURN(std::string records,
                      EncodeRecords(kManifestEntrySchema, entries, FillManifestEntry));
  Metadata extra = {{"schema", header.table_schema_json},
                    {"schema-id", std::to_string(header.schema_id)},
                    {"partition-spec", "[]"},
                    {"partition-spec-id", "0"},
                    {"format-version", "2"},
                    {"content", std::string(ContentName(header.content))}};
  return ContainerFile(kManifestEntrySchema, extra, entries.size(), records);
}

Result<std::string> EncodeManifestList(const ManifestListHeader& header,
                                       const std::vector<ManifestListEntry>& manifests) {
  LH_ASSIGN_OR_RETURN(std::string records,
                      EncodeRecords(kManifestFileSchema, manifests, FillManifestFile));
  // Iceberg's Java writer records a missing parent as the text "null".
  std::string parent =
      header.parent_snapshot_id ? std::to_string(*header.parent_snapshot_id) : std::string("null");
  Metadata extra = {{"snapshot-id", std::to_string(header.snapshot_id)},
                    {"parent-snapshot-id", parent},
                    {"sequence-number", std::to_string(header.sequence_number)},
                    {"format-version", "2"}};
  return ContainerFile(kManifestFileSchema, extra, manifests.size(), records);
}

}  // namespace lakehouse::iceberg
