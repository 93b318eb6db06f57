// The ObjectStore contract, run unchanged against every backend: the local
// directory in-process, a real `lakehouse storaged` process over HTTP, and
// the S3 client against a real S3 protocol peer (tests/s3/peer.mjs).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <random>
#include <set>
#include <thread>

#include "storage/http_object_store.h"
#include "storage/local_object_store.h"
#include "storage/object_key.h"
#include "storage/s3_object_store.h"
#include "testing/s3_peer.h"
#include "testing/service_process.h"
#include "testing/temp_dir.h"

namespace lakehouse::storage {
namespace {

constexpr uint64_t kMaxObjectBytes = 8ull << 20;

std::string RandomBytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string out(n, '\0');
  for (auto& c : out) c = static_cast<char>(rng());
  return out;
}

// Every file below `dir`, for checking that nothing escaped the root.
std::set<std::string> FilesUnder(const std::string& dir) {
  std::set<std::string> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    files.insert(entry.path().string());
  }
  return files;
}

class Backend {
 public:
  virtual ~Backend() = default;
  virtual ObjectStore& store() = 0;
  // The directory the backend's files live in.
  virtual std::string root() const = 0;
};

class LocalBackend : public Backend {
 public:
  explicit LocalBackend(const std::string& dir) {
    auto store = LocalObjectStore::Open({dir + "/objects", kMaxObjectBytes});
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
  }
  ObjectStore& store() override { return *store_; }
  std::string root() const override { return store_->root(); }

 private:
  std::unique_ptr<LocalObjectStore> store_;
};

class HttpBackend : public Backend {
 public:
  explicit HttpBackend(const std::string& dir) : process_(dir, kMaxObjectBytes) {
    auto store = HttpObjectStore::Create({process_.url()});
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
  }
  ObjectStore& store() override { return *store_; }
  std::string root() const override { return process_.root(); }

 private:
  testing::StoragedProcess process_;
  std::unique_ptr<HttpObjectStore> store_;
};

class S3Backend : public Backend {
 public:
  explicit S3Backend(const std::string& dir) : peer_(dir + "/s3") {
    if (!peer_.available()) return;
    auto options = peer_.Options();
    options.max_object_bytes = kMaxObjectBytes;
    auto store = S3ObjectStore::Create(options);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
  }
  bool available() const { return peer_.available(); }
  const std::string& unavailable_reason() const { return peer_.unavailable_reason(); }
  ObjectStore& store() override { return *store_; }
  std::string root() const override { return peer_.data_dir(); }

 private:
  testing::S3Peer peer_;
  std::unique_ptr<S3ObjectStore> store_;
};

enum class Kind { kLocal, kHttp, kS3 };

class ObjectStoreConformance : public ::testing::TestWithParam<Kind> {
 protected:
  void SetUp() override {
    if (GetParam() == Kind::kLocal) {
      backend_ = std::make_unique<LocalBackend>(dir_.path());
    } else if (GetParam() == Kind::kS3) {
      auto s3 = std::make_unique<S3Backend>(dir_.path());
      if (!s3->available()) GTEST_SKIP() << "no S3 peer: " << s3->unavailable_reason();
      backend_ = std::move(s3);
    } else {
      backend_ = std::make_unique<HttpBackend>(dir_.path());
    }
  }
  ObjectStore& store() { return backend_->store(); }

  std::vector<std::string> ListAll(const std::string& prefix, size_t page_size) {
    std::vector<std::string> keys;
    ListOptions options;
    options.prefix = prefix;
    options.limit = page_size;
    for (int pages = 0; pages < 10000; ++pages) {
      auto page = store().List(options);
      EXPECT_TRUE(page.ok()) << page.status().ToString();
      if (!page.ok()) break;
      EXPECT_LE(page->objects.size(), page_size);
      for (const auto& o : page->objects) keys.push_back(o.key);
      if (!page->next) break;
      EXPECT_EQ(*page->next, page->objects.back().key);
      options.start_after = *page->next;
    }
    return keys;
  }

