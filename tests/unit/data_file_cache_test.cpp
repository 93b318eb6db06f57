// queryd's data file cache: fetch once, bounded with LRU eviction, pins held
// by running queries, one download for concurrent misses, nothing left by a
// failed download, adoption at startup; and the engine over a remote store.
#include "query/data_file_cache.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

#include "catalog/store_catalog.h"
#include "common/config.h"
#include "ingest/ingestor.h"
#include "query/query_engine.h"
#include "storage/local_object_store.h"
#include "testing/fault_injecting_store.h"
#include "testing/temp_dir.h"

namespace lakehouse::query {
namespace {

using testing::TempDir;

// A remote-looking store over a local one: no LocalPathOf, every Get counted
// by key; Gets can be held at a gate or made to fail half-way.
class CountingStore final : public testing::ForwardingObjectStore {
 public:
  explicit CountingStore(storage::ObjectStore& inner)
      : ForwardingObjectStore(inner), inner_(inner) {}

  std::optional<std::string> LocalPathOf(std::string_view) const override { return std::nullopt; }
  Result<storage::ObjectInfo> Get(std::string_view key, storage::ObjectSink& sink) override {
    {
      std::unique_lock lock(mu_);
      ++gets_[std::string(key)];
      ++started_;
      cv_.notify_all();
      cv_.wait(lock, [&] { return !gated_; });
    }
    if (fail_next_) {
      fail_next_ = false;
      // Half the bytes, then the connection "drops".
      LH_ASSIGN_OR_RETURN(std::string bytes, inner_.GetBytes(key));
      LH_RETURN_IF_ERROR(sink.OnInfo({std::string(key), bytes.size(), "", 0}));
      LH_RETURN_IF_ERROR(sink.OnData(std::string_view(bytes).substr(0, bytes.size() / 2)));
      return Status::Unavailable("connection reset");
    }
    return inner_.Get(key, sink);
  }

  // Gets of keys starting with `prefix`.
  int Gets(const std::string& prefix = "") {
    std::lock_guard lock(mu_);
    int n = 0;
    for (const auto& [key, count] : gets_) n += key.starts_with(prefix) ? count : 0;
    return n;
  }
  void Gate(bool closed) {
    std::lock_guard lock(mu_);
    gated_ = closed;
    cv_.notify_all();
  }
  void WaitForStarted(int n) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return started_ >= n; });
  }
  void FailNext() { fail_next_ = true; }

 private:
  storage::ObjectStore& inner_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, int> gets_;
  int started_ = 0;
  bool gated_ = false;
  std::atomic<bool> fail_next_{false};
};

class DataFileCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = storage::LocalObjectStore::Open({dir_.path() + "/objects", 1ull << 30});
    ASSERT_TRUE(store.ok());
    local_ = std::move(*store);
    remote_ = std::make_unique<CountingStore>(*local_);
    for (const char* key : {"a", "b", "c", "d"}) {
      ASSERT_TRUE(local_->PutBytes(std::string("data/") + key, std::string(100, *key)).ok());
    }
  }
  std::unique_ptr<DataFileCache> OpenCache(uint64_t max_bytes) {
    auto cache = DataFileCache::Open({.dir = cache_dir(), .max_bytes = max_bytes}, *remote_);
    EXPECT_TRUE(cache.ok()) << cache.status().ToString();
    return cache.ok() ? std::move(*cache) : nullptr;
  }
  // Acquires and releases at once.
  void Touch(DataFileCache& cache, const std::string& name) {
    auto lease = cache.Acquire("data/" + name);
    ASSERT_TRUE(lease.ok()) << lease.status().ToString();
  }
  std::string cache_dir() const { return dir_.path() + "/cache"; }
  size_t FilesInCache() const {
    size_t n = 0;
    for ([[maybe_unused]] const auto& item : std::filesystem::directory_iterator(cache_dir())) ++n;
    return n;
  }

  TempDir dir_;
  std::unique_ptr<storage::LocalObjectStore> local_;
  std::unique_ptr<CountingStore> remote_;
};

TEST_F(DataFileCacheTest, FetchesOnceThenHits) {
  auto cache = OpenCache(1 << 20);
  auto lease = cache->Acquire("data/a");
  ASSERT_TRUE(lease.ok());
  EXPECT_EQ(std::filesystem::file_size(lease->path()), 100u);
  EXPECT_TRUE(lease->path().starts_with(cache_dir() + "/"));
  Touch(*cache, "a");
  EXPECT_EQ(remote_->Gets(), 1);
  auto stats = cache->stats();
  EXPECT_EQ(stats.misses, 1u);
  EXPECT_EQ(stats.hits, 1u);
  EXPECT_EQ(stats.bytes_fetched, 100u);
  EXPECT_EQ(stats.bytes_held, 100u);
  EXPECT_EQ(stats.files_held, 1u);
  EXPECT_EQ(stats.pinned_files, 1u);
}

