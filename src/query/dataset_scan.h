// The scan of a dataset version in DuckDB: which table function reads its
// files, and the machinery that drops the rows its deletion vectors remove.
//
// A version without deletes whose files share one schema is read by plain
// `read_parquet(files)`. Otherwise the scan is one of two table macros
// registered by RegisterDatasetScan:
//
//   lakehouse_scan(files, by_name)
//       read_parquet(files, union_by_name = by_name)
//   lakehouse_scan_live(files, set, by_name)
//       the same, WHERE lakehouse_live(set, file_index, file_row_number)
//
// `lakehouse_live` tests each row against the bitmaps of deletion set `set`,
// registered in a DeletionSets for as long as the query that reads it
// lives. A bitmap test per row costs far less than an anti-join with the
// deleted positions (measured: 1.3x against 2.8x a plain scan's time with
// a tenth of a million rows deleted).
//
// Users never call these by name: the SQL fence denies them; the engine's
// replacement scan names them after the fence has passed the query.
#pragma once

#include <duckdb.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "common/status.h"
#include "query/deletion_vector.h"
#include "storage/object_store.h"

namespace lakehouse::query {

// The deleted rows of a version's files, by file index (the order of the
// files passed to the scan); null where a file has none.
using DeletionSet = std::vector<std::shared_ptr<const DeletedRows>>;

// Deletion sets by number, for lakehouse_live. Thread-safe.
class DeletionSets {
 public:
  // Keeps a set registered while it lives. Move-only.
  class Registration {
   public:
    Registration() = default;
    Registration(Registration&& other) noexcept { *this = std::move(other); }
    Registration& operator=(Registration&& other) noexcept;
    ~Registration() { Release(); }
    uint64_t id() const { return id_; }

   private:
    friend class DeletionSets;
    void Release();
    DeletionSets* sets_ = nullptr;
    uint64_t id_ = 0;
  };

  Registration Register(std::shared_ptr<const DeletionSet> set);
  // The set registered as `id`; null once its registration is gone.
  std::shared_ptr<const DeletionSet> Find(uint64_t id) const;

 private:
  mutable std::mutex mu_;
  uint64_t next_id_ = 1;
  std::map<uint64_t, std::shared_ptr<const DeletionSet>> sets_;
};

// Reads (or finds cached) one deletion vector by key.
using DeletionVectorLoader =
    std::function<Result<std::shared_ptr<const DeletionVector>>(const std::string& key)>;

// The bitmaps of every file of `manifest` with deletes. A vector that
// cannot be read, is damaged, or does not fit its file (wrong row count, a
// row deleted twice) is kIoError naming its key.
Result<std::shared_ptr<const DeletionSet>> LoadDeletionSet(const catalog::Manifest& manifest,
                                                           const DeletionVectorLoader& load);

// Reads and decodes a deletion vector from `store`; kIoError naming the key.
Result<std::shared_ptr<const DeletionVector>> ReadDeletionVector(storage::ObjectStore& store,
                                                                 const std::string& key);

// Decoded deletion vectors by key, read from the store once: they are
// immutable, so a cached one never goes stale. Bounded by a count (each is a
// few KiB to a few hundred); thread-safe; the store must outlive it.
class DeletionVectorCache {
 public:
  explicit DeletionVectorCache(storage::ObjectStore& store, size_t max_vectors = 4096)
      : store_(store), max_vectors_(max_vectors) {}
  Result<std::shared_ptr<const DeletionVector>> Get(const std::string& key);
  DeletionVectorLoader Loader() {
    return [this](const std::string& key) { return Get(key); };
  }

 private:
  storage::ObjectStore& store_;
  const size_t max_vectors_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<const DeletionVector>> vectors_;
};

// Registers lakehouse_live, lakehouse_scan and lakehouse_scan_live on the
// database of `connection`. `sets` must outlive the database.
Status RegisterDatasetScan(duckdb_connection connection, DeletionSets& sets);

// Whether a version needs more than plain read_parquet.
inline bool HasDeletes(const catalog::Manifest& manifest) {
  for (const auto& file : manifest.files) {
    if (!file.deletes.empty()) return true;
  }
  return false;
}

}  // namespace lakehouse::query