  testing::TempDir dir_;
  std::unique_ptr<Backend> backend_;
};

TEST_P(ObjectStoreConformance, PutThenGetReturnsTheSameBytes) {
  for (size_t size : {size_t{0}, size_t{1}, size_t{4096}, size_t{3u << 20}}) {
    std::string key = "objects/size-" + std::to_string(size);
    std::string bytes = RandomBytes(size, size);
    auto put = store().PutBytes(key, bytes);
    ASSERT_TRUE(put.ok()) << put.status().ToString();
    EXPECT_EQ(put->size, size);
    EXPECT_EQ(put->key, key);
    auto got = store().GetBytes(key);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(*got, bytes) << "size " << size;
  }
}

TEST_P(ObjectStoreConformance, StreamedPutOfManyChunksWithoutLength) {
  std::string expected;
  PutOptions options;  // no content_length: the HTTP client sends it chunked
  auto put = store().Put(
      "streamed",
      [&](const ChunkWriter& write) -> Status {
        for (int i = 0; i < 300; ++i) {
          std::string chunk = RandomBytes(1000 + i, i);
          expected += chunk;
          LH_RETURN_IF_ERROR(write(chunk));
        }
        return Status::Ok();
      },
      options);
  ASSERT_TRUE(put.ok()) << put.status().ToString();
  EXPECT_EQ(put->size, expected.size());
  EXPECT_EQ(*store().GetBytes("streamed"), expected);
}

TEST_P(ObjectStoreConformance, HeadReportsSizeAndEtagThatChangesOnOverwrite) {
  ASSERT_TRUE(store().PutBytes("k", "first").ok());
  auto first = store().Head("k");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->size, 5u);
  EXPECT_FALSE(first->etag.empty());
  EXPECT_GT(first->modified_unix_ms, 0);
  ASSERT_TRUE(store().PutBytes("k", "second!").ok());
  auto second = store().Head("k");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->size, 7u);
  EXPECT_NE(second->etag, first->etag);
  EXPECT_EQ(*store().GetBytes("k"), "second!");
}

TEST_P(ObjectStoreConformance, MissingObjectIsNotFoundForEveryCall) {
  EXPECT_EQ(store().Head("missing/key").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store().GetBytes("missing/key").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store().Delete("missing/key").code(), StatusCode::kNotFound);
}

TEST_P(ObjectStoreConformance, DeleteRemovesTheObject) {
  ASSERT_TRUE(store().PutBytes("dir/a", "x").ok());
  ASSERT_TRUE(store().PutBytes("dir/b", "y").ok());
  ASSERT_TRUE(store().Delete("dir/a").ok());
  EXPECT_EQ(store().GetBytes("dir/a").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ListAll("", 100), std::vector<std::string>{"dir/b"});
  ASSERT_TRUE(store().Delete("dir/b").ok());
  EXPECT_TRUE(ListAll("", 100).empty());
  // The emptied prefix can be written again.
  ASSERT_TRUE(store().PutBytes("dir/c", "z").ok());
  EXPECT_EQ(*store().GetBytes("dir/c"), "z");
}

