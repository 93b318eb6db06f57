// Pure derivation of a dataset's Iceberg table: ids, schemas, file origins, metadata JSON.
#include "iceberg/table_metadata.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "common/hex.h"
#include "common/sha256.h"
#include "iceberg/schema_mapping.h"

namespace lakehouse::iceberg {
namespace {

// Iceberg reserves partition field ids from 1000 on; with no partition field
// the spec's writers record 999.
constexpr int32_t kNoPartitionFieldId = 999;

bool IsTombstone(const catalog::Manifest& m) { return m.operation == catalog::Operation::kDelete; }

int32_t LastId(const std::map<std::string, int32_t>& ids) {
  int32_t last = 0;
  for (const auto& [name, id] : ids) last = std::max(last, id);
  return last;
}

Result<std::vector<Field>> FieldsOf(const catalog::Manifest& m,
                                    std::map<std::string, int32_t>& ids) {
  std::vector<Field> fields;
  for (const catalog::Column& c : m.schema) {
    auto type = IcebergTypeOf(c.type);
    if (!type.ok()) {
      return Status::InvalidArgument("column \"" + c.name + "\" of version " +
                                     std::to_string(m.version) + ": " + type.status().message());
    }
    auto [it, added] = ids.try_emplace(c.name, LastId(ids) + 1);
    fields.push_back({it->second, c.name, *type, false});
  }
  return fields;
}

int32_t SchemaIdOf(std::vector<Schema>& schemas, std::vector<Field> fields) {
  for (const Schema& s : schemas) {
    if (s.fields == fields) return s.schema_id;
  }
  schemas.push_back({static_cast<int32_t>(schemas.size()), std::move(fields)});
  return schemas.back().schema_id;
}

// Each file of `version` keeps its origin in `parent` when the parent read
// it too; otherwise it was added by this version.
void TraceOrigins(const catalog::Manifest& version, const SnapshotFiles* parent,
                  SnapshotFiles& out) {
  const FileOrigin here{static_cast<int64_t>(version.version),
                        static_cast<int64_t>(version.version)};
  for (const catalog::DataFile& f : version.files) {
    auto inherited = parent ? parent->data.find(f.key) : decltype(parent->data.end()){};
    out.data[f.key] = parent && inherited != parent->data.end() ? inherited->second : here;
    for (const catalog::DeleteFile& d : f.deletes) {
      auto carried = parent ? parent->deletes.find(d.key) : decltype(parent->deletes.end()){};
      out.deletes[d.key] = parent && carried != parent->deletes.end() ? carried->second : here;
    }
  }
  if (parent == nullptr) return;
  auto contains_all = [](const auto& outer, const auto& inner) {
    return std::all_of(inner.begin(), inner.end(),
                       [&](const auto& kv) { return outer.contains(kv.first); });
  };
  out.extends_parent_data = contains_all(out.data, parent->data);
  out.extends_parent_deletes = contains_all(out.deletes, parent->deletes);
}

nlohmann::json SnapshotJson(const MetadataInputs& in, size_t i) {
  const SnapshotFiles& s = in.layout->snapshots[i];
  const SnapshotRecord& r = in.snapshots[i];
  nlohmann::json summary = nlohmann::json::object();
  for (const auto& [k, v] : r.summary) summary[k] = v;
  summary["operation"] = SnapshotOperation(s.version->operation);
  nlohmann::json j = {{"snapshot-id", r.snapshot_id},
                      {"sequence-number", static_cast<int64_t>(s.version->version)},
                      {"timestamp-ms", s.version->created_unix_ms},
                      {"manifest-list", r.manifest_list},
                      {"summary", std::move(summary)},
                      {"schema-id", s.schema_id}};
  if (s.parent) j["parent-snapshot-id"] = *s.parent;
  return j;
}

nlohmann::json RefsJson(const MetadataInputs& in, size_t upto) {
  const uint64_t head = in.layout->snapshots[upto].version->version;
  std::set<uint64_t> kept;
  for (size_t i = 0; i <= upto; ++i) kept.insert(in.layout->snapshots[i].version->version);
  nlohmann::json refs = {{"main", {{"snapshot-id", head}, {"type", "branch"}}}};
  for (const catalog::Tag& t : in.tags) {
    // "main" is the branch; a tag of that name would shadow it.
    if (t.tag == "main" || !kept.contains(t.version)) continue;
    refs[t.tag] = {{"snapshot-id", t.version}, {"type", "tag"}};
  }
  return refs;
}

nlohmann::json SchemasJson(const TableLayout& layout, size_t upto) {
  std::set<int32_t> used;
  for (size_t i = 0; i <= upto; ++i) used.insert(layout.snapshots[i].schema_id);
  nlohmann::json schemas = nlohmann::json::array();
  for (const Schema& s : layout.schemas) {
    if (used.contains(s.schema_id)) schemas.push_back(SchemaToJson(s));
  }
  return schemas;
}

int32_t LastColumnId(const TableLayout& layout) { return LastId(layout.field_ids); }

}  // namespace

Result<TableLayout> LayOut(const std::vector<catalog::Manifest>& versions,
                           std::map<std::string, int32_t> known_ids) {
  TableLayout layout;
  layout.field_ids = std::move(known_ids);
  std::map<uint64_t, size_t> index_of;  // version -> snapshot index
  int32_t last_schema = 0;
  for (const catalog::Manifest& m : versions) {
    SnapshotFiles s;
    s.version = &m;
    const SnapshotFiles* parent = nullptr;
    if (m.parent && index_of.contains(*m.parent)) {
      s.parent = static_cast<int64_t>(*m.parent);
      parent = &layout.snapshots[index_of[*m.parent]];
      // Files after a deletion are new again: the tombstone read none.
      if (parent->version->operation == catalog::Operation::kDelete) parent = nullptr;
    }
    if (IsTombstone(m)) {
      s.schema_id = last_schema;
    } else {
      LH_ASSIGN_OR_RETURN(auto fields, FieldsOf(m, layout.field_ids));
      s.schema_id = last_schema = SchemaIdOf(layout.schemas, std::move(fields));
      TraceOrigins(m, parent, s);
    }
    index_of[m.version] = layout.snapshots.size();
    layout.snapshots.push_back(std::move(s));
  }
  if (layout.schemas.empty()) layout.schemas.push_back({0, {}});
  return layout;
}

std::string SnapshotOperation(catalog::Operation operation) {
  using catalog::Operation;
  switch (operation) {
    case Operation::kCreate:
    case Operation::kAppend:
      return "append";
    case Operation::kDelete:
    case Operation::kDeleteRows:
      return "delete";
    case Operation::kCompact:
      return "replace";
    case Operation::kOverwrite:
    case Operation::kUpsert:
    case Operation::kRestore:
    case Operation::kErase:
      return "overwrite";
  }
  return "overwrite";
}

std::string TableUuid(std::string_view dataset) {
  auto digest = Sha256("lakehouse iceberg table " + std::string(dataset));
  Sha256Digest d = digest.ok() ? *digest : Sha256Digest{};
  d[6] = static_cast<unsigned char>((d[6] & 0x0f) | 0x50);  // version 5: name-based
  d[8] = static_cast<unsigned char>((d[8] & 0x3f) | 0x80);  // RFC 4122 variant
  const std::string hex = HexEncode(std::span<const unsigned char>(d.data(), 16));
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

std::string NameMappingJson(const TableLayout& layout) {
  std::vector<std::pair<int32_t, std::string>> by_id;
  for (const auto& [name, id] : layout.field_ids) by_id.emplace_back(id, name);
  std::sort(by_id.begin(), by_id.end());
  nlohmann::json mapping = nlohmann::json::array();
  for (const auto& [id, name] : by_id) mapping.push_back({{"field-id", id}, {"names", {name}}});
  return mapping.dump();
}

nlohmann::json TableMetadataJson(const MetadataInputs& in, size_t upto) {
  const TableLayout& layout = *in.layout;
  const SnapshotFiles& head = layout.snapshots[upto];
  nlohmann::json snapshots = nlohmann::json::array();
  nlohmann::json snapshot_log = nlohmann::json::array();
  nlohmann::json metadata_log = nlohmann::json::array();
  for (size_t i = 0; i <= upto; ++i) {
    snapshots.push_back(SnapshotJson(in, i));
    const int64_t ts = layout.snapshots[i].version->created_unix_ms;
    snapshot_log.push_back({{"timestamp-ms", ts}, {"snapshot-id", in.snapshots[i].snapshot_id}});
    if (i < upto)
      metadata_log.push_back({{"timestamp-ms", ts}, {"metadata-file", in.metadata_files[i]}});
  }
  nlohmann::json properties = {{"schema.name-mapping.default", NameMappingJson(layout)},
                               {"write.format.default", "parquet"},
                               {"lakehouse.dataset", in.dataset},
                               {"lakehouse.version", std::to_string(head.version->version)}};
  return {{"format-version", 2},
          {"table-uuid", TableUuid(in.dataset)},
          {"location", in.table_location},
          {"last-sequence-number", static_cast<int64_t>(head.version->version)},
          {"last-updated-ms", head.version->created_unix_ms},
          {"last-column-id", LastColumnId(layout)},
          {"current-schema-id", head.schema_id},
          {"schemas", SchemasJson(layout, upto)},
          {"default-spec-id", 0},
          {"partition-specs", {{{"spec-id", 0}, {"fields", nlohmann::json::array()}}}},
          {"last-partition-id", kNoPartitionFieldId},
          {"default-sort-order-id", 0},
          {"sort-orders", {{{"order-id", 0}, {"fields", nlohmann::json::array()}}}},
          {"properties", std::move(properties)},
          {"current-snapshot-id", in.snapshots[upto].snapshot_id},
          {"refs", RefsJson(in, upto)},
          {"snapshots", std::move(snapshots)},
          {"snapshot-log", std::move(snapshot_log)},
          {"metadata-log", std::move(metadata_log)}};
}

}  // namespace lakehouse::iceberg
