// catalog::Restore (restore.h): reads the version to bring back, then commits
// its files as a replace of whatever is current, again if another writer
// got in first.
#include "catalog/restore.h"

namespace lakehouse::catalog {
namespace {

// Each attempt re-reads the current version, so only a steady stream of
// other commits exhausts them.
constexpr int kMaxRestoreAttempts = 8;

// The current version, a deletion included: what the restore replaces.
Result<Manifest> Newest(Catalog& catalog, std::string_view name) {
  auto current = catalog.GetCurrent(name);
  if (current.ok() || current.status().code() != StatusCode::kNotFound) return current;
  // Unknown or deleted: the newest version, if any, is the deletion.
  LH_ASSIGN_OR_RETURN(auto versions, catalog.ListVersions(name));
  if (versions.empty()) return current.status();
  return std::move(versions.back());
}

}  // namespace

Result<Manifest> Restore(Catalog& catalog, std::string_view name, const RestoreTarget& target) {
  LH_RETURN_IF_ERROR(ValidateDatasetName(name));
  if (target.version.has_value() == target.tag.has_value()) {
    return Status::InvalidArgument("a restore names either a version or a tag");
  }
  uint64_t version = 0;
  if (target.tag) {
    LH_ASSIGN_OR_RETURN(version, catalog.GetTag(name, *target.tag));
  } else {
    version = *target.version;
  }
  LH_ASSIGN_OR_RETURN(Manifest restored, catalog.GetVersion(name, version));
  if (restored.operation == Operation::kDelete) {
    return Status::NotFound("version " + std::to_string(version) + " of " + std::string(name) +
                            " is a deletion and has no rows to restore");
  }
  CommitRequest request;
  request.dataset = std::string(name);
  request.mode = WriteMode::kReplace;
  request.operation = Operation::kRestore;
  request.schema = restored.schema;
  request.files = restored.files;
  request.mixed_schema = restored.mixed_schema;
  request.restored_from = version;
  Status last = Status::Ok();
  for (int attempt = 0; attempt < kMaxRestoreAttempts; ++attempt) {
    LH_ASSIGN_OR_RETURN(Manifest current, Newest(catalog, name));
    request.expected_version = current.version;
    request.counts = {restored.rows, 0, current.rows};
    auto committed = catalog.Commit(request);
    if (committed.ok() || committed.status().code() != StatusCode::kConflict) return committed;
    last = committed.status();
  }
  return last;
}

}  // namespace lakehouse::catalog
