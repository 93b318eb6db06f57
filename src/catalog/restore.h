// catalog::Restore — a dataset's files as they were at an earlier version (or
// a tag's), committed again as a new version.
//
// Promises:
//  - No data is copied: the new version lists exactly the files (and their
//    deletes), schema and mixed_schema of the one restored, records
//    `restored_from`, counts that version's rows as inserted and the
//    replaced version's as deleted, and has operation "restore".
//  - A deleted dataset can be restored: the new version brings it back.
//  - A version that does not exist or is a deletion, and an unknown tag,
//    are kNotFound naming it; a target that names neither or both a version
//    and a tag is kInvalidArgument.
//  - A restore that loses a race to another writer re-reads the current
//    version and tries again a few times, then answers kConflict.
//
// Thread-safe as far as the Catalog is: Restore keeps no state of its own.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "catalog/catalog.h"

namespace lakehouse::catalog {

// Exactly one of the two.
struct RestoreTarget {
  std::optional<uint64_t> version;
  std::optional<std::string> tag;

  static RestoreTarget OfVersion(uint64_t version) { return {version, std::nullopt}; }
  static RestoreTarget OfTag(std::string tag) { return {std::nullopt, std::move(tag)}; }
};

Result<Manifest> Restore(Catalog& catalog, std::string_view name, const RestoreTarget& target);

}  // namespace lakehouse::catalog