TEST_F(DataFileCacheTest, LocalStoreIsReadInPlace) {
  auto cache = DataFileCache::Open({.dir = cache_dir(), .max_bytes = 1 << 20}, *local_);
  ASSERT_TRUE(cache.ok());
  auto lease = (*cache)->Acquire("data/a");
  ASSERT_TRUE(lease.ok());
  EXPECT_EQ(lease->path(), *local_->LocalPathOf("data/a"));
  EXPECT_EQ(FilesInCache(), 0u);
  EXPECT_EQ((*cache)->stats().misses + (*cache)->stats().hits, 0u);
}

TEST_F(DataFileCacheTest, BoundHoldsByEvictingLeastRecentlyUsed) {
  auto cache = OpenCache(300);
  Touch(*cache, "a");
  Touch(*cache, "b");
  Touch(*cache, "c");
  Touch(*cache, "a");  // b is now the least recently used
  Touch(*cache, "d");
  auto stats = cache->stats();
  EXPECT_EQ(stats.evictions, 1u);
  EXPECT_EQ(stats.bytes_held, 300u);
  EXPECT_EQ(FilesInCache(), 3u);
  EXPECT_EQ(remote_->Gets(), 4);
  Touch(*cache, "a");
  Touch(*cache, "c");
  Touch(*cache, "d");
  EXPECT_EQ(remote_->Gets(), 4);  // all still there
  Touch(*cache, "b");             // gone: fetched again, evicting a
  EXPECT_EQ(remote_->Gets(), 5);
  EXPECT_EQ(remote_->Gets("data/b"), 2);
  EXPECT_EQ(cache->stats().bytes_held, 300u);
  Touch(*cache, "a");
  EXPECT_EQ(remote_->Gets("data/a"), 2);
}

TEST_F(DataFileCacheTest, PinnedFilesSurviveEvictionPressure) {
  auto cache = OpenCache(200);
  auto a = cache->Acquire("data/a");
  ASSERT_TRUE(a.ok());
  Touch(*cache, "b");
  Touch(*cache, "c");
  Touch(*cache, "d");
  EXPECT_TRUE(std::filesystem::exists(a->path()));
  EXPECT_EQ(cache->stats().bytes_held, 200u);
  Touch(*cache, "a");
  EXPECT_EQ(remote_->Gets("data/a"), 1);

  // Pins beyond the bound: held while in use, trimmed when released.
  auto b = cache->Acquire("data/b");
  auto c = cache->Acquire("data/c");
  ASSERT_TRUE(b.ok() && c.ok());
  EXPECT_EQ(cache->stats().bytes_held, 300u);
  EXPECT_TRUE(std::filesystem::exists(a->path()));
  EXPECT_TRUE(std::filesystem::exists(b->path()));
  std::string a_path = a->path();
  *a = DataFileCache::Lease();
  auto stats = cache->stats();
  EXPECT_EQ(stats.bytes_held, 200u);
  EXPECT_EQ(stats.pinned_files, 2u);
  EXPECT_FALSE(std::filesystem::exists(a_path));
}

TEST_F(DataFileCacheTest, AForgottenKeysCopyGoesAtOnceOrWhenItsLastLeaseEnds) {
  auto cache = OpenCache(1 << 20);
  Touch(*cache, "a");
  auto b = cache->Acquire("data/b");
  ASSERT_TRUE(b.ok());
  const std::string b_path = b->path();
  cache->Forget("data/a");
  cache->Forget("data/b");
  cache->Forget("data/never-cached");
  EXPECT_EQ(FilesInCache(), 1u);  // b is pinned
  EXPECT_TRUE(std::filesystem::exists(b_path));
  *b = DataFileCache::Lease();
  EXPECT_FALSE(std::filesystem::exists(b_path));
  EXPECT_EQ(FilesInCache(), 0u);
  EXPECT_EQ(cache->stats().bytes_held, 0u);
  Touch(*cache, "a");  // fetched again
  EXPECT_EQ(remote_->Gets("data/a"), 2);
}

TEST_F(DataFileCacheTest, ConcurrentMissesDownloadOnce) {
  auto cache = OpenCache(1 << 20);
  remote_->Gate(true);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      auto lease = cache->Acquire("data/a");
      if (lease.ok() && std::filesystem::file_size(lease->path()) == 100) ++ok;
    });
  }
  remote_->WaitForStarted(1);
  // Give the other three time to arrive and wait on the download in flight.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  remote_->Gate(false);
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, 4);
  EXPECT_EQ(remote_->Gets(), 1);
  EXPECT_EQ(cache->stats().misses, 1u);
  EXPECT_EQ(cache->stats().hits, 3u);
}

