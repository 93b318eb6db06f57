// One snapshot's objects: position delete files, manifests and the manifest list.
#include <filesystem>

#include "iceberg/avro_manifest.h"
#include "iceberg/parquet_stats.h"
#include "iceberg/position_deletes.h"
#include "iceberg/schema_mapping.h"
#include "iceberg/table_publisher_impl.h"
#include "query/deletion_vector.h"

namespace lakehouse::iceberg {
namespace {

// A file a manifest will list, before its statistics are read.
struct PlannedEntry {
  EntryStatus status = EntryStatus::kAdded;
  FileOrigin origin;
  const catalog::DataFile* data = nullptr;
  const catalog::DeleteFile* del = nullptr;  // set for a position delete file
  std::string delete_key;                    // its position delete file
  uint64_t delete_bytes = 0;
};

std::string Padded(uint64_t version) {
  std::string n = std::to_string(version);
  return std::string(n.size() < 10 ? 10 - n.size() : 0, '0') + n;
}

// The position delete file a deletion vector is published as. Its name
// hashes the vector's key and the data file's location, the two things its
// rows hold.
Result<std::pair<std::string, uint64_t>> PositionDeleteFile(PublishRun& run,
                                                            const catalog::DataFile& data,
                                                            const catalog::DeleteFile& del) {
  const std::string location = run.Location(data.key);
  LH_ASSIGN_OR_RETURN(auto h, ShortHash(del.key + "\n" + location));
  std::string key = run.prefix + "deletes/" + h + ".parquet";
  run.referenced.insert(key);
  if (auto it = run.present.find(key); it != run.present.end()) {
    return std::make_pair(std::move(key), it->second);
  }
  LH_ASSIGN_OR_RETURN(auto bytes, run.impl.store.GetBytes(del.key));
  LH_ASSIGN_OR_RETURN(auto vector, query::DecodeDeletionVector(bytes));
  std::filesystem::create_directories(run.impl.options.scratch_dir);
  const std::string tmp = run.impl.options.scratch_dir + "/posdel-" + h + ".parquet";
  auto written = WritePositionDeleteFile(location, vector.positions, tmp);
  std::error_code ignored;
  if (!written.ok()) {
    std::filesystem::remove(tmp, ignored);
    return written.status();
  }
  auto stored = run.impl.store.PutFile(key, tmp, storage::PutMode::kOverwrite);
  std::filesystem::remove(tmp, ignored);  // a store that copies leaves it
  if (!stored.ok()) return stored.status();
  run.present[key] = stored->size;
  return std::make_pair(std::move(key), stored->size);
}

Result<std::vector<ColumnStats>> StatsOf(PublishRun& run, const catalog::DataFile& f,
                                         const Schema& schema) {
  const std::string cache_key = f.key + "\n" + SchemaToJson(schema)["fields"].dump();
  {
    std::lock_guard lock(run.impl.mu);
    auto it = run.impl.stats.find(cache_key);
    if (it != run.impl.stats.end()) return it->second;
  }
  LH_ASSIGN_OR_RETURN(auto local,
                      OpenLocalParquet(run.impl.store, f.key, run.impl.options.scratch_dir));
  LH_ASSIGN_OR_RETURN(auto stats, ReadParquetStats(local.path(), f.key, schema.fields));
  std::lock_guard lock(run.impl.mu);
  run.impl.stats[cache_key] = stats.columns;
  return stats.columns;
}

Result<ManifestEntry> EntryOf(PublishRun& run, const PlannedEntry& p, const Schema& schema) {
  ManifestEntry e{
      p.status, p.origin.snapshot_id, p.origin.sequence_number, p.origin.sequence_number, {}};
  if (p.del != nullptr) {
    e.file = {FileContent::kPositionDeletes,
              run.Location(p.delete_key),
              static_cast<int64_t>(p.del->rows),
              static_cast<int64_t>(p.delete_bytes),
              {}};
    return e;
  }
  e.file = {FileContent::kData,
            run.Location(p.data->key),
            static_cast<int64_t>(p.data->rows),
            static_cast<int64_t>(p.data->bytes),
            {}};
  LH_ASSIGN_OR_RETURN(e.file.stats, StatsOf(run, *p.data, schema));
  return e;
}

// What a manifest lists, as text: its name hashes this, so equal content
// gets one object however often it is published.
std::string Describe(const std::vector<PlannedEntry>& entries, const Schema& schema,
                     FileContent content, const PublishRun& run) {
  nlohmann::json d = {{"schema", SchemaToJson(schema)}, {"content", static_cast<int>(content)}};
  nlohmann::json rows = nlohmann::json::array();
  for (const PlannedEntry& p : entries) {
    const std::string& key = p.del ? p.delete_key : p.data->key;
    rows.push_back({static_cast<int>(p.status), p.origin.snapshot_id, p.origin.sequence_number,
                    run.Location(key), p.del ? p.del->rows : p.data->rows,
                    p.del ? p.delete_bytes : p.data->bytes});
  }
  d["entries"] = std::move(rows);
  return d.dump();
}

Result<ManifestListEntry> WriteManifest(PublishRun& run, size_t i,
                                        const std::vector<PlannedEntry>& planned,
                                        FileContent content) {
  const SnapshotFiles& s = run.layout->snapshots[i];
  const Schema& schema = run.layout->schemas[s.schema_id];
  const int64_t version = static_cast<int64_t>(s.version->version);
  LH_ASSIGN_OR_RETURN(auto h, ShortHash(Describe(planned, schema, content, run)));
  const std::string key = run.prefix + "metadata/" + Padded(s.version->version) + "-" + h +
                          (content == FileContent::kData ? "-m0.avro" : "-d0.avro");
  auto size = PutImmutable(run, key, [&]() -> Result<std::string> {
    std::vector<ManifestEntry> entries;
    for (const PlannedEntry& p : planned) {
      LH_ASSIGN_OR_RETURN(auto e, EntryOf(run, p, schema));
      entries.push_back(std::move(e));
    }
    return EncodeManifest({SchemaToJson(schema).dump(), schema.schema_id, content}, entries);
  });
  if (!size.ok()) return size.status();
  ManifestListEntry m;
  m.manifest_path = run.Location(key);
  m.manifest_length = static_cast<int64_t>(*size);
  m.content = content;
  m.sequence_number = version;
  m.min_sequence_number = version;
  m.added_snapshot_id = version;
  for (const PlannedEntry& p : planned) {
    const int64_t rows = static_cast<int64_t>(p.del ? p.del->rows : p.data->rows);
    m.min_sequence_number = std::min(m.min_sequence_number, p.origin.sequence_number);
    if (p.status == EntryStatus::kAdded) {
      ++m.added_files_count;
      m.added_rows_count += rows;
    } else {
      ++m.existing_files_count;
      m.existing_rows_count += rows;
    }
  }
  return m;
}

// The entries of one kind a snapshot writes a new manifest for: all of them,
// or only those it added when its parent's manifests are reused.
Result<std::vector<PlannedEntry>> Plan(PublishRun& run, const SnapshotFiles& s, bool deletes,
                                       bool added_only) {
  const int64_t version = static_cast<int64_t>(s.version->version);
  std::vector<PlannedEntry> out;
  for (const catalog::DataFile& f : s.version->files) {
    if (!deletes) {
      const FileOrigin& o = s.data.at(f.key);
      if (added_only && o.snapshot_id != version) continue;
      out.push_back({o.snapshot_id == version ? EntryStatus::kAdded : EntryStatus::kExisting,
                     o,
                     &f,
                     nullptr,
                     {},
                     0});
      continue;
    }
    for (const catalog::DeleteFile& d : f.deletes) {
      const FileOrigin& o = s.deletes.at(d.key);
      if (added_only && o.snapshot_id != version) continue;
      LH_ASSIGN_OR_RETURN(auto file, PositionDeleteFile(run, f, d));
      out.push_back({o.snapshot_id == version ? EntryStatus::kAdded : EntryStatus::kExisting, o, &f,
                     &d, std::move(file.first), file.second});
    }
  }
  return out;
}

Result<std::vector<ManifestListEntry>> ManifestsOf(PublishRun& run, size_t i, bool deletes) {
  const SnapshotFiles& s = run.layout->snapshots[i];
  const bool reuse = deletes ? s.extends_parent_deletes : s.extends_parent_data;
  std::vector<ManifestListEntry> out;
  if (reuse) {
    size_t parent = i;
    while (parent > 0 &&
           run.layout->snapshots[parent].version->version != static_cast<uint64_t>(*s.parent)) {
      --parent;
    }
    const SnapshotManifests& pm = run.manifests[parent];
    // Their keys were recorded as referenced when the parent was written.
    out = deletes ? pm.deletes : pm.data;
  }
  LH_ASSIGN_OR_RETURN(auto planned, Plan(run, s, deletes, reuse));
  if (planned.empty()) return out;
  LH_ASSIGN_OR_RETURN(
      auto m,
      WriteManifest(run, i, planned, deletes ? FileContent::kPositionDeletes : FileContent::kData));
  out.insert(out.begin(), std::move(m));
  return out;
}

}  // namespace

Result<std::string> WriteSnapshotFiles(PublishRun& run, size_t i) {
  const SnapshotFiles& s = run.layout->snapshots[i];
  SnapshotManifests& mine = run.manifests[i];
  if (s.version->operation != catalog::Operation::kDelete) {
    LH_ASSIGN_OR_RETURN(mine.data, ManifestsOf(run, i, false));
    LH_ASSIGN_OR_RETURN(mine.deletes, ManifestsOf(run, i, true));
  }
  std::vector<ManifestListEntry> all = mine.data;
  all.insert(all.end(), mine.deletes.begin(), mine.deletes.end());
  nlohmann::json d = nlohmann::json::array();
  for (const ManifestListEntry& m : all) d.push_back({m.manifest_path, m.manifest_length});
  const int64_t version = static_cast<int64_t>(s.version->version);
  LH_ASSIGN_OR_RETURN(auto h, ShortHash(d.dump() + "\n" + std::to_string(s.parent.value_or(0))));
  const std::string key =
      run.prefix + "metadata/snap-" + Padded(s.version->version) + "-" + h + ".avro";
  auto size = PutImmutable(run, key, [&]() -> Result<std::string> {
    return EncodeManifestList({version, s.parent, version}, all);
  });
  if (!size.ok()) return size.status();
  return key;
}

}  // namespace lakehouse::iceberg
