// TablePublisher: one publish of a dataset's table, start to sweep, and the REST catalog's answers.
#include "iceberg/table_publisher.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "catalog/manifest_codec.h"
#include "common/sha256.h"
#include "iceberg/table_publisher_impl.h"

namespace lakehouse::iceberg {
namespace {

constexpr std::string_view kHintName = "metadata/version-hint.text";
constexpr std::string_view kFieldIdsName = "field-ids.json";

std::string MetadataKey(const PublishRun& run, uint64_t version) {
  return run.prefix + "metadata/v" + std::to_string(version) + ".metadata.json";
}

Result<std::map<std::string, uint64_t>> ListPresent(storage::ObjectStore& store,
                                                    const std::string& prefix) {
  std::map<std::string, uint64_t> present;
  storage::ListOptions options;
  options.prefix = prefix;
  options.limit = storage::kMaxListLimit;
  while (true) {
    LH_ASSIGN_OR_RETURN(auto page, store.List(options));
    for (const auto& o : page.objects) present[o.key] = o.size;
    if (!page.next) break;
    options.start_after = *page.next;
  }
  return present;
}

// Writes `content` under a rewritable key unless it holds exactly that.
Status PutRewritable(PublishRun& run, const std::string& key, const std::string& content) {
  run.referenced.insert(key);
  LH_ASSIGN_OR_RETURN(auto sha, Sha256Hex(content));
  {
    std::lock_guard lock(run.impl.mu);
    auto it = run.impl.written.find(key);
    if (it != run.impl.written.end() && it->second == sha && run.present.contains(key)) {
      return Status::Ok();
    }
  }
  bool same = false;
  if (run.present.contains(key)) {
    auto stored = run.impl.store.GetBytes(key);
    same = stored.ok() && *stored == content;
  }
  if (!same) {
    LH_RETURN_IF_ERROR(run.impl.store.PutBytes(key, content).status());
    run.present[key] = content.size();
  }
  std::lock_guard lock(run.impl.mu);
  run.impl.written[key] = sha;
  return Status::Ok();
}

// Removal order: what names other objects goes first.
int RemovalRank(std::string_view key) {
  if (key.ends_with(".metadata.json")) return 0;
  if (key.find("/metadata/snap-") != std::string_view::npos) return 1;
  if (key.ends_with(".avro")) return 2;
  return 3;
}

Status Sweep(PublishRun& run) {
  std::vector<std::string> stale;
  for (const auto& [key, size] : run.present) {
    if (!run.referenced.contains(key)) stale.push_back(key);
  }
  std::stable_sort(stale.begin(), stale.end(), [](const std::string& a, const std::string& b) {
    return RemovalRank(a) < RemovalRank(b);
  });
  for (const std::string& key : stale) {
    Status s = run.impl.store.Delete(key);
    if (!s.ok() && s.code() != StatusCode::kNotFound) return s;
    std::lock_guard lock(run.impl.mu);
    run.impl.written.erase(key);
  }
  return Status::Ok();
}

std::map<std::string, std::string> Summary(const SnapshotFiles& s) {
  const catalog::Manifest& m = *s.version;
  uint64_t data_files = 0, delete_files = 0, position_deletes = 0, added = 0, added_rows = 0;
  uint64_t records = 0;  // Iceberg counts the data files' rows, deleted ones included
  for (const catalog::DataFile& f : m.files) {
    ++data_files;
    records += f.rows;
    if (s.data.at(f.key).snapshot_id == static_cast<int64_t>(m.version)) {
      ++added;
      added_rows += f.rows;
    }
    for (const catalog::DeleteFile& d : f.deletes) {
      ++delete_files;
      position_deletes += d.rows;
    }
  }
  return {{"lakehouse.operation", std::string(catalog::OperationName(m.operation))},
          {"total-records", std::to_string(records)},
          {"lakehouse.rows", std::to_string(m.rows)},
          {"total-data-files", std::to_string(data_files)},
          {"total-delete-files", std::to_string(delete_files)},
          {"total-position-deletes", std::to_string(position_deletes)},
          {"total-equality-deletes", "0"},
          {"total-files-size", std::to_string(m.bytes)},
          {"added-data-files", std::to_string(added)},
          {"added-records", std::to_string(added_rows)}};
}

Result<std::string> Fingerprint(const std::vector<catalog::Manifest>& versions,
                                const std::vector<catalog::Tag>& tags) {
  std::string all;
  for (const auto& m : versions) all += catalog::ManifestToJson(m).dump() + "\n";
  for (const auto& t : tags) all += catalog::TagToJson(t).dump() + "\n";
  return Sha256Hex(all);
}

// The field ids given so far, so that no id ever moves or is reused: a
// vacuum may remove every version that named a column.
Result<std::map<std::string, int32_t>> KnownFieldIds(PublishRun& run) {
  std::map<std::string, int32_t> ids;
  const std::string key = run.prefix + std::string(kFieldIdsName);
  if (!run.present.contains(key)) return ids;
  LH_ASSIGN_OR_RETURN(auto text, run.impl.store.GetBytes(key));
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object() || !j["ids"].is_object()) {
    return Status::IoError(key + " is not a field id map");
  }
  for (const auto& [name, id] : j["ids"].items()) {
    if (!id.is_number_integer()) return Status::IoError(key + " is not a field id map");
    ids[name] = id.get<int32_t>();
  }
  return ids;
}

Status WriteTable(PublishRun& run, const std::vector<catalog::Manifest>& versions,
                  const std::vector<catalog::Tag>& tags, const std::string& fingerprint) {
  LH_ASSIGN_OR_RETURN(auto known, KnownFieldIds(run));
  LH_ASSIGN_OR_RETURN(auto layout, LayOut(versions, known));
  // Before anything that uses a new id.
  LH_RETURN_IF_ERROR(PutRewritable(run, run.prefix + std::string(kFieldIdsName),
                                   nlohmann::json({{"ids", layout.field_ids}}).dump()));
  run.layout = &layout;
  run.manifests.resize(layout.snapshots.size());
  // The folder the table's objects sit in, as the store lays it out.
  std::string table_location = run.Location(run.prefix + "metadata");
  table_location.resize(table_location.size() - std::string_view("/metadata").size());
  MetadataInputs in{run.dataset, std::move(table_location), &layout, {}, tags, {}};
  for (size_t i = 0; i < layout.snapshots.size(); ++i) {
    LH_ASSIGN_OR_RETURN(auto list, WriteSnapshotFiles(run, i));
    in.snapshots.push_back({static_cast<int64_t>(layout.snapshots[i].version->version),
                            run.Location(list), Summary(layout.snapshots[i])});
    in.metadata_files.push_back(run.Location(MetadataKey(run, versions[i].version)));
  }
  nlohmann::json head;
  for (size_t i = 0; i < layout.snapshots.size(); ++i) {
    head = TableMetadataJson(in, i);
    LH_RETURN_IF_ERROR(PutRewritable(run, MetadataKey(run, versions[i].version), head.dump()));
  }
  const uint64_t newest = versions.back().version;
  LH_RETURN_IF_ERROR(
      PutRewritable(run, run.prefix + std::string(kHintName), std::to_string(newest)));
  std::lock_guard lock(run.impl.mu);
  run.impl.heads[run.dataset] = {fingerprint,
                                 {run.Location(MetadataKey(run, newest)), std::move(head)}};
  return Status::Ok();
}

}  // namespace

