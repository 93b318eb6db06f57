// Erasure: rows removed from every kept version down to the stored bytes.
// Every version reads as it did less the erased rows (deletion vectors
// renumbered), no object holds the erased value, the log says what was done
// and never the value, bad predicates change nothing, and a crash at any
// write leaves either the whole erasure or none of it once reopened.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "catalog/manifest_codec.h"
#include "catalog/store_catalog.h"
#include "ingest/erasure.h"
#include "ingest/ingestor.h"
#include "query/query_engine.h"
#include "storage/local_object_store.h"
#include "testing/embedded_lakehouse.h"
#include "testing/fault_injecting_store.h"
#include "testing/temp_dir.h"

namespace lakehouse::ingest {
namespace {

using nlohmann::json;
using testing::EmbeddedLakehouse;

// The largest name, so a Parquet footer's max statistic holds it in the
// clear: the raw-bytes scan sees it before the erasure whatever the pages'
// compression does.
constexpr const char* kSecret = "zzz-forget-me-7f3a9c";

// Every object file under `dir` whose bytes contain `needle`.
std::vector<std::string> FilesHolding(const std::string& dir, const std::string& needle) {
  std::vector<std::string> found;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::string bytes = testing::ReadFile(entry.path().string());
    if (bytes.find(needle) != std::string::npos) found.push_back(entry.path().string());
  }
  return found;
}

// The ids of a version, sorted, as "id:name".
std::vector<std::string> Rows(query::QueryEngine& engine, const std::string& table) {
  auto cursor = engine.Execute({"SELECT id, name FROM " + table + " ORDER BY id", 1000, {}});
  EXPECT_TRUE(cursor.ok()) << table << ": " << cursor.status().ToString();
  std::vector<std::string> rows;
  if (!cursor.ok()) return rows;
  std::string text;
  while (true) {
    auto more = (*cursor)->NextJson(text);
    EXPECT_TRUE(more.ok()) << table << ": " << more.status().ToString();
    if (!more.ok() || !*more) break;
  }
  for (const auto& row : json::parse("[" + text + "]")) {
    rows.push_back(std::to_string(row[0].get<int64_t>()) + ":" + row[1].get<std::string>());
  }
  return rows;
}

// Versions 1..4: a create, an append, an upsert and a delete (the last two
// leave deletion vectors on the first file), version 1 tagged.
void MakeHistory(EmbeddedLakehouse& lake) {
  ASSERT_TRUE(
      lake.Ingest("people", std::string("id,name\n1,ann\n2,") + kSecret + "\n3,cy\n4,di\n").ok());
  ASSERT_TRUE(lake.Ingest("people", "id,name\n5,eve\n6,fay\n").ok());
  ASSERT_TRUE(lake.Upsert("people", "id,name\n3,cyd\n", {"id"}).ok());
  ASSERT_TRUE(lake.DeleteRows("people", "id = 4").ok());
  ASSERT_TRUE(lake.catalog().PutTag("people", "baseline", 1).ok());
}

using Versions = std::vector<std::vector<std::string>>;

// What versions 1..4 hold once id 2 is erased.
const Versions kErased = {
    {"1:ann", "3:cy", "4:di"},
    {"1:ann", "3:cy", "4:di", "5:eve", "6:fay"},
    {"1:ann", "3:cyd", "4:di", "5:eve", "6:fay"},
    {"1:ann", "3:cyd", "5:eve", "6:fay"},
};

TEST(ErasureTest, RemovesTheRowsFromEveryVersionAndEveryObject) {
  EmbeddedLakehouse lake;
  MakeHistory(lake);
  ASSERT_FALSE(FilesHolding(lake.dir() + "/objects", kSecret).empty())
      << "the scan must see the value before the erasure";
  auto record = lake.ingestor().Erase({"people", "id = 2"});
  ASSERT_TRUE(record.ok()) << record.status().ToString();
  EXPECT_EQ(record->rows_erased, 1u);
  EXPECT_EQ(record->rows_erased_current, 1u);
  EXPECT_EQ(record->files_rewritten, 1u);
  ASSERT_TRUE(record->version.has_value());
  EXPECT_EQ(*record->version, 5u);
  EXPECT_EQ(record->versions_rewritten, (std::vector<uint64_t>{1, 2, 3, 4}));
  EXPECT_EQ(record->state, "done");

  for (uint64_t v = 1; v <= 4; ++v) {
    EXPECT_EQ(Rows(lake.engine(), "\"people@" + std::to_string(v) + "\""), kErased[v - 1])
        << "version " << v;
    auto manifest = lake.catalog().GetVersion("people", v);
    ASSERT_TRUE(manifest.ok());
    EXPECT_EQ(manifest->rows, kErased[v - 1].size()) << "version " << v;
    EXPECT_EQ(manifest->erasures, std::vector<std::string>{record->id});
  }
  EXPECT_EQ(Rows(lake.engine(), "people"), kErased[3]);
  EXPECT_EQ(Rows(lake.engine(), "\"people@baseline\""), kErased[0]);
  auto current = lake.catalog().GetCurrent("people");
  ASSERT_TRUE(current.ok());
  EXPECT_EQ(current->operation, catalog::Operation::kErase);
  EXPECT_EQ(current->counts.deleted, 1u);

  EXPECT_EQ(FilesHolding(lake.dir() + "/objects", kSecret), std::vector<std::string>{});
  // The log names the predicate and keys, never the value.
  auto log = lake.ingestor().ListErasures("people");
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->size(), 1u);
  EXPECT_EQ((*log)[0].where, "id = 2");
  EXPECT_EQ((*log)[0].versions_rewritten, record->versions_rewritten);
}

