// The Catalog over an ObjectStore: what `serve` and `catalogd` run.
#pragma once

#include <map>
#include <mutex>

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

  // The object key of a version's manifest.
  static std::string ManifestKey(std::string_view name, uint64_t version);

 private:
  // The newest manifest of any operation (including delete), or nullopt.
  Result<std::optional<Manifest>> Head(std::string_view name);
  // Version numbers present in storage, ascending, at or after `from`.
  Result<std::vector<uint64_t>> VersionNumbers(std::string_view name, uint64_t from);
  Result<Manifest> Load(std::string_view name, uint64_t version);
  // Tries to write `manifest` as a new version; kAlreadyExists if taken.
  Result<Manifest> TryCommit(Manifest manifest);

  storage::ObjectStore& store_;
  std::mutex mu_;
  // Manifests are immutable, so caching them never goes stale.
  std::map<std::pair<std::string, uint64_t>, Manifest> manifests_;
  // The newest version seen per dataset: listing resumes after it.
  std::map<std::string, uint64_t, std::less<>> newest_seen_;
};

}  // namespace lakehouse::catalog