std::string TablePrefix(std::string_view dataset) {
  return "_iceberg/" + std::string(dataset) + "/";
}

Result<uint64_t> PutImmutable(PublishRun& run, const std::string& key,
                              const std::function<Result<std::string>()>& bytes) {
  run.referenced.insert(key);
  if (auto it = run.present.find(key); it != run.present.end()) return it->second;
  LH_ASSIGN_OR_RETURN(auto content, bytes());
  LH_RETURN_IF_ERROR(run.impl.store.PutBytes(key, content).status());
  run.present[key] = content.size();
  return content.size();
}

Result<std::string> ShortHash(std::string_view text) {
  LH_ASSIGN_OR_RETURN(auto hex, Sha256Hex(text));
  return hex.substr(0, 16);
}

TablePublisher::TablePublisher(catalog::Catalog& catalog, storage::ObjectStore& store,
                               PublisherOptions options)
    : impl_(std::make_unique<Impl>(catalog, store, std::move(options))) {}

TablePublisher::~TablePublisher() = default;

std::unique_lock<std::mutex> TablePublisher::LockDataset(std::string_view dataset) {
  std::mutex* m;
  {
    std::lock_guard lock(impl_->mu);
    auto& slot = impl_->dataset_locks[std::string(dataset)];
    if (!slot) slot = std::make_unique<std::mutex>();
    m = slot.get();
  }
  return std::unique_lock<std::mutex>(*m);
}

