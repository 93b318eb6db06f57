// PublishingCatalog: each change to a dataset's versions, then its Iceberg table.
#include "iceberg/publishing_catalog.h"

#include <spdlog/spdlog.h>

#include <set>

namespace lakehouse::iceberg {

void PublishingCatalog::Follow(std::string_view name) {
  Status s = publisher_.Publish(name);
  if (!s.ok()) {
    spdlog::warn(
        "iceberg: the table of dataset {} is behind its versions until the next publish: {}", name,
        s.message());
  }
}

Result<catalog::Manifest> PublishingCatalog::Commit(const catalog::CommitRequest& request) {
  auto committed = inner_.Commit(request);
  if (committed.ok()) Follow(request.dataset);
  return committed;
}

Result<catalog::Manifest> PublishingCatalog::DeleteDataset(std::string_view name) {
  auto deleted = inner_.DeleteDataset(name);
  if (deleted.ok()) Follow(name);
  return deleted;
}

Status PublishingCatalog::PutTag(std::string_view name, std::string_view tag, uint64_t version) {
  Status s = inner_.PutTag(name, tag, version);
  if (s.ok()) Follow(name);
  return s;
}

Status PublishingCatalog::DeleteTag(std::string_view name, std::string_view tag) {
  Status s = inner_.DeleteTag(name, tag);
  if (s.ok()) Follow(name);
  return s;
}

Result<std::vector<uint64_t>> PublishingCatalog::RewriteFiles(
    std::string_view name, const catalog::FileRewrites& rewrites) {
  LH_ASSIGN_OR_RETURN(auto rewritten, inner_.RewriteFiles(name, rewrites));
  if (Status s = publisher_.Publish(name); !s.ok()) {
    return Status::Unavailable("the erased files are still named by dataset \"" +
                               std::string(name) +
                               "\"'s Iceberg metadata, which could not be "
                               "written again: " +
                               s.message());
  }
  return rewritten;
}

Result<catalog::VacuumReport> PublishingCatalog::Vacuum(std::string_view name, uint64_t keep) {
  auto lock = publisher_.LockDataset(name);
  auto versions = inner_.ListVersions(name);
  if (versions.ok() && keep > 0 && versions->size() > keep) {
    LH_ASSIGN_OR_RETURN(auto tags, inner_.ListTags(name));
    const auto kept = catalog::VersionsVacuumKeeps(*versions, tags, keep);
    if (Status s = publisher_.PublishLocked(name, &kept); !s.ok()) {
      // No metadata may name what the vacuum removes: withdraw the whole
      // table rather than hold the vacuum up; it is published again later.
      static const std::set<uint64_t> kNone;
      if (Status w = publisher_.PublishLocked(name, &kNone); !w.ok()) {
        return Status::Unavailable(
            "nothing was vacuumed: the Iceberg snapshots of the versions "
            "to remove could not be expired first: " +
            s.message());
      }
      spdlog::warn(
          "iceberg: the table of dataset {} was withdrawn before a vacuum, as it could "
          "not be published: {}",
          name, s.message());
    }
  }
  auto report = inner_.Vacuum(name, keep);
  if (Status s = publisher_.PublishLocked(name, nullptr); !s.ok()) {
    spdlog::warn(
        "iceberg: the table of dataset {} is behind its versions until the next "
        "publish: {}",
        name, s.message());
  }
  return report;
}

}  // namespace lakehouse::iceberg
