// The Catalog contract, run against the in-process StoreCatalog and against
// HttpCatalog talking to a real `lakehouse serve` process.
#include "catalog/store_catalog.h"

#include <gtest/gtest.h>

#include <atomic>
#include <barrier>
#include <thread>

#include "catalog/http_catalog.h"
#include "catalog/restore.h"
#include "storage/local_object_store.h"
#include "testing/service_process.h"
#include "testing/temp_dir.h"

namespace lakehouse::catalog {
namespace {

enum class Kind { kInProcess, kHttp };

class CatalogTest : public ::testing::TestWithParam<Kind> {
 protected:
  void SetUp() override {
    if (GetParam() == Kind::kInProcess) {
      auto store = storage::LocalObjectStore::Open({dir_.path() + "/objects", 1 << 30});
      ASSERT_TRUE(store.ok());
      local_store_ = std::move(*store);
      store_ = local_store_.get();
      catalog_ = std::make_unique<StoreCatalog>(*store_);
    } else {
      int port = testing::FreePort();
      server_ = std::make_unique<testing::ServiceProcess>(
          std::vector<std::string>{"serve", "--data", dir_.path(), "--listen",
                                   "127.0.0.1:" + std::to_string(port)},
          port);
      // Data files (and, in the damage tests, manifests) are written as the
      // process's own parts would: straight into its store. The public object
      // API refuses those keys (object_routes.h).
      auto store = storage::LocalObjectStore::Open({dir_.path() + "/objects", 1 << 30});
      ASSERT_TRUE(store.ok());
      local_store_ = std::move(*store);
      store_ = local_store_.get();
      auto catalog = HttpCatalog::Create({server_->url()});
      ASSERT_TRUE(catalog.ok());
      catalog_ = std::move(*catalog);
    }
  }

  // Writes a data file the way ingest does, and returns it.
  DataFile WriteFile(const std::string& dataset, const std::string& name, uint64_t rows) {
    DataFile file{DataFilePrefix(dataset) + name + ".parquet", rows, 0, {}};
    auto put = store_->PutBytes(file.key, "parquet bytes of " + name);
    EXPECT_TRUE(put.ok());
    file.bytes = put->size;
    return file;
  }

  CommitRequest Request(const std::string& dataset, WriteMode mode, std::vector<DataFile> files) {
    CommitRequest r;
    r.dataset = dataset;
    r.mode = mode;
    r.schema = {{"id", "BIGINT"}, {"name", "VARCHAR"}};
    r.files = std::move(files);
    r.source = Source{"people.csv", 42, "abc123"};
    return r;
  }