Status TablePublisher::Publish(std::string_view dataset) {
  auto lock = LockDataset(dataset);
  return PublishLocked(dataset, nullptr);
}

Status TablePublisher::PublishKept(std::string_view dataset, const std::set<uint64_t>& keep) {
  auto lock = LockDataset(dataset);
  return PublishLocked(dataset, &keep);
}

Status TablePublisher::PublishLocked(std::string_view dataset, const std::set<uint64_t>* keep) {
  LH_RETURN_IF_ERROR(catalog::ValidateDatasetName(dataset));
  PublishRun run{*impl_, std::string(dataset), TablePrefix(dataset), {}, {}, nullptr, {}};
  LH_ASSIGN_OR_RETURN(run.present, ListPresent(impl_->store, run.prefix));
  auto versions = impl_->catalog.ListVersions(dataset);
  if (!versions.ok() && versions.status().code() != StatusCode::kNotFound) {
    return versions.status();
  }
  std::vector<catalog::Manifest> kept;
  if (versions.ok()) {
    for (auto& m : *versions) {
      if (keep == nullptr || keep->contains(m.version)) kept.push_back(std::move(m));
    }
  }
  if (!kept.empty()) {
    auto tags = impl_->catalog.ListTags(dataset);
    if (!tags.ok()) return tags.status();
    LH_ASSIGN_OR_RETURN(auto fingerprint, Fingerprint(kept, *tags));
    LH_RETURN_IF_ERROR(WriteTable(run, kept, *tags, fingerprint));
  }
  return Sweep(run);
}

Status TablePublisher::PublishAll() {
  LH_ASSIGN_OR_RETURN(auto listing, impl_->catalog.ListDatasets());
  Status first = Status::Ok();
  for (const auto& d : listing.datasets) {
    Status s = Publish(d.name);
    if (!s.ok()) {
      spdlog::warn("iceberg: cannot publish dataset {}: {}", d.name, s.message());
      if (first.ok()) first = s;
    }
  }
  return first;
}

Result<std::vector<std::string>> TablePublisher::ListTables() {
  LH_ASSIGN_OR_RETURN(auto listing, impl_->catalog.ListDatasets());
  std::vector<std::string> names;
  for (const auto& d : listing.datasets) names.push_back(d.name);
  return names;
}

Result<LoadedTable> TablePublisher::LoadTable(std::string_view name) {
  LH_RETURN_IF_ERROR(impl_->catalog.GetCurrent(name).status());
  auto lock = LockDataset(name);
  LH_ASSIGN_OR_RETURN(auto versions, impl_->catalog.ListVersions(name));
  LH_ASSIGN_OR_RETURN(auto tags, impl_->catalog.ListTags(name));
  LH_ASSIGN_OR_RETURN(auto fingerprint, Fingerprint(versions, tags));
  {
    std::lock_guard guard(impl_->mu);
    auto it = impl_->heads.find(name);
    if (it != impl_->heads.end() && it->second.fingerprint == fingerprint) return it->second.table;
  }
  if (Status s = PublishLocked(name, nullptr); !s.ok()) {
    if (s.code() == StatusCode::kInvalidArgument) return s;
    return Status::Unavailable("the Iceberg metadata of dataset \"" + std::string(name) +
                               "\" could not be written: " + s.message());
  }
  std::lock_guard guard(impl_->mu);
  auto it = impl_->heads.find(name);
  if (it == impl_->heads.end()) return catalog::DatasetNotFound(name);
  return it->second.table;
}

}  // namespace lakehouse::iceberg
