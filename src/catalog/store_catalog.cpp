// StoreCatalog: manifests read and cached, commits by put-if-absent, files rewritten in place.
#include "catalog/store_catalog.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <set>

#include "catalog/manifest_codec.h"
#include "catalog/store_catalog_keys.h"
#include "common/logging.h"

namespace lakehouse::catalog {
namespace {

constexpr int kMaxCommitAttempts = 1000;
constexpr size_t kMaxCachedManifests = 100000;

std::optional<uint64_t> VersionFromKey(std::string_view key, std::string_view prefix) {
  if (!key.starts_with(prefix) || !key.ends_with(".json")) return std::nullopt;
  std::string_view digits = key.substr(prefix.size(), key.size() - prefix.size() - 5);
  if (digits.size() != 10) return std::nullopt;
  uint64_t version = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    version = version * 10 + static_cast<uint64_t>(c - '0');
  }
  return version;
}

uint64_t RowsOf(const std::vector<DataFile>& files) {
  uint64_t rows = 0;
  for (const auto& f : files) rows += f.live_rows();
  return rows;
}

}  // namespace

Status ValidateDatasetName(std::string_view name) {
  auto fail = [&] {
    return Status::InvalidArgument("dataset name \"" + std::string(name) +
                                   "\" must match [a-z][a-z0-9_]{0,62}");
  };
  if (name.empty() || name.size() > 63 || name[0] < 'a' || name[0] > 'z') return fail();
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return fail();
  }
  return Status::Ok();
}

Status DatasetNotFound(std::string_view name) {
  return Status::NotFound("dataset \"" + std::string(name) + "\" does not exist");
}

