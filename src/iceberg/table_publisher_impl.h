// The publisher's state and one publish's working set, shared by its files:
// table_publisher.cpp (the run, the REST answers) and table_files.cpp (the
// objects of one snapshot). Internal to src/iceberg.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "iceberg/table_metadata.h"
#include "iceberg/table_publisher.h"

namespace lakehouse::iceberg {

struct CachedHead {
  std::string fingerprint;  // of the versions and tags it was built from
  LoadedTable table;
};

struct TablePublisher::Impl {
  Impl(catalog::Catalog& c, storage::ObjectStore& s, PublisherOptions o)
      : catalog(c), store(s), options(std::move(o)) {}

  catalog::Catalog& catalog;
  storage::ObjectStore& store;
  PublisherOptions options;

  std::mutex mu;  // guards the maps below
  std::map<std::string, std::unique_ptr<std::mutex>, std::less<>> dataset_locks;
  // Column statistics by data file key and the fields they were read for:
  // a data file never changes under its key.
  std::map<std::string, std::vector<ColumnStats>> stats;
  // SHA-256 of what this process last wrote or read under a rewritable key.
  std::map<std::string, std::string> written;
  std::map<std::string, CachedHead, std::less<>> heads;
};

// The manifests one snapshot's list names, by content.
struct SnapshotManifests {
  std::vector<ManifestListEntry> data;
  std::vector<ManifestListEntry> deletes;
};

// One publish of one dataset.
struct PublishRun {
  TablePublisher::Impl& impl;
  std::string dataset;
  std::string prefix;                       // _iceberg/<dataset>/
  std::map<std::string, uint64_t> present;  // the table's stored objects and sizes
  std::set<std::string> referenced;         // what the metadata written names
  const TableLayout* layout = nullptr;
  std::vector<SnapshotManifests> manifests;  // parallel to layout->snapshots

  std::string Location(std::string_view key) const { return impl.options.location(key); }
};

// Writes (unless stored) the position delete files and manifests of snapshot
// `i` and its manifest list; answers the list's key. Snapshots before `i`
// must have been written already: a snapshot reuses its parent's manifests.
Result<std::string> WriteSnapshotFiles(PublishRun& run, size_t i);

// Stores `bytes` under `key` unless an object is there already (the key
// names its content); records it as referenced. Answers its size.
Result<uint64_t> PutImmutable(PublishRun& run, const std::string& key,
                              const std::function<Result<std::string>()>& bytes);

// First 16 hex digits of the SHA-256 of `text`: the <h> of object names.
Result<std::string> ShortHash(std::string_view text);

}  // namespace lakehouse::iceberg