TEST(ErasureTest, LeavesFilesWithoutAMatchingRowAlone) {
  EmbeddedLakehouse lake;
  MakeHistory(lake);
  auto before = lake.catalog().GetVersion("people", 2).value();
  auto record = lake.ingestor().Erase({"people", "id = 6"});
  ASSERT_TRUE(record.ok()) << record.status().ToString();
  auto after = lake.catalog().GetVersion("people", 2).value();
  ASSERT_EQ(after.files.size(), 2u);
  EXPECT_EQ(after.files[0], before.files[0]);  // the first file, deletes and all
  EXPECT_NE(after.files[1].key, before.files[1].key);
  EXPECT_EQ(after.files[1].rows, 1u);
  // Version 1 never listed the second file: not rewritten.
  EXPECT_EQ(record->versions_rewritten, (std::vector<uint64_t>{2, 3, 4}));
  EXPECT_TRUE(lake.catalog().GetVersion("people", 1)->erasures.empty());
}

TEST(ErasureTest, ErasingEveryRowOfAFileDropsItAndItsDeletionVectors) {
  EmbeddedLakehouse lake;
  MakeHistory(lake);
  // Every row of the first file, and of the upsert's (id 3).
  auto record = lake.ingestor().Erase({"people", "id <= 4"});
  ASSERT_TRUE(record.ok()) << record.status().ToString();
  EXPECT_EQ(record->rows_erased, 5u);
  EXPECT_EQ(record->files_rewritten, 2u);
  EXPECT_EQ(Rows(lake.engine(), "\"people@1\""), std::vector<std::string>{});
  EXPECT_EQ(Rows(lake.engine(), "\"people@3\""), (std::vector<std::string>{"5:eve", "6:fay"}));
  // The emptied files stay, without rows or deletion vectors, so every
  // version keeps its columns.
  auto first = lake.catalog().GetVersion("people", 4)->files;
  ASSERT_EQ(first.size(), 3u);
  EXPECT_EQ(first[0].rows, 0u);
  EXPECT_TRUE(first[0].deletes.empty());
  EXPECT_EQ(lake.Keys(catalog::DataFilePrefix("people")).size(), 3u)
      << "three data files, and no deletion vector";
  EXPECT_EQ(FilesHolding(lake.dir() + "/objects", kSecret), std::vector<std::string>{});
}

TEST(ErasureTest, ADeletedDatasetsKeptVersionsAreErasedToo) {
  EmbeddedLakehouse lake;
  MakeHistory(lake);
  ASSERT_TRUE(lake.catalog().DeleteDataset("people").ok());
  auto record = lake.ingestor().Erase({"people", "id = 2"});
  ASSERT_TRUE(record.ok()) << record.status().ToString();
  EXPECT_FALSE(record->version.has_value());
  EXPECT_EQ(Rows(lake.engine(), "\"people@1\""), kErased[0]);
  EXPECT_EQ(FilesHolding(lake.dir() + "/objects", kSecret), std::vector<std::string>{});
}