Status ValidateTagName(std::string_view tag) {
  auto fail = [&] {
    return Status::InvalidArgument("tag name \"" + std::string(tag) +
                                   "\" must match [a-z][a-z0-9_.-]{0,62}");
  };
  if (tag.empty() || tag.size() > 63 || tag[0] < 'a' || tag[0] > 'z') return fail();
  for (char c : tag) {
    bool allowed =
        (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    if (!allowed) return fail();
  }
  return Status::Ok();
}

std::string DataFilePrefix(std::string_view dataset) {
  return "data/" + std::string(dataset) + "/";
}

std::string StoreCatalog::ManifestKey(std::string_view name, uint64_t version) {
  char digits[16];
  std::snprintf(digits, sizeof digits, "%010llu", static_cast<unsigned long long>(version));
  return VersionsPrefix(name) + digits + ".json";
}

std::string StoreCatalog::TagKey(std::string_view name, std::string_view tag) {
  return TagsPrefix(name) + std::string(tag) + ".json";
}

Result<std::vector<StoreCatalog::StoredVersion>> StoreCatalog::VersionNumbers(std::string_view name,
                                                                              uint64_t from) {
  const std::string prefix = VersionsPrefix(name);
  storage::ListOptions options;
  options.prefix = prefix;
  options.limit = storage::kMaxListLimit;
  if (from > 1) options.start_after = ManifestKey(name, from - 1);
  std::vector<StoredVersion> versions;
  while (true) {
    LH_ASSIGN_OR_RETURN(auto page, store_.List(options));
    for (const auto& object : page.objects) {
      if (auto v = VersionFromKey(object.key, prefix)) versions.push_back({*v, object.etag});
    }
    if (!page.next) break;
    options.start_after = *page.next;
  }
  return versions;
}

namespace {
class ManifestSink final : public storage::ObjectSink {
 public:
  Status OnInfo(const storage::ObjectInfo& info) override {
    etag = info.etag;
    return Status::Ok();
  }
  Status OnData(std::string_view chunk) override {
    bytes.append(chunk);
    return Status::Ok();
  }
  std::string etag;
  std::string bytes;
};
}  // namespace

Result<Manifest> StoreCatalog::Load(std::string_view name, uint64_t version,
                                    std::optional<std::string> etag) {
  auto cache_key = std::make_pair(std::string(name), version);
  {
    std::lock_guard lock(mu_);
    if (auto it = manifests_.find(cache_key);
        it != manifests_.end() && (!etag || it->second.etag == *etag)) {
      return it->second.manifest;
    }
  }
  ManifestSink sink;
  if (auto got = store_.Get(ManifestKey(name, version), sink); !got.ok()) {
    if (got.status().code() == StatusCode::kNotFound) {
      return Status::NotFound("dataset " + std::string(name) + " has no version " +
                              std::to_string(version));
    }
    return got.status();
  }
  auto manifest = ParseManifest(sink.bytes);
  if (!manifest.ok()) {
    return Status::IoError("manifest " + ManifestKey(name, version) +
                           " is damaged: " + manifest.status().message());
  }
  if (manifest->dataset != name || manifest->version != version) {
    return Status::IoError("manifest " + ManifestKey(name, version) + " is damaged: it names " +
                           manifest->dataset + "@" + std::to_string(manifest->version));
  }
  Remember(*manifest, sink.etag);
  return manifest;
}

void StoreCatalog::Remember(const Manifest& manifest, const std::string& etag) {
  std::lock_guard lock(mu_);
  if (manifests_.size() >= kMaxCachedManifests) manifests_.clear();
  manifests_[{manifest.dataset, manifest.version}] = {manifest, etag};
}

Result<std::optional<Manifest>> StoreCatalog::Head(std::string_view name) {
  LH_RETURN_IF_ERROR(ValidateDatasetName(name));
  uint64_t seen = 0;
  {
    std::lock_guard lock(mu_);
    if (auto it = newest_seen_.find(name); it != newest_seen_.end()) seen = it->second;
  }
  // Versions only grow and vacuum never removes the newest, so listing can
  // resume at the newest version seen so far.
  LH_ASSIGN_OR_RETURN(auto versions, VersionNumbers(name, std::max<uint64_t>(seen, 1)));
  if (versions.empty()) {
    if (seen == 0) return std::optional<Manifest>();
    // The remembered newest is gone: the dataset's objects were removed by
    // hand. Forget it and look again from the start.
    {
      std::lock_guard lock(mu_);
      newest_seen_.erase(std::string(name));
    }
    LH_ASSIGN_OR_RETURN(versions, VersionNumbers(name, 1));
    if (versions.empty()) return std::optional<Manifest>();
  }
  const StoredVersion newest = versions.back();
  {
    std::lock_guard lock(mu_);
    newest_seen_[std::string(name)] = newest.version;
  }
  LH_ASSIGN_OR_RETURN(Manifest manifest, Load(name, newest.version, newest.etag));
  return std::optional<Manifest>(std::move(manifest));
}

Result<Manifest> StoreCatalog::GetCurrent(std::string_view name) {
  LH_ASSIGN_OR_RETURN(auto head, Head(name));
  if (!head || head->operation == Operation::kDelete) {
    return DatasetNotFound(name);
  }
  return std::move(*head);
}

Result<Manifest> StoreCatalog::GetVersion(std::string_view name, uint64_t version) {
  LH_RETURN_IF_ERROR(ValidateDatasetName(name));
  auto manifest = GetStoredVersion(name, version);
  if (manifest.ok() || manifest.status().code() != StatusCode::kNotFound) return manifest;
  // "no version 3" of a dataset that never was would send the reader
  // looking for the wrong thing.
  LH_ASSIGN_OR_RETURN(auto versions, VersionNumbers(name, 1));
  if (versions.empty()) return DatasetNotFound(name);
  return manifest;
}

Result<Manifest> StoreCatalog::GetStoredVersion(std::string_view name, uint64_t version) {
  // A cached manifest may have been vacuumed or rewritten since, possibly
  // by another process: confirm it is still the stored one.
  bool cached;
  {
    std::lock_guard lock(mu_);
    cached = manifests_.contains({std::string(name), version});
  }
  if (!cached) return Load(name, version);
  auto head = store_.Head(ManifestKey(name, version));
  if (!head.ok()) {
    if (head.status().code() != StatusCode::kNotFound) return head.status();
    std::lock_guard lock(mu_);
    manifests_.erase({std::string(name), version});
    return Status::NotFound("dataset " + std::string(name) + " has no version " +
                            std::to_string(version));
  }
  return Load(name, version, head->etag);
}

Result<std::vector<Manifest>> StoreCatalog::ListVersions(std::string_view name) {
  LH_RETURN_IF_ERROR(ValidateDatasetName(name));
  LH_ASSIGN_OR_RETURN(auto versions, VersionNumbers(name, 1));
  if (versions.empty()) return DatasetNotFound(name);
  std::vector<Manifest> manifests;
  for (const auto& v : versions) {
    auto manifest = Load(name, v.version, v.etag);
    if (!manifest.ok()) {
      if (manifest.status().code() == StatusCode::kNotFound) continue;  // vacuumed meanwhile
      return manifest.status();
    }
    manifests.push_back(std::move(*manifest));
  }
  return manifests;
}

Result<DatasetListing> StoreCatalog::ListDatasets() {
  storage::ListOptions options;
  options.prefix = std::string(kCatalogPrefix);
  options.limit = storage::kMaxListLimit;
  std::set<std::string> names;
  while (true) {
    LH_ASSIGN_OR_RETURN(auto page, store_.List(options));
    for (const auto& object : page.objects) {
      std::string_view rest = std::string_view(object.key).substr(kCatalogPrefix.size());
      std::string name(rest.substr(0, rest.find('/')));
      if (ValidateDatasetName(name).ok()) names.insert(name);
    }
    if (!page.next) break;
    options.start_after = *page.next;
  }
  DatasetListing listing;
  for (const auto& name : names) {
    auto head = Head(name);
    if (!head.ok()) {
      // One unreadable manifest must not hide every other dataset; storage
      // failing is another matter, and fails the listing.
      if (head.status().code() != StatusCode::kIoError) return head.status();
      std::lock_guard lock(mu_);
      auto newest = newest_seen_.find(name);
      listing.damaged.push_back(
          {newest == newest_seen_.end() ? VersionsPrefix(name) : ManifestKey(name, newest->second),
           head.status().message()});
      continue;
    }
    if (!*head || (*head)->operation == Operation::kDelete) continue;
    const Manifest& m = **head;
    listing.datasets.push_back({name, m.version, m.rows, m.bytes, m.created_unix_ms});
  }
  return listing;
}

Result<Manifest> StoreCatalog::TryCommit(Manifest manifest) {
  Summarize(manifest);
  manifest.created_unix_ms = NowMs();
  std::string body = ManifestToJson(manifest).dump(2);
  auto put = store_.PutBytes(ManifestKey(manifest.dataset, manifest.version), body,
                             storage::PutMode::kIfAbsent);
  if (!put.ok()) return put.status();
  Remember(manifest, put->etag);
  std::lock_guard lock(mu_);
  auto& seen = newest_seen_[manifest.dataset];
  seen = std::max(seen, manifest.version);
  return manifest;
}

Result<Manifest> StoreCatalog::Commit(const CommitRequest& request) {
  LH_RETURN_IF_ERROR(ValidateDatasetName(request.dataset));
  if (request.schema.empty()) return Status::InvalidArgument("a version needs a schema");
  for (int attempt = 0; attempt < kMaxCommitAttempts; ++attempt) {
    LH_ASSIGN_OR_RETURN(auto head, Head(request.dataset));
    bool live = head && head->operation != Operation::kDelete;
    if (request.mode == WriteMode::kReplace && !request.expected_version) {
      return Status::InvalidArgument("a replace names the version it was computed from");
    }
    // A restore may bring a deleted dataset back: its base is the deletion.
    bool restores_deleted = head && !live && request.mode == WriteMode::kReplace &&
                            request.operation == Operation::kRestore;
    if (request.mode != WriteMode::kAppend && request.expected_version &&
        (!(live || restores_deleted) || head->version != *request.expected_version)) {
      return Status::Conflict("dataset " + request.dataset + " changed: expected version " +
                              std::to_string(*request.expected_version) + ", found " +
                              (live || restores_deleted ? std::to_string(head->version) : "none"));
    }
    Manifest next;
    next.dataset = request.dataset;
    next.version = head ? head->version + 1 : 1;
    if (head) next.parent = head->version;
    next.schema = request.schema;
    next.source = request.source;
    next.files = request.files;
    next.counts = {RowsOf(request.files), 0, 0};
    next.mixed_schema = request.mixed_schema;
    if (request.mode == WriteMode::kReplace) {
      next.operation = request.operation;
      next.counts = request.counts;
      next.restored_from = request.restored_from;
      if (request.erasure) next.erasures = {*request.erasure};
    } else if (!live) {
      next.operation = Operation::kCreate;
    } else if (request.mode == WriteMode::kOverwrite) {
      next.operation = Operation::kOverwrite;
      next.counts.deleted = head->rows;
    } else {
      if (head->schema != request.schema) {
        return Status::Conflict("schema of " + request.dataset + " changed to " +
                                std::to_string(head->schema.size()) +
                                " columns while appending; retry the ingest");
      }
      next.operation = Operation::kAppend;
      next.mixed_schema = head->mixed_schema || request.mixed_schema;
      next.files = head->files;
      next.files.insert(next.files.end(), request.files.begin(), request.files.end());
    }
    auto committed = TryCommit(std::move(next));
    if (committed.ok()) return committed;
    if (committed.status().code() != StatusCode::kAlreadyExists) return committed.status();
    if (request.mode != WriteMode::kAppend) {
      return Status::Conflict("another writer committed version " +
                              std::to_string(head ? head->version + 1 : 1) + " of " +
                              request.dataset + " first");
    }
    // An append lost the race: rebase onto the winner and try the next number.
  }
  return Status::Conflict("too many concurrent commits to " + request.dataset);
}

Result<std::vector<uint64_t>> StoreCatalog::RewriteFiles(std::string_view name,
                                                         const FileRewrites& rewrites) {
  LH_RETURN_IF_ERROR(ValidateDatasetName(name));
  // Vacuum takes this too: it never removes a file a rewrite is about to name.
  std::lock_guard retention(retention_mu_);
  LH_ASSIGN_OR_RETURN(auto versions, VersionNumbers(name, 1));
  std::vector<uint64_t> rewritten;
  for (const auto& stored : versions) {
    auto manifest = Load(name, stored.version, stored.etag);
    if (!manifest.ok()) {
      if (manifest.status().code() == StatusCode::kNotFound) continue;  // vacuumed meanwhile
      return manifest.status();
    }
    LH_ASSIGN_OR_RETURN(bool changed, ApplyRewrites(rewrites, *manifest));
    if (!changed) continue;
    LH_ASSIGN_OR_RETURN(
        auto put, store_.PutBytes(ManifestKey(name, stored.version),
                                  ManifestToJson(*manifest).dump(2), storage::PutMode::kOverwrite));
    Remember(*manifest, put.etag);
    rewritten.push_back(stored.version);
  }
  return rewritten;
}

Result<Manifest> StoreCatalog::DeleteDataset(std::string_view name) {
  for (int attempt = 0; attempt < kMaxCommitAttempts; ++attempt) {
    LH_ASSIGN_OR_RETURN(auto head, Head(name));
    if (!head || head->operation == Operation::kDelete) {
      return DatasetNotFound(name);
    }
    Manifest tombstone;
    tombstone.dataset = std::string(name);
    tombstone.version = head->version + 1;
    tombstone.parent = head->version;
    tombstone.operation = Operation::kDelete;
    auto committed = TryCommit(std::move(tombstone));
    if (committed.ok() || committed.status().code() != StatusCode::kAlreadyExists) {
      return committed;
    }
  }
  return Status::Conflict("too many concurrent commits to " + std::string(name));
}

}  // namespace lakehouse::catalog
