// The Catalog over an ObjectStore: what `serve` and `catalogd` run.
// Thread-safe (catalog.h); it caches manifests it has read, checked against
// the store by etag, so another process's rewrite is never missed. `store`
// must outlive it.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "catalog/catalog.h"
#include "storage/object_store.h"

namespace lakehouse::catalog {

class StoreCatalog final : public Catalog {
 public:
  explicit StoreCatalog(storage::ObjectStore& store) : store_(store) {}

  Result<DatasetListing> ListDatasets() override;
  Result<Manifest> GetCurrent(std::string_view name) override;
  Result<Manifest> GetVersion(std::string_view name, uint64_t version) override;
  Result<std::vector<Manifest>> ListVersions(std::string_view name) override;
  Result<Manifest> Commit(const CommitRequest& request) override;
  Result<Manifest> DeleteDataset(std::string_view name) override;
  Result<VacuumReport> Vacuum(std::string_view name, uint64_t keep) override;
  Status PutTag(std::string_view name, std::string_view tag, uint64_t version) override;
  Result<std::vector<Tag>> ListTags(std::string_view name) override;
  Result<uint64_t> GetTag(std::string_view name, std::string_view tag) override;
  Status DeleteTag(std::string_view name, std::string_view tag) override;
  Result<std::vector<uint64_t>> RewriteFiles(std::string_view name,
                                             const FileRewrites& rewrites) override;

  // The object key of a version's manifest.
  static std::string ManifestKey(std::string_view name, uint64_t version);
  // The object key of a tag.
  static std::string TagKey(std::string_view name, std::string_view tag);

 private:
  // The newest manifest of any operation (including delete), or nullopt.
  Result<std::optional<Manifest>> Head(std::string_view name);
  struct StoredVersion {
    uint64_t version = 0;
    std::string etag;
  };
  // Versions present in storage, ascending, at or after `from`.
  Result<std::vector<StoredVersion>> VersionNumbers(std::string_view name, uint64_t from);
  // GetVersion without telling an unknown dataset from an unknown version.
  Result<Manifest> GetStoredVersion(std::string_view name, uint64_t version);
  // The manifest, from the cache unless `etag` says the stored one differs.
  Result<Manifest> Load(std::string_view name, uint64_t version,
                        std::optional<std::string> etag = std::nullopt);
  void Remember(const Manifest& manifest, const std::string& etag);
  // Tries to write `manifest` as a new version; kAlreadyExists if taken.
  Result<Manifest> TryCommit(Manifest manifest);
  // Every tag object under the dataset, by tag name; a damaged one is kIoError.
  Result<std::vector<Tag>> ReadTags(std::string_view name);

  storage::ObjectStore& store_;
  // Serialises setting a tag with vacuum choosing and removing manifests, so
  // a tag set through this catalog never names a version vacuum removes.
  // (Two processes over one store are not serialised: tag while no vacuum
  // of that dataset runs elsewhere.)
  std::mutex retention_mu_;
  std::mutex mu_;
  // Manifests change only when an erasure rewrites them: a cached one is
  // checked against the stored object's etag wherever that comes cheap (a
  // listing, the Head that a lookup by number makes anyway).
  struct CachedManifest {
    Manifest manifest;
    std::string etag;
  };
  std::map<std::pair<std::string, uint64_t>, CachedManifest> manifests_;
  // The newest version seen per dataset: listing resumes after it.
  std::map<std::string, uint64_t, std::less<>> newest_seen_;
};

}  // namespace lakehouse::catalog