TEST_P(ObjectStoreConformance, PutIfAbsentRefusesAnExistingKeyAndKeepsItsBytes) {
  auto first = store().PutBytes("_catalog/x/1.json", "v1", PutMode::kIfAbsent);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto second = store().PutBytes("_catalog/x/1.json", "v2", PutMode::kIfAbsent);
  EXPECT_EQ(second.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(*store().GetBytes("_catalog/x/1.json"), "v1");
}

TEST_P(ObjectStoreConformance, ConcurrentPutIfAbsentHasExactlyOneWinner) {
  constexpr int kWriters = 8;
  for (int round = 0; round < 5; ++round) {
    std::string key = "race/" + std::to_string(round);
    std::atomic<int> winners{0};
    std::atomic<int> losers{0};
    std::atomic<int> winner_id{-1};
    std::vector<std::thread> threads;
    for (int w = 0; w < kWriters; ++w) {
      threads.emplace_back([&, w] {
        auto put = store().PutBytes(key, "writer-" + std::to_string(w), PutMode::kIfAbsent);
        if (put.ok()) {
          ++winners;
          winner_id = w;
        } else if (put.status().code() == StatusCode::kAlreadyExists) {
          ++losers;
        }
      });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(winners.load(), 1);
    EXPECT_EQ(losers.load(), kWriters - 1);
    EXPECT_EQ(*store().GetBytes(key), "writer-" + std::to_string(winner_id.load()));
  }
}

TEST_P(ObjectStoreConformance, ReadersNeverSeeAPartialOverwrite) {
  const std::string a(1 << 20, 'a');
  const std::string b(1 << 20, 'b');
  ASSERT_TRUE(store().PutBytes("flip", a).ok());
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; i < 20; ++i) EXPECT_TRUE(store().PutBytes("flip", i % 2 ? a : b).ok());
    stop = true;
  });
  int reads = 0;
  while (!stop || reads == 0) {
    auto got = store().GetBytes("flip");
    if (!got.ok()) {
      // A read may lose a race with a replace (HTTP reports a conflict or a
      // cut stream); it must never return mixed bytes.
      continue;
    }
    ++reads;
    ASSERT_TRUE(*got == a || *got == b) << "torn read of " << got->size() << " bytes";
  }
  writer.join();
}

TEST_P(ObjectStoreConformance, KeysWithUnusualCharactersRoundTrip) {
  const std::vector<std::string> keys = {
      "with space/and more",
      "percent%20literal",
      "question?mark",
      "hash#tag",
      "plus+sign&amp=eq",
      "caf\xC3\xA9/\xE6\x97\xA5\xE6\x9C\xAC",
      "quote\"and'apos",
      ".hidden/.dotfile",
      "a%2Fb",
      "trailing.dot.",
      "~tilde",
      "semi;colon,comma",
      "back\\slash",
      "tab\there",
  };
  for (const auto& key : keys) {
    auto put = store().PutBytes(key, "value of " + key);
    ASSERT_TRUE(put.ok()) << key << ": " << put.status().ToString();
  }
  for (const auto& key : keys) {
    auto got = store().GetBytes(key);
    ASSERT_TRUE(got.ok()) << key << ": " << got.status().ToString();
    EXPECT_EQ(*got, "value of " + key);
  }
  std::vector<std::string> sorted = keys;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(ListAll("", 1000), sorted);
}

TEST_P(ObjectStoreConformance, AKeyAndKeysBelowItCoexist) {
  ASSERT_TRUE(store().PutBytes("a", "1").ok());
  ASSERT_TRUE(store().PutBytes("a/b", "2").ok());
  ASSERT_TRUE(store().PutBytes("a/b/c", "3").ok());
  EXPECT_EQ(*store().GetBytes("a"), "1");
  EXPECT_EQ(*store().GetBytes("a/b"), "2");
  EXPECT_EQ(*store().GetBytes("a/b/c"), "3");
  EXPECT_EQ(ListAll("a", 10), (std::vector<std::string>{"a", "a/b", "a/b/c"}));
}

TEST_P(ObjectStoreConformance, LongestKeyIsAccepted) {
  std::string key;
  while (key.size() + 101 <= kMaxKeyBytes) key += std::string(100, 'k') + "/";
  key += std::string(kMaxKeyBytes - key.size(), 'z');
  ASSERT_EQ(key.size(), kMaxKeyBytes);
  auto put = store().PutBytes(key, "deep");
  ASSERT_TRUE(put.ok()) << put.status().ToString();
  EXPECT_EQ(*store().GetBytes(key), "deep");
  EXPECT_EQ(store().PutBytes(key + "z", "x").status().code(), StatusCode::kInvalidKey);
}

