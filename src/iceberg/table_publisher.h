// iceberg::TablePublisher — writes each dataset's versions as an Iceberg v2
// table beside them in the store, and serves them to the REST catalog.
//
// A table's objects live under `_iceberg/<dataset>/`:
//   deletes/<h>.parquet           a deletion vector as a position delete file
//   metadata/<N>-<h>-m0.avro      a manifest of data files written for version N
//   metadata/<N>-<h>-d0.avro      a manifest of position delete files
//   metadata/snap-<N>-<h>.avro    version N's manifest list
//   metadata/v<N>.metadata.json   the table as of version N
//   metadata/version-hint.text    the newest N
// <h> is a hash of what the object lists, so an object never changes once
// written and one that exists need not be written again; only the metadata
// JSON files and the hint are rewritten (by a vacuum, an erasure, a tag).
//
// Order of operations, each crash point safe: every object is written
// before any object that names it (delete files, manifests, manifest lists,
// metadata JSON oldest first, the hint), and objects no metadata names any
// more are removed last, metadata JSON first, so no stored metadata ever
// names a missing object. The versions under _catalog/ stay the source of
// truth: a publish that fails leaves them untouched, and the next publish of
// the dataset (its next commit, a REST load, or startup) writes what is
// missing. Vacuum publishes the versions it keeps before their files go
// (publishing_catalog.h).
//
// Threads: any method from any thread; publishes of one dataset run one at
// a time in this process. Lifetimes: `catalog` and `store` must outlive it.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "catalog/catalog.h"
#include "common/status.h"
#include "iceberg/table_source.h"
#include "storage/object_store.h"

namespace lakehouse::iceberg {

// The full location engines read an object key at, e.g.
// "s3://bucket/prefix/<key>" or "file:///srv/lake/objects/...".
using LocationOf = std::function<std::string(std::string_view key)>;

struct PublisherOptions {
  LocationOf location;
  std::string scratch_dir;  // temp files: position delete files, downloaded footers
};

// Where a dataset's table objects live: "_iceberg/<dataset>/".
std::string TablePrefix(std::string_view dataset);

class TablePublisher final : public TableSource {
 public:
  // `catalog` must be the catalog under any publishing wrapper.
  TablePublisher(catalog::Catalog& catalog, storage::ObjectStore& store, PublisherOptions options);
  ~TablePublisher() override;

  // Writes what is missing or stale of the dataset's table and removes what
  // nothing names any more. A dataset that never was: its table removed.
  Status Publish(std::string_view dataset);
  // Publish as if only the versions in `keep` were stored: before a vacuum
  // removes the others.
  Status PublishKept(std::string_view dataset, const std::set<uint64_t>& keep);
  // Every dataset, the damaged ones left out: what startup runs. Answers the
  // first failure after trying all.
  Status PublishAll();

  // Holds the dataset's publish lock, for a caller that must keep other
  // publishes out across several steps (a vacuum).
  std::unique_lock<std::mutex> LockDataset(std::string_view dataset);
  // Publish and PublishKept for a caller already holding the lock.
  Status PublishLocked(std::string_view dataset, const std::set<uint64_t>* keep);

  Result<std::vector<std::string>> ListTables() override;
  Result<LoadedTable> LoadTable(std::string_view name) override;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace lakehouse::iceberg