TEST(ErasureTest, BadRequestsChangeNothing) {
  EmbeddedLakehouse lake;
  MakeHistory(lake);
  const size_t objects = lake.Keys("").size();
  auto unknown = lake.ingestor().Erase({"nobody", "id = 1"});
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  auto column = lake.ingestor().Erase({"people", "nosuch = 1"});
  EXPECT_EQ(column.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(column.status().message().find("nosuch"), std::string::npos);
  auto subquery = lake.ingestor().Erase({"people", "id IN (SELECT 2)"});
  EXPECT_FALSE(subquery.ok());
  auto statement = lake.ingestor().Erase({"people", "true; DROP TABLE x"});
  EXPECT_FALSE(statement.ok());
  auto name = lake.ingestor().Erase({"Bad Name", "id = 1"});
  EXPECT_EQ(name.status().code(), StatusCode::kInvalidArgument);
  auto nothing = lake.ingestor().Erase({"people", "id = 99"});
  ASSERT_TRUE(nothing.ok());
  EXPECT_EQ(nothing->rows_erased, 0u);
  EXPECT_EQ(lake.catalog().GetCurrent("people")->version, 4u);
  EXPECT_EQ(lake.Keys("").size(), objects);
  EXPECT_TRUE(lake.ingestor().ListErasures("people")->empty());
}

// The parts over a store that can be made to crash, reopened as a restarted
// process would be.
struct CrashableLake {
  explicit CrashableLake(const std::string& dir) : dir(dir) {
    local = storage::LocalObjectStore::Open({dir + "/objects", 1ull << 30}).value();
    faulty = std::make_unique<testing::FaultInjectingStore>(*local);
    Reopen();
  }
  void Reopen() {
    ingestor.reset();
    catalog = std::make_unique<catalog::StoreCatalog>(*faulty);
    IngestOptions options;
    options.scratch_dir = dir + "/scratch";
    auto opened = Ingestor::Open(options, *faulty, *catalog);
    if (!opened.ok()) throw std::runtime_error(opened.status().ToString());
    ingestor = std::move(*opened);
  }
  // A fresh catalog and engine: what a restarted reader sees.
  std::vector<std::vector<std::string>> ReadVersions(uint64_t count) {
    catalog::StoreCatalog fresh(*local);
    query::QueryEngineOptions options;
    options.scratch_dir = dir + "/query-" + std::to_string(++readers);
    auto engine = query::QueryEngine::Open(options, fresh, *local).value();
    std::vector<std::vector<std::string>> versions;
    for (uint64_t v = 1; v <= count; ++v) {
      versions.push_back(Rows(*engine, "\"people@" + std::to_string(v) + "\""));
    }
    return versions;
  }
  Status Ingest(const std::string& csv, std::vector<std::string> key = {}) {
    IngestRequest request;
    request.dataset = "people";
    request.key = std::move(key);
    return ingestor->Ingest(request, [&](const storage::ChunkWriter& write) { return write(csv); })
        .status();
  }

  std::string dir;
  int readers = 0;
  std::unique_ptr<storage::LocalObjectStore> local;
  std::unique_ptr<testing::FaultInjectingStore> faulty;
  std::unique_ptr<catalog::StoreCatalog> catalog;
  std::unique_ptr<Ingestor> ingestor;
};

void MakeHistory(CrashableLake& lake) {
  ASSERT_TRUE(lake.Ingest(std::string("id,name\n1,ann\n2,") + kSecret + "\n3,cy\n4,di\n").ok());
  ASSERT_TRUE(lake.Ingest("id,name\n5,eve\n6,fay\n").ok());
  ASSERT_TRUE(lake.Ingest("id,name\n3,cyd\n", {"id"}).ok());
  ASSERT_TRUE(lake.ingestor->DeleteRows({"people", "id = 4"}).ok());
}

TEST(ErasureTest, ACrashAtAnyWriteLeavesAllOrNothingOnceReopened) {
  const Versions before = {
      {"1:ann", std::string("2:") + kSecret, "3:cy", "4:di"},
      {"1:ann", std::string("2:") + kSecret, "3:cy", "4:di", "5:eve", "6:fay"},
      {"1:ann", std::string("2:") + kSecret, "3:cyd", "4:di", "5:eve", "6:fay"},
      {"1:ann", std::string("2:") + kSecret, "3:cyd", "5:eve", "6:fay"},
  };
  Versions after = kErased;
  after.push_back(kErased[3]);  // the erase version
  int finished = 0, undone = 0;
  for (int writes = 0;; ++writes) {
    testing::TempDir dir;
    CrashableLake lake(dir.path());
    MakeHistory(lake);
    lake.faulty->CrashAfterWrites(writes);
    auto record = lake.ingestor->Erase({"people", "id = 2"});
    const bool crashed = lake.faulty->crashed();
    lake.faulty->Heal();
    if (!crashed) {
      ASSERT_TRUE(record.ok()) << record.status().ToString();
      EXPECT_GT(writes, 5) << "an erasure writes files, a record, a version and manifests";
      break;
    }
    EXPECT_FALSE(record.ok()) << "after " << writes << " writes";
    lake.Reopen();  // settles the interrupted erasure
    auto log = ListErasures(*lake.local, "people");
    ASSERT_TRUE(log.ok());
    auto current = lake.catalog->GetCurrent("people");
    ASSERT_TRUE(current.ok());
    if (current->version == 5) {
      ++finished;
      EXPECT_EQ(lake.ReadVersions(5), after) << "after " << writes << " writes";
      ASSERT_EQ(log->size(), 1u);
      EXPECT_EQ((*log)[0].state, "done");
      EXPECT_EQ(FilesHolding(dir.path() + "/objects", kSecret), std::vector<std::string>{})
          << "after " << writes << " writes";
    } else {
      ++undone;
      EXPECT_EQ(current->version, 4u);
      EXPECT_EQ(lake.ReadVersions(4), before) << "after " << writes << " writes";
      EXPECT_TRUE(log->empty()) << "after " << writes << " writes";
    }
  }
  EXPECT_GT(finished, 0);
  EXPECT_GT(undone, 0);
}

TEST(ErasureTest, ManifestsRewrittenElsewhereAreReadAgain) {
  EmbeddedLakehouse lake;
  MakeHistory(lake);
  // A second catalog over the same store, as another process has: it has
  // cached version 1 before the erasure.
  catalog::StoreCatalog other(lake.store());
  ASSERT_EQ(other.GetVersion("people", 1)->rows, 4u);
  ASSERT_TRUE(lake.ingestor().Erase({"people", "id = 2"}).ok());
  EXPECT_EQ(other.GetVersion("people", 1)->rows, 3u);
  auto versions = other.ListVersions("people");
  ASSERT_TRUE(versions.ok());
  EXPECT_EQ(versions->front().rows, 3u);
}

TEST(ErasureTest, FileRewritesRoundTripAndRefuseAnUnknownDeletionVector) {
  catalog::FileRewrites rewrites;
  rewrites.erasure = "e1";
  rewrites.files["data/p/a.parquet"] = catalog::DataFile{"data/p/b.parquet", 3, 30, {}};
  rewrites.files["data/p/c.parquet"] = catalog::DataFile{"data/p/d.parquet", 0, 20, {}};
  rewrites.deletes["data/p/c.lhdv"] = std::nullopt;
  rewrites.deletes["data/p/a.lhdv"] = catalog::DeleteFile{"data/p/b.lhdv", 1, 80};
  auto parsed = catalog::FileRewritesFromJson(catalog::FileRewritesToJson(rewrites));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->files, rewrites.files);
  EXPECT_EQ(parsed->deletes, rewrites.deletes);

  catalog::Manifest m;
  m.dataset = "p";
  m.version = 2;
  m.files = {{"data/p/a.parquet", 4, 40, {{"data/p/other.lhdv", 1, 80}}}};
  auto applied = catalog::ApplyRewrites(rewrites, m);
  EXPECT_EQ(applied.status().code(), StatusCode::kIoError);
  m.files[0].deletes[0].key = "data/p/a.lhdv";
  applied = catalog::ApplyRewrites(rewrites, m);
  ASSERT_TRUE(applied.ok());
  EXPECT_TRUE(*applied);
  EXPECT_EQ(m.files[0].key, "data/p/b.parquet");
  EXPECT_EQ(m.rows, 2u);
  EXPECT_EQ(m.bytes, 110u);
  EXPECT_FALSE(*catalog::ApplyRewrites(rewrites, m));  // already applied: nothing to do
}

}  // namespace
}  // namespace lakehouse::ingest