TEST_P(ObjectStoreConformance, HostileKeysAreRejectedAndWriteNothing) {
  std::string outside = std::filesystem::path(backend_->root()).parent_path().string();
  auto before = FilesUnder(outside);
  const std::vector<std::string> hostile = {
      "",
      "/etc/passwd",
      "..",
      ".",
      "a/../../escaped",
      "../escaped",
      "a/./b",
      "a//b",
      "a/",
      "a/..",
      std::string("nul\0byte", 8),
      "\xFF\xFE",
      "\xC0\xAF",
      std::string(kMaxKeyBytes + 1, 'x'),
  };
  for (const auto& key : hostile) {
    EXPECT_EQ(store().PutBytes(key, "evil").status().code(), StatusCode::kInvalidKey)
        << "key: " << key;
    EXPECT_EQ(store().GetBytes(key).status().code(), StatusCode::kInvalidKey) << key;
    EXPECT_EQ(store().Head(key).status().code(), StatusCode::kInvalidKey) << key;
    EXPECT_EQ(store().Delete(key).code(), StatusCode::kInvalidKey) << key;
  }
  auto after = FilesUnder(outside);
  // The storaged process writes only its log-free config dir; nothing new may
  // appear anywhere around the root.
  EXPECT_EQ(before, after);
}

TEST_P(ObjectStoreConformance, ListIsSortedByBytesAndPaginates) {
  // '/' (0x2F) sorts after '-' and '.', before '0': a directory walk must not
  // put "a/..." before "a-..." .
  std::vector<std::string> keys = {"a",   "a-c", "a.d", "a/b",   "a/b/c", "a0",
                                   "a/z", "b",   "B",   "a/b-x", "a/b.y", "\xC3\xA9"};
  for (int i = 0; i < 30; ++i) keys.push_back("data/part-" + std::to_string(i));
  for (const auto& k : keys) ASSERT_TRUE(store().PutBytes(k, k).ok()) << k;
  std::vector<std::string> sorted = keys;
  std::sort(sorted.begin(), sorted.end());
  for (size_t page : {size_t{1}, size_t{3}, size_t{7}, size_t{1000}}) {
    EXPECT_EQ(ListAll("", page), sorted) << "page size " << page;
  }
}

TEST_P(ObjectStoreConformance, ListFiltersByPrefixIncludingPartialSegments) {
  for (const auto& k : {"data/x/1", "data/x/2", "data/y/1", "dab", "daz/1", "d", "other"}) {
    ASSERT_TRUE(store().PutBytes(k, "v").ok());
  }
  EXPECT_EQ(ListAll("data/x/", 1), (std::vector<std::string>{"data/x/1", "data/x/2"}));
  EXPECT_EQ(ListAll("data/", 2), (std::vector<std::string>{"data/x/1", "data/x/2", "data/y/1"}));
  EXPECT_EQ(ListAll("da", 2),
            (std::vector<std::string>{"dab", "data/x/1", "data/x/2", "data/y/1", "daz/1"}));
  EXPECT_EQ(ListAll("data/x/1", 10), (std::vector<std::string>{"data/x/1"}));
  EXPECT_TRUE(ListAll("nothing/", 10).empty());
  EXPECT_TRUE(ListAll("zzz", 10).empty());
}

TEST_P(ObjectStoreConformance, ListStartAfterSkipsEarlierKeys) {
  for (const auto& k : {"k/1", "k/2", "k/3", "l"}) ASSERT_TRUE(store().PutBytes(k, "v").ok());
  ListOptions options;
  options.start_after = "k/1";
  auto page = store().List(options);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->objects.size(), 3u);
  EXPECT_EQ(page->objects[0].key, "k/2");
  EXPECT_FALSE(page->next.has_value());
  options.start_after = "k";  // before every "k/..." key
  EXPECT_EQ(store().List(options)->objects.size(), 4u);
}

