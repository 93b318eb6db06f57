// StoreCatalog::Vacuum: old versions removed, then every file no kept version reads.
#include <set>

#include "catalog/store_catalog.h"
#include "catalog/store_catalog_keys.h"
#include "common/logging.h"

namespace lakehouse::catalog {
namespace {

// Data files younger than this may belong to an ingest still in flight.
constexpr int64_t kOrphanGraceMs = 60 * 60 * 1000;

// Every object a version reads: its data files and their deletes.
void AddObjectsOf(const Manifest& m, std::set<std::string>* keys) {
  for (const auto& f : m.files) {
    keys->insert(f.key);
    for (const auto& d : f.deletes) keys->insert(d.key);
  }
}

}  // namespace

std::set<uint64_t> VersionsVacuumKeeps(const std::vector<Manifest>& versions,
                                       const std::vector<Tag>& tags, uint64_t keep) {
  std::set<uint64_t> kept;
  for (const auto& tag : tags) kept.insert(tag.version);
  const size_t first_kept = versions.size() > keep ? versions.size() - keep : 0;
  for (size_t i = first_kept; i < versions.size(); ++i) kept.insert(versions[i].version);
  return kept;
}

Result<VacuumReport> StoreCatalog::Vacuum(std::string_view name, uint64_t keep) {
  LH_RETURN_IF_ERROR(ValidateDatasetName(name));
  if (keep == 0) return Status::InvalidArgument("keep must be at least 1");
  VacuumReport report;
  std::set<std::string> referenced;
  std::set<std::string> unreferenced;
  {
    std::lock_guard retention(retention_mu_);
    LH_ASSIGN_OR_RETURN(auto versions, ListVersions(name));
    if (versions.size() <= keep) return report;
    // A damaged tag fails the vacuum: the version it names is unknown, so
    // nothing may be removed.
    LH_ASSIGN_OR_RETURN(auto tags, ReadTags(name));
    const std::set<uint64_t> kept = VersionsVacuumKeeps(versions, tags, keep);
    const size_t first_kept = versions.size() - keep;
    std::vector<const Manifest*> removed;
    for (size_t i = 0; i < versions.size(); ++i) {
      if (!kept.contains(versions[i].version)) {
        removed.push_back(&versions[i]);
        continue;
      }
      if (i < first_kept) report.kept_tagged.push_back(versions[i].version);
      AddObjectsOf(versions[i], &referenced);
    }
    // Manifests go first: a crash between the two steps leaves unreferenced
    // files, which the orphan sweep below removes next time, never a version
    // whose files are gone.
    for (const Manifest* m : removed) {
      Status deleted = store_.Delete(ManifestKey(name, m->version));
      if (!deleted.ok() && deleted.code() != StatusCode::kNotFound) return deleted;
      report.removed_versions.push_back(m->version);
      {
        std::lock_guard lock(mu_);
        manifests_.erase({std::string(name), m->version});
      }
      std::set<std::string> objects;
      AddObjectsOf(*m, &objects);
      for (const auto& key : objects) {
        if (!referenced.contains(key)) unreferenced.insert(key);
      }
    }
  }
  // Files under the dataset's data prefix that no kept version names and that
  // are old enough not to belong to an ingest in flight.
  storage::ListOptions options;
  options.prefix = DataFilePrefix(name);
  options.limit = storage::kMaxListLimit;
  const int64_t cutoff = NowMs() - kOrphanGraceMs;
  while (true) {
    LH_ASSIGN_OR_RETURN(auto page, store_.List(options));
    for (const auto& object : page.objects) {
      if (!referenced.contains(object.key) && object.modified_unix_ms < cutoff) {
        unreferenced.insert(object.key);
      }
    }
    if (!page.next) break;
    options.start_after = *page.next;
  }
  for (const auto& key : unreferenced) {
    Status deleted = store_.Delete(key);
    if (!deleted.ok() && deleted.code() != StatusCode::kNotFound) return deleted;
    report.removed_files.push_back(key);
  }
  spdlog::info("vacuum {}: removed {} versions and {} files, kept {} tagged versions", name,
               report.removed_versions.size(), report.removed_files.size(),
               report.kept_tagged.size());
  return report;
}

}  // namespace lakehouse::catalog
