// queryd's local copies of data files on remote storage (S3, storaged over
// HTTP), so DuckDB reads a local file and a warm query fetches nothing.
//
// Promises:
//  - Data files are immutable, so a copy is never stale: a key is fetched at
//    most once while its copy stays, and nothing is ever revalidated.
//  - A store that keeps objects on this machine (LocalPathOf) is read in
//    place: nothing is copied, counted or pinned.
//  - Bounded: the copies on disk, downloads in flight included, stay within
//    `max_bytes`. The least recently used copy goes first. The one exception
//    is a copy pinned by a Lease: it is never evicted, so while the pinned
//    copies alone exceed the bound the cache holds more, and the excess goes
//    as their leases end.
//  - Concurrent misses on one key download it once; the others wait for
//    that download and share its result.
//  - A download that fails leaves no file and no entry; the next Acquire
//    tries again.
//  - The directory belongs to this cache (one process): at Open the copies
//    already there are adopted (sizes from the filesystem, recency from their
//    mtime, which each use refreshes), temp files of an interrupted download
//    are removed, and the bound is applied at once.
//  - Thread-safe. Leases must not outlive the cache.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "common/status.h"
#include "storage/object_store.h"

namespace lakehouse::query {

struct DataFileCacheOptions {
  std::string dir;
  uint64_t max_bytes = 10ull << 30;
};

// Counters since Open, and what is held now; for /metrics and the bench.
struct DataFileCacheStats {
  uint64_t hits = 0;           // Acquire found the copy (or its download in flight)
  uint64_t misses = 0;         // Acquire started a download
  uint64_t bytes_fetched = 0;  // bytes downloaded by successful misses
  uint64_t fetch_failures = 0;
  uint64_t evictions = 0;
  uint64_t bytes_held = 0;  // copies on disk plus downloads in flight
  uint64_t files_held = 0;
  uint64_t pinned_files = 0;
  uint64_t max_bytes = 0;
};

class DataFileCache {
 public:
  // A local path to read a data file from, pinned (when it is a copy) until
  // the lease is destroyed. Move-only.
  class Lease {
   public:
    Lease() = default;
    Lease(Lease&& other) noexcept { *this = std::move(other); }
    Lease& operator=(Lease&& other) noexcept;
    ~Lease() { Release(); }
    const std::string& path() const { return path_; }

   private:
    friend class DataFileCache;
    void Release();
    DataFileCache* cache_ = nullptr;  // null: nothing pinned (a local store's file)
    std::string name_;
    std::string path_;
  };

  static Result<std::unique_ptr<DataFileCache>> Open(const DataFileCacheOptions& options,
                                                     storage::ObjectStore& store);
  ~DataFileCache();
  DataFileCache(const DataFileCache&) = delete;
  DataFileCache& operator=(const DataFileCache&) = delete;

  // The data file under `key`, downloaded first unless a copy is held (or
  // the store is local). The store's error when the download fails.
  Result<Lease> Acquire(std::string_view key);

  // Removes the copy of a key whose object is gone for good (an erasure
  // rewrote it): at once, or when its last lease ends. A later Acquire
  // fetches the key again.
  void Forget(std::string_view key);

  DataFileCacheStats stats() const;
  const std::string& dir() const { return options_.dir; }

 private:
  struct Flight;  // one download, shared by the misses that wait for it
  struct Entry {
    uint64_t size = 0;  // on disk, or reserved while downloading
    int pins = 0;
    std::shared_ptr<Flight> flight;        // set while downloading
    std::list<std::string>::iterator lru;  // position in lru_, once ready
    bool forgotten = false;                // Forget came while it was pinned
  };

  DataFileCache(const DataFileCacheOptions& options, storage::ObjectStore& store);
  Status Adopt();
  Result<uint64_t> Download(std::string_view key, const std::string& name);
  // Makes room for `incoming` more bytes by evicting unpinned copies, least
  // recently used first; stops when none is left to evict.
  void EvictFor(uint64_t incoming);
  // Removes a ready, unpinned entry and its copy; mu_ held.
  void RemoveLocked(std::map<std::string, Entry>::iterator entry);
  void Unpin(const std::string& name);
  std::string PathOf(const std::string& name) const;
  Lease MakeLease(const std::string& name);

  DataFileCacheOptions options_;
  storage::ObjectStore& store_;
  mutable std::mutex mu_;
  std::condition_variable done_cv_;
  std::map<std::string, Entry> entries_;  // by file name: sha256(key).parquet
  std::list<std::string> lru_;            // ready entries, most recently used first
  uint64_t bytes_held_ = 0;
  uint64_t temp_counter_ = 0;
  DataFileCacheStats counters_;
};

}  // namespace lakehouse::query