TEST_P(ObjectStoreConformance, ListReportsSizes) {
  ASSERT_TRUE(store().PutBytes("sized", std::string(1234, 'x')).ok());
  auto page = store().List({});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->objects.size(), 1u);
  EXPECT_EQ(page->objects[0].size, 1234u);
  EXPECT_FALSE(page->objects[0].etag.empty());
}

TEST_P(ObjectStoreConformance, ListRejectsBadLimits) {
  ListOptions options;
  options.limit = 0;
  EXPECT_EQ(store().List(options).status().code(), StatusCode::kInvalidArgument);
  options.limit = kMaxListLimit + 1;
  EXPECT_EQ(store().List(options).status().code(), StatusCode::kInvalidArgument);
  options.limit = 10;
  options.prefix = "/abs";
  EXPECT_EQ(store().List(options).status().code(), StatusCode::kInvalidKey);
}

TEST_P(ObjectStoreConformance, OversizedObjectIsTooLargeAndNotStored) {
  std::string big(kMaxObjectBytes + 1, 'x');
  EXPECT_EQ(store().PutBytes("big", big).status().code(), StatusCode::kTooLarge);
  EXPECT_EQ(store().Head("big").status().code(), StatusCode::kNotFound);
  // Without a declared length the limit is found while streaming.
  PutOptions options;
  auto put = store().Put(
      "big",
      [&](const ChunkWriter& write) -> Status {
        for (int i = 0; i < 9; ++i) LH_RETURN_IF_ERROR(write(std::string(1 << 20, 'y')));
        return Status::Ok();
      },
      options);
  EXPECT_EQ(put.status().code(), StatusCode::kTooLarge);
  EXPECT_EQ(store().Head("big").status().code(), StatusCode::kNotFound);
  // The store still works afterwards.
  EXPECT_TRUE(store().PutBytes("small", "ok").ok());
}

TEST_P(ObjectStoreConformance, FailedProducerLeavesTheOldObjectIntact) {
  ASSERT_TRUE(store().PutBytes("keep", "original").ok());
  PutOptions options;
  auto put = store().Put(
      "keep",
      [&](const ChunkWriter& write) -> Status {
        LH_RETURN_IF_ERROR(write(std::string(100000, 'n')));
        return Status::InvalidArgument("the source file went away");
      },
      options);
  EXPECT_FALSE(put.ok());
  EXPECT_EQ(*store().GetBytes("keep"), "original");
  auto page = store().List({});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->objects.size(), 1u);
}

TEST_P(ObjectStoreConformance, SinkErrorStopsTheGet) {
  ASSERT_TRUE(store().PutBytes("stop", std::string(3 << 20, 's')).ok());
  class StopSink : public ObjectSink {
   public:
    Status OnInfo(const ObjectInfo&) override { return Status::Ok(); }
    Status OnData(std::string_view chunk) override {
      seen += chunk.size();
      return Status::Conflict("enough");
    }
    size_t seen = 0;
  } sink;
  auto got = store().Get("stop", sink);
  EXPECT_EQ(got.status().code(), StatusCode::kConflict);
  EXPECT_LT(sink.seen, size_t{3} << 20);
  // A new request after the abandoned one works (no stale connection reused).
  EXPECT_EQ(store().GetBytes("stop")->size(), size_t{3} << 20);
}

INSTANTIATE_TEST_SUITE_P(Backends, ObjectStoreConformance,
                         ::testing::Values(Kind::kLocal, Kind::kHttp, Kind::kS3),
                         [](const auto& info) {
                           switch (info.param) {
                             case Kind::kLocal:
                               return "Local";
                             case Kind::kHttp:
                               return "StoragedOverHttp";
                             case Kind::kS3:
                               return "S3";
                           }
                           return "";
                         });

}  // namespace
}  // namespace lakehouse::storage