TEST_F(DataFileCacheTest, FailedDownloadLeavesNothingAndIsRetried) {
  auto cache = OpenCache(1 << 20);
  remote_->FailNext();
  auto lease = cache->Acquire("data/a");
  ASSERT_FALSE(lease.ok());
  EXPECT_EQ(lease.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(FilesInCache(), 0u);
  auto stats = cache->stats();
  EXPECT_EQ(stats.bytes_held, 0u);
  EXPECT_EQ(stats.files_held, 0u);
  EXPECT_EQ(stats.fetch_failures, 1u);
  Touch(*cache, "a");
  EXPECT_EQ(remote_->Gets(), 2);
  EXPECT_EQ(cache->stats().bytes_held, 100u);
  EXPECT_EQ(cache->Acquire("data/nosuch").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(FilesInCache(), 1u);
}

TEST_F(DataFileCacheTest, AdoptsFilesAtStartupInMtimeOrder) {
  std::map<std::string, std::string> paths;
  {
    auto cache = OpenCache(1 << 20);
    for (const char* name : {"a", "b", "c"}) {
      auto lease = cache->Acquire(std::string("data/") + name);
      ASSERT_TRUE(lease.ok());
      paths[name] = lease->path();
    }
  }
  // Recency as a restart sees it: b oldest, then c, then a.
  auto set_mtime = [](const std::string& path, time_t seconds) {
    struct timespec times[2] = {{seconds, 0}, {seconds, 0}};
    ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
  };
  set_mtime(paths["b"], 1'000'000'000);
  set_mtime(paths["c"], 1'000'000'100);
  set_mtime(paths["a"], 1'000'000'200);
  // Debris of a download cut short by a crash.
  std::string temp = paths["a"] + ".tmp-1-0";
  std::filesystem::copy_file(paths["a"], temp);

  auto cache = OpenCache(250);  // room for two: the oldest (b) goes at once
  EXPECT_FALSE(std::filesystem::exists(temp));
  EXPECT_FALSE(std::filesystem::exists(paths["b"]));
  auto stats = cache->stats();
  EXPECT_EQ(stats.files_held, 2u);
  EXPECT_EQ(stats.bytes_held, 200u);
  EXPECT_EQ(stats.evictions, 1u);
  Touch(*cache, "a");
  Touch(*cache, "c");
  EXPECT_EQ(remote_->Gets(), 3);  // only the first run's
  Touch(*cache, "d");             // evicts a, used before c
  EXPECT_FALSE(std::filesystem::exists(paths["a"]));
  EXPECT_TRUE(std::filesystem::exists(paths["c"]));
}

// The engine over a remote-looking store: a cold query fetches the files of
// the versions it reads and nothing else, a warm one nothing, and a query's
// files stay until its cursor is gone.
class RemoteQueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = storage::LocalObjectStore::Open({dir_.path() + "/objects", 1ull << 30});
    ASSERT_TRUE(store.ok());
    local_ = std::move(*store);
    remote_ = std::make_unique<CountingStore>(*local_);
    // The catalog reads manifests straight from the store: the counting
    // store then sees data file reads alone.
    catalog_ = std::make_unique<catalog::StoreCatalog>(*local_);
    ingest::IngestOptions ingest_options;
    ingest_options.scratch_dir = dir_.path() + "/scratch/ingest";
    auto ingestor = ingest::Ingestor::Open(ingest_options, *local_, *catalog_);
    ASSERT_TRUE(ingestor.ok());
    ingestor_ = std::move(*ingestor);
    Ingest("candidates", "id,name\n1,Ada\n2,Bob\n");
    Ingest("candidates", "id,name\n3,Cy\n");
    Ingest("jobs", "id,title\n1,Welder\n");
  }
  void Ingest(const std::string& dataset, const std::string& csv) {
    ingest::IngestRequest request;
    request.dataset = dataset;
    request.file_name = "upload.csv";
    auto result =
        ingestor_->Ingest(request, [&](const storage::ChunkWriter& write) { return write(csv); });
    ASSERT_TRUE(result.ok()) << result.status().ToString();
  }
  std::unique_ptr<QueryEngine> OpenEngine(uint64_t cache_bytes) {
    QueryEngineOptions options;
    options.scratch_dir = dir_.path() + "/scratch/query";
    options.connections = 2;
    options.cache_bytes = cache_bytes;
    auto engine = QueryEngine::Open(options, *catalog_, *remote_);
    EXPECT_TRUE(engine.ok()) << engine.status().ToString();
    return engine.ok() ? std::move(*engine) : nullptr;
  }
  std::string Run(QueryEngine& engine, const std::string& sql) {
    auto cursor = engine.Execute({sql, 1000, {}});
    EXPECT_TRUE(cursor.ok()) << cursor.status().ToString();
    if (!cursor.ok()) return "";
    std::string rows;
    while (true) {
      auto more = (*cursor)->NextJson(rows);
      EXPECT_TRUE(more.ok());
      if (!more.ok() || !*more) break;
    }
    return rows;
  }

  TempDir dir_;
  std::unique_ptr<storage::LocalObjectStore> local_;
  std::unique_ptr<CountingStore> remote_;
  std::unique_ptr<catalog::StoreCatalog> catalog_;
  std::unique_ptr<ingest::Ingestor> ingestor_;
};

TEST_F(RemoteQueryTest, ColdQueryFetchesOnlyItsFilesAndWarmQueryFetchesNothing) {
  auto engine = OpenEngine(1 << 30);
  const std::string candidates = catalog::DataFilePrefix("candidates");
  const std::string jobs = catalog::DataFilePrefix("jobs");
  EXPECT_EQ(Run(*engine, "SELECT count(*) FROM candidates"), "[3]");
  EXPECT_EQ(remote_->Gets(candidates), 2);  // both versions' files make up version 2
  EXPECT_EQ(remote_->Gets(jobs), 0);
  auto cold = engine->cache_stats();
  EXPECT_EQ(cold.misses, 2u);
  EXPECT_GT(cold.bytes_fetched, 0u);

  EXPECT_EQ(Run(*engine, "SELECT count(*) FROM candidates"), "[3]");
  EXPECT_EQ(Run(*engine, "SELECT count(*) FROM \"candidates@1\""), "[2]");
  EXPECT_EQ(remote_->Gets(candidates), 2);
  auto warm = engine->cache_stats();
  EXPECT_EQ(warm.misses, 2u);
  EXPECT_EQ(warm.hits, 3u);
  EXPECT_EQ(warm.bytes_fetched, cold.bytes_fetched);

  // A new engine on the same scratch adopts the copies: still no fetch.
  engine.reset();
  engine = OpenEngine(1 << 30);
  EXPECT_EQ(Run(*engine, "SELECT count(*) FROM candidates"), "[3]");
  EXPECT_EQ(remote_->Gets(candidates), 2);
  EXPECT_EQ(engine->cache_stats().hits, 2u);
}

TEST_F(RemoteQueryTest, QueryPinsItsFilesUntilItsCursorEnds) {
  auto engine = OpenEngine(1);  // smaller than any file: only pins keep them
  auto cursor = engine->Execute({"SELECT name FROM candidates ORDER BY id", 1000, {}});
  ASSERT_TRUE(cursor.ok()) << cursor.status().ToString();
  // Another query's files push on the bound, but the first query's stay.
  EXPECT_EQ(Run(*engine, "SELECT count(*) FROM jobs"), "[1]");
  EXPECT_EQ(engine->cache_stats().pinned_files, 2u);
  std::string rows;
  while (true) {
    auto more = (*cursor)->NextJson(rows);
    ASSERT_TRUE(more.ok()) << more.status().ToString();
    if (!*more) break;
  }
  EXPECT_EQ(rows, R"(["Ada"],["Bob"],["Cy"])");
  cursor->reset();
  auto stats = engine->cache_stats();
  EXPECT_EQ(stats.pinned_files, 0u);
  EXPECT_EQ(stats.bytes_held, 0u);
  EXPECT_EQ(stats.evictions, 3u);
}

TEST_F(RemoteQueryTest, FailedFetchFailsTheQueryAndLeavesNoFile) {
  auto engine = OpenEngine(1 << 30);
  remote_->FailNext();
  auto failed = engine->Execute({"SELECT count(*) FROM jobs", 1000, {}});
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(engine->cache_stats().files_held, 0u);
  EXPECT_TRUE(std::filesystem::is_empty(dir_.path() + "/scratch/query/cache"));
  EXPECT_EQ(Run(*engine, "SELECT count(*) FROM jobs"), "[1]");
}

TEST(DataFileCacheConfigTest, CacheBytesHasADefaultAndIsValidated) {
  auto defaults = ParseConfig("", "c.toml", "");
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->queryd.cache_bytes, 10ull << 30);
  auto set = ParseConfig("[queryd]\ncache_bytes = 1073741824\n", "c.toml", "");
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_EQ(set->queryd.cache_bytes, 1ull << 30);
  for (const char* bad : {"[queryd]\ncache_bytes = 0\n", "[queryd]\ncache_bytes = 1024\n",
                          "[queryd]\ncache_bytes = \"10GB\"\n"}) {
    auto config = ParseConfig(bad, "c.toml", "");
    ASSERT_FALSE(config.ok()) << bad;
    EXPECT_NE(config.status().message().find("queryd.cache_bytes"), std::string::npos)
        << config.status().message();
  }
}

}  // namespace
}  // namespace lakehouse::query
