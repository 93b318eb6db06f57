// catalog::Restore against other writers: a restore that loses the race for
// the next version re-reads the current one and commits again, counting what
// it replaces then; one that keeps losing gives up with a conflict.
#include "catalog/restore.h"

#include <gtest/gtest.h>

#include "catalog/store_catalog.h"
#include "storage/local_object_store.h"
#include "testing/temp_dir.h"

namespace lakehouse::catalog {
namespace {

// A StoreCatalog where another writer appends a row just before each of the
// first `races` replace commits, so each of those finds its base outdated.
class RacingCatalog final : public Catalog {
 public:
  RacingCatalog(StoreCatalog& inner, int races) : inner_(inner), races_(races) {}

  Result<Manifest> Commit(const CommitRequest& request) override {
    if (request.mode == WriteMode::kReplace) {
      ++replace_attempts;
      if (races_ > 0) {
        --races_;
        CommitRequest other;
        other.dataset = request.dataset;
        other.schema = request.schema;
        other.files = {
            {DataFilePrefix(request.dataset) + "other" + std::to_string(races_) + ".parquet",
             1,
             10,
             {}}};
        auto won = inner_.Commit(other);
        if (!won.ok()) return won.status();
      }
    }
    return inner_.Commit(request);
  }

  Result<DatasetListing> ListDatasets() override { return inner_.ListDatasets(); }
  Result<Manifest> GetCurrent(std::string_view name) override { return inner_.GetCurrent(name); }
  Result<Manifest> GetVersion(std::string_view name, uint64_t version) override {
    return inner_.GetVersion(name, version);
  }
  Result<std::vector<Manifest>> ListVersions(std::string_view name) override {
    return inner_.ListVersions(name);
  }
  Result<Manifest> DeleteDataset(std::string_view name) override {
    return inner_.DeleteDataset(name);
  }
  Result<VacuumReport> Vacuum(std::string_view name, uint64_t keep) override {
    return inner_.Vacuum(name, keep);
  }
  Status PutTag(std::string_view name, std::string_view tag, uint64_t version) override {
    return inner_.PutTag(name, tag, version);
  }
  Result<std::vector<Tag>> ListTags(std::string_view name) override {
    return inner_.ListTags(name);
  }
  Result<std::vector<uint64_t>> RewriteFiles(std::string_view name,
                                             const FileRewrites& rewrites) override {
    return inner_.RewriteFiles(name, rewrites);
  }
  Result<uint64_t> GetTag(std::string_view name, std::string_view tag) override {
    return inner_.GetTag(name, tag);
  }
  Status DeleteTag(std::string_view name, std::string_view tag) override {
    return inner_.DeleteTag(name, tag);
  }

  int replace_attempts = 0;

 private:
  StoreCatalog& inner_;
  int races_;
};

class RestoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = storage::LocalObjectStore::Open({dir_.path(), 1 << 20});
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
    catalog_ = std::make_unique<StoreCatalog>(*store_);
    CommitRequest r;
    r.dataset = "people";
    r.schema = {{"id", "BIGINT"}};
    r.files = {{"data/people/a.parquet", 4, 10, {}}};
    ASSERT_TRUE(catalog_->Commit(r).ok());
    r.files = {{"data/people/b.parquet", 2, 10, {}}};
    ASSERT_TRUE(catalog_->Commit(r).ok());  // 6 rows
  }

  testing::TempDir dir_;
  std::unique_ptr<storage::LocalObjectStore> store_;
  std::unique_ptr<StoreCatalog> catalog_;
};

TEST_F(RestoreTest, ALostRaceIsRetriedFromTheNewCurrentVersion) {
  RacingCatalog racing(*catalog_, 2);
  auto restored = Restore(racing, "people", RestoreTarget::OfVersion(1));
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ(racing.replace_attempts, 3);
  // Versions 3 and 4 are the other writer's appends (7 and 8 rows).
  EXPECT_EQ(restored->version, 5u);
  EXPECT_EQ(restored->parent, 4u);
  EXPECT_EQ(restored->rows, 4u);
  EXPECT_EQ(restored->counts, (ChangeCounts{4, 0, 8}));
  EXPECT_EQ(restored->files, catalog_->GetVersion("people", 1)->files);
}

TEST_F(RestoreTest, AWriterThatAlwaysWinsEndsInAConflict) {
  RacingCatalog racing(*catalog_, 1000);
  auto restored = Restore(racing, "people", RestoreTarget::OfVersion(1));
  EXPECT_EQ(restored.status().code(), StatusCode::kConflict) << restored.status().ToString();
  EXPECT_LE(racing.replace_attempts, 10);
  auto versions = catalog_->ListVersions("people");
  ASSERT_TRUE(versions.ok());
  for (const auto& m : *versions) EXPECT_NE(m.operation, Operation::kRestore);
}

}  // namespace
}  // namespace lakehouse::catalog