  testing::TempDir dir_;
  // Destroyed after the clients, so it never waits out their idle connections.
  std::unique_ptr<testing::ServiceProcess> server_;
  std::unique_ptr<storage::LocalObjectStore> local_store_;
  storage::ObjectStore* store_ = nullptr;
  std::unique_ptr<Catalog> catalog_;
};

TEST_P(CatalogTest, CreateAppendOverwriteMakeConsecutiveVersions) {
  auto f1 = WriteFile("people", "a", 10);
  auto v1 = catalog_->Commit(Request("people", WriteMode::kAppend, {f1}));
  ASSERT_TRUE(v1.ok()) << v1.status().ToString();
  EXPECT_EQ(v1->version, 1u);
  EXPECT_EQ(v1->operation, Operation::kCreate);
  EXPECT_FALSE(v1->parent.has_value());
  EXPECT_EQ(v1->rows, 10u);

  auto f2 = WriteFile("people", "b", 5);
  auto v2 = catalog_->Commit(Request("people", WriteMode::kAppend, {f2}));
  ASSERT_TRUE(v2.ok());
  EXPECT_EQ(v2->version, 2u);
  EXPECT_EQ(v2->operation, Operation::kAppend);
  EXPECT_EQ(v2->parent, 1u);
  EXPECT_EQ(v2->rows, 15u);
  ASSERT_EQ(v2->files.size(), 2u);
  EXPECT_EQ(v2->bytes, f1.bytes + f2.bytes);

  auto f3 = WriteFile("people", "c", 7);
  auto v3 = catalog_->Commit(Request("people", WriteMode::kOverwrite, {f3}));
  ASSERT_TRUE(v3.ok());
  EXPECT_EQ(v3->operation, Operation::kOverwrite);
  EXPECT_EQ(v3->rows, 7u);
  ASSERT_EQ(v3->files.size(), 1u);

  // Every version stays readable, with its own files and source.
  auto old = catalog_->GetVersion("people", 2);
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(old->rows, 15u);
  ASSERT_TRUE(old->source.has_value());
  EXPECT_EQ(old->source->sha256, "abc123");
  EXPECT_EQ(old->schema[1].type, "VARCHAR");
  EXPECT_EQ(catalog_->GetCurrent("people")->version, 3u);
  auto versions = catalog_->ListVersions("people");
  ASSERT_TRUE(versions.ok());
  ASSERT_EQ(versions->size(), 3u);
  EXPECT_EQ((*versions)[0].version, 1u);
  EXPECT_EQ((*versions)[2].version, 3u);
  auto listing = catalog_->ListDatasets();
  ASSERT_TRUE(listing.ok());
  ASSERT_EQ(listing->datasets.size(), 1u);
  EXPECT_EQ(listing->datasets[0].name, "people");
  EXPECT_EQ(listing->datasets[0].version, 3u);
  EXPECT_EQ(listing->datasets[0].rows, 7u);
  EXPECT_TRUE(listing->damaged.empty());
}

TEST_P(CatalogTest, BadNamesAndUnknownDatasets) {
  for (const char* name : {"", "Upper", "1abc", "has-dash", "has space", "a/b",
                           "a123456789012345678901234567890123456789012345678901234567890123"}) {
    EXPECT_EQ(catalog_->GetCurrent(name).status().code(), StatusCode::kInvalidArgument) << name;
    EXPECT_EQ(catalog_->Commit(Request(name, WriteMode::kAppend, {})).status().code(),
              StatusCode::kInvalidArgument)
        << name;
  }
  EXPECT_EQ(catalog_->GetCurrent("missing").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(catalog_->GetVersion("missing", 1).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(catalog_->ListVersions("missing").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(catalog_->DeleteDataset("missing").status().code(), StatusCode::kNotFound);
}

TEST_P(CatalogTest, AnUnknownDatasetHasOneWordingEverywhere) {
  const std::string words = R"(dataset "missing" does not exist)";
  EXPECT_EQ(catalog_->GetCurrent("missing").status().message(), words);
  EXPECT_EQ(catalog_->GetVersion("missing", 1).status().message(), words);
  EXPECT_EQ(catalog_->ListVersions("missing").status().message(), words);
  EXPECT_EQ(catalog_->DeleteDataset("missing").status().message(), words);
  EXPECT_EQ(catalog_->ListTags("missing").status().message(), words);
  EXPECT_EQ(catalog_->PutTag("missing", "baseline", 1).message(), words);
  EXPECT_EQ(catalog_->GetVersion("missing", 1).status().code(), StatusCode::kNotFound);
  // A dataset that exists without that version says so instead.
  ASSERT_TRUE(
      catalog_->Commit(Request("people", WriteMode::kAppend, {WriteFile("people", "a", 1)})).ok());
  auto version = catalog_->GetVersion("people", 9);
  EXPECT_EQ(version.status().code(), StatusCode::kNotFound);
  EXPECT_NE(version.status().message().find("no version 9"), std::string::npos)
      << version.status().ToString();
}

TEST_P(CatalogTest, ConcurrentAppendsAllLandAsConsecutiveVersions) {
  constexpr int kWriters = 6;
  constexpr int kEach = 4;
  std::vector<std::vector<DataFile>> files(kWriters);
  for (int w = 0; w < kWriters; ++w) {
    for (int i = 0; i < kEach; ++i) {
      files[w].push_back(WriteFile("events", std::to_string(w) + "-" + std::to_string(i), 1));
    }
  }
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      for (int i = 0; i < kEach; ++i) {
        auto committed = catalog_->Commit(Request("events", WriteMode::kAppend, {files[w][i]}));
        if (!committed.ok()) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  auto current = catalog_->GetCurrent("events");
  ASSERT_TRUE(current.ok());
  EXPECT_EQ(current->version, static_cast<uint64_t>(kWriters * kEach));
  EXPECT_EQ(current->rows, static_cast<uint64_t>(kWriters * kEach));
  std::set<std::string> keys;
  for (const auto& f : current->files) keys.insert(f.key);
  EXPECT_EQ(keys.size(), static_cast<size_t>(kWriters * kEach));
  auto versions = catalog_->ListVersions("events");
  ASSERT_TRUE(versions.ok());
  for (size_t i = 0; i < versions->size(); ++i) {
    EXPECT_EQ((*versions)[i].version, i + 1);
    if (i > 0) {
      EXPECT_EQ((*versions)[i].parent, i);
    }
  }
}

TEST_P(CatalogTest, ConcurrentOverwritesOneWinsTheOtherConflicts) {
  for (int round = 0; round < 3; ++round) {
    std::string name = "table" + std::to_string(round);
    ASSERT_TRUE(
        catalog_->Commit(Request(name, WriteMode::kAppend, {WriteFile(name, "base", 1)})).ok());
    auto fa = WriteFile(name, "a", 2);
    auto fb = WriteFile(name, "b", 3);
    std::barrier start(2);
    std::atomic<int> ok{0}, conflict{0};
    auto writer = [&](DataFile file) {
      auto request = Request(name, WriteMode::kOverwrite, {file});
      request.expected_version = 1;
      start.arrive_and_wait();
      auto committed = catalog_->Commit(request);
      if (committed.ok()) ++ok;
      if (committed.status().code() == StatusCode::kConflict) ++conflict;
    };
    std::thread a(writer, fa), b(writer, fb);
    a.join();
    b.join();
    EXPECT_EQ(ok.load(), 1);
    EXPECT_EQ(conflict.load(), 1);
    EXPECT_EQ(catalog_->GetCurrent(name)->version, 2u);
  }
}

TEST_P(CatalogTest, ADamagedManifestIsListedBesideTheGoodDatasetsNeverFailsTheListing) {
  ASSERT_TRUE(
      catalog_->Commit(Request("people", WriteMode::kAppend, {WriteFile("people", "a", 3)})).ok());
  const std::string garbage_key = StoreCatalog::ManifestKey("zzz", 1);
  const std::string stranger_key = StoreCatalog::ManifestKey("yyy", 1);
  ASSERT_TRUE(store_->PutBytes(garbage_key, "\x01 this is no manifest {").ok());
  // Valid JSON, but it claims to be another dataset's version.
  auto people = store_->GetBytes(StoreCatalog::ManifestKey("people", 1));
  ASSERT_TRUE(people.ok());
  ASSERT_TRUE(store_->PutBytes(stranger_key, *people).ok());

  auto listing = catalog_->ListDatasets();
  ASSERT_TRUE(listing.ok()) << listing.status().ToString();
  ASSERT_EQ(listing->datasets.size(), 1u);
  EXPECT_EQ(listing->datasets[0].name, "people");
  ASSERT_EQ(listing->damaged.size(), 2u);
  EXPECT_EQ(listing->damaged[0].key, stranger_key);
  EXPECT_NE(listing->damaged[0].error.find("people@1"), std::string::npos)
      << listing->damaged[0].error;
  EXPECT_EQ(listing->damaged[1].key, garbage_key);
  EXPECT_FALSE(listing->damaged[1].error.empty());

  auto current = catalog_->GetCurrent("zzz");
  EXPECT_EQ(current.status().code(), StatusCode::kIoError);
  EXPECT_NE(current.status().message().find(garbage_key), std::string::npos)
      << current.status().ToString();
  EXPECT_EQ(catalog_->GetCurrent("people")->rows, 3u);
}

TEST_P(CatalogTest, DeletedDatasetDisappearsButItsHistoryRemains) {
  ASSERT_TRUE(
      catalog_->Commit(Request("gone", WriteMode::kAppend, {WriteFile("gone", "a", 4)})).ok());
  ASSERT_TRUE(catalog_->DeleteDataset("gone").ok());
  EXPECT_EQ(catalog_->GetCurrent("gone").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(catalog_->ListDatasets()->datasets.empty());
  EXPECT_EQ(catalog_->GetVersion("gone", 1)->rows, 4u);
  EXPECT_EQ(catalog_->GetVersion("gone", 2)->operation, Operation::kDelete);
  EXPECT_EQ(catalog_->DeleteDataset("gone").status().code(), StatusCode::kNotFound);
  auto again = catalog_->Commit(Request("gone", WriteMode::kAppend, {WriteFile("gone", "b", 1)}));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->version, 3u);
  EXPECT_EQ(again->operation, Operation::kCreate);
  EXPECT_EQ(again->rows, 1u);
}

TEST_P(CatalogTest, VacuumKeepsWhatKeptVersionsNeed) {
  auto f1 = WriteFile("v", "1", 1);
  auto f2 = WriteFile("v", "2", 1);
  auto f3 = WriteFile("v", "3", 1);
  ASSERT_TRUE(catalog_->Commit(Request("v", WriteMode::kAppend, {f1})).ok());
  ASSERT_TRUE(catalog_->Commit(Request("v", WriteMode::kOverwrite, {f2})).ok());
  ASSERT_TRUE(catalog_->Commit(Request("v", WriteMode::kAppend, {f3})).ok());  // needs f2, f3
  EXPECT_EQ(catalog_->Vacuum("v", 0).status().code(), StatusCode::kInvalidArgument);
  auto report = catalog_->Vacuum("v", 2);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->removed_versions, std::vector<uint64_t>{1});
  EXPECT_EQ(report->removed_files, std::vector<std::string>{f1.key});
  EXPECT_EQ(store_->Head(f1.key).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(store_->Head(f2.key).ok());
  EXPECT_TRUE(store_->Head(f3.key).ok());
  EXPECT_EQ(catalog_->GetVersion("v", 1).status().code(), StatusCode::kNotFound);
  auto again = catalog_->Vacuum("v", 1);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->removed_versions, std::vector<uint64_t>{2});
  EXPECT_TRUE(again->removed_files.empty());  // v3 still reads f2
  EXPECT_TRUE(store_->Head(f2.key).ok());
  EXPECT_EQ(catalog_->GetCurrent("v")->rows, 2u);
}

TEST_P(CatalogTest, TagsNameVersionsAndMove) {
  ASSERT_TRUE(
      catalog_->Commit(Request("people", WriteMode::kAppend, {WriteFile("people", "a", 3)})).ok());
  ASSERT_TRUE(
      catalog_->Commit(Request("people", WriteMode::kAppend, {WriteFile("people", "b", 2)})).ok());
  auto empty = catalog_->ListTags("people");
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_TRUE(empty->empty());

  ASSERT_TRUE(catalog_->PutTag("people", "baseline", 1).ok());
  EXPECT_EQ(*catalog_->GetTag("people", "baseline"), 1u);
  // Names sort "a" < "a-b" < "a.b", whatever their keys' order.
  for (const char* tag : {"a.b", "a-b", "a", "z9_x"}) {
    ASSERT_TRUE(catalog_->PutTag("people", tag, 2).ok()) << tag;
  }
  auto tags = catalog_->ListTags("people");
  ASSERT_TRUE(tags.ok()) << tags.status().ToString();
  std::vector<std::string> names;
  for (const auto& t : *tags) names.push_back(t.tag);
  EXPECT_EQ(names, (std::vector<std::string>{"a", "a-b", "a.b", "baseline", "z9_x"}));
  EXPECT_EQ((*tags)[3].version, 1u);
  EXPECT_GT((*tags)[3].created_unix_ms, 0);

  // Moving a tag is allowed.
  ASSERT_TRUE(catalog_->PutTag("people", "baseline", 2).ok());
  EXPECT_EQ(*catalog_->GetTag("people", "baseline"), 2u);

  // The tag objects are neither datasets nor versions.
  auto listing = catalog_->ListDatasets();
  ASSERT_TRUE(listing.ok());
  ASSERT_EQ(listing->datasets.size(), 1u);
  EXPECT_EQ(listing->datasets[0].version, 2u);
  EXPECT_TRUE(listing->damaged.empty());
  EXPECT_EQ(catalog_->ListVersions("people")->size(), 2u);
  EXPECT_EQ(catalog_->GetCurrent("people")->version, 2u);

  ASSERT_TRUE(catalog_->DeleteTag("people", "baseline").ok());
  EXPECT_EQ(catalog_->GetTag("people", "baseline").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(catalog_->DeleteTag("people", "baseline").code(), StatusCode::kNotFound);
  EXPECT_EQ(catalog_->ListTags("people")->size(), 4u);

  // A deleted dataset keeps its tags, which still name readable versions.
  ASSERT_TRUE(catalog_->DeleteDataset("people").ok());
  EXPECT_EQ(*catalog_->GetTag("people", "a"), 2u);
  EXPECT_EQ(catalog_->ListTags("people")->size(), 4u);
}

TEST_P(CatalogTest, BadTagsAndUnknownVersionsAreRefused) {
  ASSERT_TRUE(
      catalog_->Commit(Request("people", WriteMode::kAppend, {WriteFile("people", "a", 3)})).ok());
  for (const char* tag :
       {"", "Upper", "1abc", "123", "_x", "-x", ".x", "has space", "a/b", "a@b", "a%2Fb",
        "a1234567890123456789012345678901234567890123456789012345678901"
        "23"}) {
    for (const Status& status :
         {catalog_->PutTag("people", tag, 1), catalog_->GetTag("people", tag).status(),
          catalog_->DeleteTag("people", tag)}) {
      EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << tag;
      EXPECT_NE(status.message().find("[a-z][a-z0-9_.-]{0,62}"), std::string::npos)
          << status.ToString();
    }
  }
  EXPECT_EQ(catalog_->PutTag("Bad", "ok", 1).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(catalog_->ListTags("Bad").status().code(), StatusCode::kInvalidArgument);

  Status missing = catalog_->PutTag("people", "later", 7);
  EXPECT_EQ(missing.code(), StatusCode::kNotFound);
  EXPECT_NE(missing.message().find("7"), std::string::npos) << missing.ToString();
  EXPECT_EQ(catalog_->PutTag("nosuch", "x", 1).code(), StatusCode::kNotFound);
  EXPECT_EQ(catalog_->ListTags("nosuch").status().code(), StatusCode::kNotFound);
  auto unknown = catalog_->GetTag("people", "nope");
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  EXPECT_NE(unknown.status().message().find("nope"), std::string::npos)
      << unknown.status().ToString();
  EXPECT_EQ(catalog_->GetTag("nosuch", "nope").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(catalog_->DeleteTag("people", "nope").code(), StatusCode::kNotFound);

  // A deletion has no rows to name.
  ASSERT_TRUE(catalog_->DeleteDataset("people").ok());
  Status tombstone = catalog_->PutTag("people", "gone", 2);
  EXPECT_EQ(tombstone.code(), StatusCode::kNotFound);
  EXPECT_NE(tombstone.message().find("version 2"), std::string::npos) << tombstone.ToString();
  EXPECT_TRUE(catalog_->ListTags("people")->empty());
}

TEST_P(CatalogTest, VacuumKeepsTaggedVersionsAndWhatTheyRead) {
  auto f1 = WriteFile("v", "1", 10);
  DeleteFile d1{DataFilePrefix("v") + "1.deletes", 2, 0};
  d1.bytes = store_->PutBytes(d1.key, "deletion vector")->size;
  f1.deletes = {d1};
  auto f2 = WriteFile("v", "2", 1);
  auto f3 = WriteFile("v", "3", 1);
  ASSERT_TRUE(catalog_->Commit(Request("v", WriteMode::kAppend, {f1})).ok());
  ASSERT_TRUE(catalog_->Commit(Request("v", WriteMode::kOverwrite, {f2})).ok());
  ASSERT_TRUE(catalog_->Commit(Request("v", WriteMode::kOverwrite, {f3})).ok());
  ASSERT_TRUE(catalog_->PutTag("v", "baseline", 1).ok());

  auto report = catalog_->Vacuum("v", 1);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->removed_versions, std::vector<uint64_t>{2});
  EXPECT_EQ(report->removed_files, std::vector<std::string>{f2.key});
  EXPECT_EQ(report->kept_tagged, std::vector<uint64_t>{1});
  EXPECT_TRUE(store_->Head(f1.key).ok());
  EXPECT_TRUE(store_->Head(d1.key).ok());
  auto tagged = catalog_->GetVersion("v", 1);
  ASSERT_TRUE(tagged.ok()) << tagged.status().ToString();
  EXPECT_EQ(tagged->rows, 8u);
  EXPECT_EQ(catalog_->GetVersion("v", 2).status().code(), StatusCode::kNotFound);

  // Untagged, it goes the way of the others.
  ASSERT_TRUE(catalog_->DeleteTag("v", "baseline").ok());
  auto again = catalog_->Vacuum("v", 1);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->removed_versions, std::vector<uint64_t>{1});
  EXPECT_EQ(again->removed_files, (std::vector<std::string>{d1.key, f1.key}));
  EXPECT_TRUE(again->kept_tagged.empty());
  EXPECT_EQ(store_->Head(f1.key).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->Head(d1.key).status().code(), StatusCode::kNotFound);
}

TEST_P(CatalogTest, RestoreCommitsAnEarlierVersionsFilesAgain) {
  auto f1 = WriteFile("r", "1", 10);
  f1.deletes = {{DataFilePrefix("r") + "1.deletes", 3, 7}};
  auto f2 = WriteFile("r", "2", 5);
  auto v1 = catalog_->Commit(Request("r", WriteMode::kAppend, {f1}));
  ASSERT_TRUE(v1.ok());
  ASSERT_TRUE(catalog_->Commit(Request("r", WriteMode::kAppend, {f2})).ok());
  ASSERT_TRUE(catalog_->PutTag("r", "both", 2).ok());

  auto v3 = Restore(*catalog_, "r", RestoreTarget::OfVersion(1));
  ASSERT_TRUE(v3.ok()) << v3.status().ToString();
  EXPECT_EQ(v3->version, 3u);
  EXPECT_EQ(v3->parent, 2u);
  EXPECT_EQ(v3->operation, Operation::kRestore);
  EXPECT_EQ(v3->restored_from, 1u);
  EXPECT_EQ(v3->files, v1->files);  // deletes included, nothing copied
  EXPECT_EQ(v3->schema, v1->schema);
  EXPECT_EQ(v3->rows, 7u);
  EXPECT_EQ(v3->counts, (ChangeCounts{7, 0, 12}));
  EXPECT_EQ(catalog_->GetCurrent("r")->version, 3u);

  auto v4 = Restore(*catalog_, "r", RestoreTarget::OfTag("both"));
  ASSERT_TRUE(v4.ok()) << v4.status().ToString();
  EXPECT_EQ(v4->restored_from, 2u);
  EXPECT_EQ(v4->files.size(), 2u);
  EXPECT_EQ(v4->counts, (ChangeCounts{12, 0, 7}));

  // A deleted dataset comes back.
  ASSERT_TRUE(catalog_->DeleteDataset("r").ok());
  auto v6 = Restore(*catalog_, "r", RestoreTarget::OfVersion(1));
  ASSERT_TRUE(v6.ok()) << v6.status().ToString();
  EXPECT_EQ(v6->version, 6u);
  EXPECT_EQ(v6->operation, Operation::kRestore);
  EXPECT_EQ(v6->counts, (ChangeCounts{7, 0, 0}));
  EXPECT_EQ(catalog_->GetCurrent("r")->rows, 7u);
  ASSERT_EQ(catalog_->ListDatasets()->datasets.size(), 1u);

  // What cannot be restored.
  auto missing = Restore(*catalog_, "r", RestoreTarget::OfVersion(9));
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("9"), std::string::npos);
  auto deletion = Restore(*catalog_, "r", RestoreTarget::OfVersion(5));
  EXPECT_EQ(deletion.status().code(), StatusCode::kNotFound);
  EXPECT_NE(deletion.status().message().find("version 5"), std::string::npos);
  auto untagged = Restore(*catalog_, "r", RestoreTarget::OfTag("nope"));
  EXPECT_EQ(untagged.status().code(), StatusCode::kNotFound);
  EXPECT_NE(untagged.status().message().find("nope"), std::string::npos);
  EXPECT_EQ(Restore(*catalog_, "r", RestoreTarget::OfTag("Bad")).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Restore(*catalog_, "nosuch", RestoreTarget::OfVersion(1)).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(Restore(*catalog_, "r", RestoreTarget{}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Restore(*catalog_, "r", RestoreTarget{1, "both"}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(catalog_->GetCurrent("r")->version, 6u);
}

INSTANTIATE_TEST_SUITE_P(Catalogs, CatalogTest, ::testing::Values(Kind::kInProcess, Kind::kHttp),
                         [](const auto& info) {
                           return info.param == Kind::kInProcess ? "InProcess" : "OverHttp";
                         });

TEST(StoreCatalogTest, ARestartedCatalogKnowsEverything) {
  testing::TempDir dir;
  auto store = storage::LocalObjectStore::Open({dir.path(), 1 << 20});
  ASSERT_TRUE(store.ok());
  {
    StoreCatalog catalog(**store);
    CommitRequest r;
    r.dataset = "kept";
    r.schema = {{"x", "INTEGER"}};
    r.files = {{"data/kept/f.parquet", 3, 10, {}}};
    ASSERT_TRUE(catalog.Commit(r).ok());
    ASSERT_TRUE(catalog.Commit(r).ok());
  }
  StoreCatalog fresh(**store);
  auto current = fresh.GetCurrent("kept");
  ASSERT_TRUE(current.ok());
  EXPECT_EQ(current->version, 2u);
  EXPECT_EQ(current->rows, 6u);
}

// Two processes on one bucket: each has its own StoreCatalog (and its own
// caches) over the same objects.
TEST(StoreCatalogTest, TwoCatalogsOnOneStoreSeeEachOtherAndAppendConsecutively) {
  testing::TempDir dir;
  auto store = storage::LocalObjectStore::Open({dir.path(), 1 << 20});
  ASSERT_TRUE(store.ok());
  StoreCatalog a(**store);
  StoreCatalog b(**store);
  CommitRequest r;
  r.dataset = "shared";
  r.schema = {{"x", "INTEGER"}};
  r.files = {{"data/shared/first.parquet", 1, 10, {}}};
  ASSERT_TRUE(a.Commit(r).ok());
  // b looked once (and remembers version 1); a's next commit is still seen.
  ASSERT_EQ(b.GetCurrent("shared")->version, 1u);
  ASSERT_TRUE(a.Commit(r).ok());
  EXPECT_EQ(b.GetCurrent("shared")->version, 2u);
  EXPECT_EQ(b.ListDatasets()->datasets.at(0).version, 2u);

  // Appends from both at once: a loser of a race commits as the next number.
  constexpr int kEach = 10;
  std::atomic<int> failures{0};
  auto append = [&](StoreCatalog& catalog, const std::string& who) {
    for (int i = 0; i < kEach; ++i) {
      CommitRequest one = r;
      one.files = {{"data/shared/" + who + std::to_string(i) + ".parquet", 1, 10, {}}};
      if (!catalog.Commit(one).ok()) ++failures;
    }
  };
  std::thread ta(append, std::ref(a), "a");
  std::thread tb(append, std::ref(b), "b");
  ta.join();
  tb.join();
  EXPECT_EQ(failures.load(), 0);
  for (StoreCatalog* catalog : {&a, &b}) {
    auto current = catalog->GetCurrent("shared");
    ASSERT_TRUE(current.ok());
    EXPECT_EQ(current->version, 2u + 2 * kEach);
    EXPECT_EQ(current->rows, 2u + 2 * kEach);
    auto versions = catalog->ListVersions("shared");
    ASSERT_TRUE(versions.ok());
    ASSERT_EQ(versions->size(), 2u + 2 * kEach);
    for (size_t i = 0; i < versions->size(); ++i) EXPECT_EQ((*versions)[i].version, i + 1);
  }
  // A delete through one is seen by the other.
  ASSERT_TRUE(a.DeleteDataset("shared").ok());
  EXPECT_EQ(b.GetCurrent("shared").status().code(), StatusCode::kNotFound);
}

TEST(StoreCatalogTest, CorruptManifestIsAnIoErrorNotACrash) {
  testing::TempDir dir;
  auto store = storage::LocalObjectStore::Open({dir.path(), 1 << 20});
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->PutBytes(StoreCatalog::ManifestKey("bad", 1), "{not json").ok());
  StoreCatalog catalog(**store);
  EXPECT_EQ(catalog.GetCurrent("bad").status().code(), StatusCode::kIoError);
  ASSERT_TRUE((*store)->PutBytes(StoreCatalog::ManifestKey("bad", 1), R"({"dataset":"bad"})").ok());
  StoreCatalog again(**store);
  EXPECT_EQ(again.GetCurrent("bad").status().code(), StatusCode::kIoError);
}

}  // namespace
}  // namespace lakehouse::catalog
