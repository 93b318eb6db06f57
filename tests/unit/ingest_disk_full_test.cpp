// Ingest on a full disk: wherever the disk fills up (spooling the upload,
// DuckDB writing Parquet, the store taking the file, the catalog committing),
// the answer is kNoSpace (HTTP 507), the message names no server path, and
// nothing is committed or left behind.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <memory>

#include "catalog/store_catalog.h"
#include "common/splitmix64.h"
#include "http/http_status.h"
#include "ingest/failures.h"
#include "ingest/ingestor.h"
#include "storage/local_object_store.h"
#include "testing/fault_injecting_store.h"
#include "testing/temp_dir.h"
#include "testing/tmpfs_mount.h"

namespace lakehouse::ingest {
namespace {

namespace fs = std::filesystem;
using testing::FaultInjectingStore;
using testing::TempDir;
using testing::TmpfsMount;

constexpr const char* kCsv = "id,name,rate\n1,Ann,50\n2,Bob,60\n3,Cy,70\n";

// A work directory whose file `name` is /dev/full: every write to it fails
// with ENOSPC from the kernel, as on a full disk.
std::function<Result<std::string>(const std::string&)> WorkDirWithFull(std::string name) {
  return [name](const std::string& scratch) -> Result<std::string> {
    std::string dir = scratch + "/ingest-full";
    fs::create_directories(dir);
    fs::create_symlink("/dev/full", dir + "/" + name);
    return dir;
  };
}

class IngestDiskFullTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto local = storage::LocalObjectStore::Open({dir_.path() + "/objects", 1ull << 30});
    ASSERT_TRUE(local.ok()) << local.status().ToString();
    local_ = std::move(*local);
    store_ = std::make_unique<FaultInjectingStore>(*local_);
    catalog_ = std::make_unique<catalog::StoreCatalog>(*store_);
  }

  std::unique_ptr<Ingestor> Open(IngestOptions options = {}) {
    if (options.scratch_dir.empty()) options.scratch_dir = scratch();
    auto ingestor = Ingestor::Open(options, *store_, *catalog_);
    EXPECT_TRUE(ingestor.ok()) << ingestor.status().ToString();
    return ingestor.ok() ? std::move(*ingestor) : nullptr;
  }

  static Result<IngestResult> Ingest(Ingestor& ingestor, const std::string& bytes,
                                     Format format = Format::kCsv) {
    IngestRequest request;
    request.dataset = "d";
    request.format = format;
    request.file_name = format == Format::kCsv ? "upload.csv" : "upload.json";
    return ingestor.Ingest(request, [&](const storage::ChunkWriter& write) {
      for (size_t at = 0; at < bytes.size(); at += 65536) {
        LH_RETURN_IF_ERROR(write(std::string_view(bytes).substr(at, 65536)));
      }
      return Status::Ok();
    });
  }

  // A full disk: 507, a message for people that names no path, and nothing
  // committed, stored or left in scratch space.
  void ExpectFullDiskAndNothingLeft(const Result<IngestResult>& result) {
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.status().code(), StatusCode::kNoSpace) << result.status().ToString();
    EXPECT_EQ(http::HttpStatusFor(result.status().code()), 507);
    const std::string& message = result.status().message();
    EXPECT_NE(message.find("disk is full"), std::string::npos) << message;
    EXPECT_EQ(message.find(dir_.path()), std::string::npos) << message;
    EXPECT_EQ(message.find("/dev/full"), std::string::npos) << message;
    EXPECT_EQ(message.find("ingest-"), std::string::npos) << message;
    EXPECT_EQ(catalog_->GetCurrent("d").status().code(), StatusCode::kNotFound);
    storage::ListOptions data;
    data.prefix = "data/";
    EXPECT_TRUE(local_->List(data)->objects.empty());
    for (const auto& entry : fs::directory_iterator(scratch())) {
      EXPECT_FALSE(entry.path().filename().string().starts_with("ingest-")) << entry.path();
    }
  }

  std::string scratch() const { return dir_.path() + "/scratch"; }

  TempDir dir_;
  std::unique_ptr<storage::LocalObjectStore> local_;
  std::unique_ptr<FaultInjectingStore> store_;
  std::unique_ptr<catalog::StoreCatalog> catalog_;
};

TEST_F(IngestDiskFullTest, StoreOutOfSpaceIsNoSpaceAndNothingIsCommitted) {
  auto ingestor = Open();
  // What LocalObjectStore and storaged say when their disk is full.
  store_->FailPutsAfter(0, Status::NoSpace("the server's disk is full: cannot store data/d/x"));
  ExpectFullDiskAndNothingLeft(Ingest(*ingestor, kCsv));
  EXPECT_EQ(store_->failed_puts(), 1);
}

TEST_F(IngestDiskFullTest, CommitOutOfSpaceRemovesTheStoredDataFile) {
  auto ingestor = Open();
  // The data file goes in; the manifest does not.
  store_->FailPutsAfter(1, Status::NoSpace("the server's disk is full: cannot store _catalog/d"));
  ExpectFullDiskAndNothingLeft(Ingest(*ingestor, kCsv));
  store_->Heal();
  auto again = Ingest(*ingestor, kCsv);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->rows_added, 3u);
}

TEST_F(IngestDiskFullTest, SpoolingOntoAFullDiskIsNoSpace) {
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full on this system";
  IngestOptions options;
  options.make_work_dir = WorkDirWithFull("source.csv");
  auto ingestor = Open(options);
  ExpectFullDiskAndNothingLeft(Ingest(*ingestor, kCsv));
}

TEST_F(IngestDiskFullTest, DuckDbWritingOntoAFullDiskIsNoSpace) {
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full on this system";
  IngestOptions options;
  options.make_work_dir = WorkDirWithFull("data.parquet");
  auto ingestor = Open(options);
  ExpectFullDiskAndNothingLeft(Ingest(*ingestor, kCsv));
  ExpectFullDiskAndNothingLeft(Ingest(*ingestor, R"([{"id": 1}, {"id": 2}])", Format::kJson));
}

TEST(IngestFailuresTest, DuckDbsFullDiskTextIsRecognised) {
  // DuckDB 1.4 reports errno only as text, e.g.
  EXPECT_TRUE(MentionsFullDisk(
      "IO Error: Could not write file \"/s/ingest-1/data.parquet\": No space left on device"));
  EXPECT_TRUE(MentionsFullDisk("Out of Memory Error: failed to offload data block of size 256KiB"));
  EXPECT_TRUE(MentionsFullDisk("IO Error: Disk quota exceeded"));
  EXPECT_FALSE(MentionsFullDisk("Invalid Input Error: CSV Error on Line: 4"));
}

TEST(IngestFailuresTest, PathsUnderTheScratchDirectoryAreRedacted) {
  EXPECT_EQ(RedactPathsUnder("write \"/s/x/ingest-1/data.parquet\": failed", "/s/x", "(file)"),
            "write \"(file)\": failed");
  EXPECT_EQ(RedactPathsUnder("open /s/x/a: No such file; open /s/x/b", "/s/x", "(file)"),
            "open (file): No such file; open (file)");
  EXPECT_EQ(RedactPathsUnder("nothing here", "/s/x", "(file)"), "nothing here");
}

TEST(IngestFailuresTest, ScratchFailureNamesNoPath) {
  Status full = ScratchFailure(ENOSPC, "store the upload", "/secret/scratch/source.csv");
  EXPECT_EQ(full.code(), StatusCode::kNoSpace);
  EXPECT_EQ(full.message(), "the server's disk is full: cannot store the upload");
  Status other = ScratchFailure(EIO, "store the upload", "/secret/scratch/source.csv");
  EXPECT_EQ(other.code(), StatusCode::kIoError);
  EXPECT_EQ(other.message().find("/secret"), std::string::npos) << other.message();
}

// A real full filesystem: a tmpfs too small for the upload, then one with
// room for the upload but not for DuckDB's Parquet copy of it.
TEST_F(IngestDiskFullTest, RealTmpfsFullWhileSpoolingAndWhileConverting) {
  TmpfsMount tmpfs(scratch(), 4 << 20);
  if (!tmpfs.mounted()) GTEST_SKIP() << tmpfs.error();
  auto ingestor = Open();
  SplitMix64 rng(7);
  auto random_csv = [&](size_t bytes) {
    std::string csv = "id,blob\n";
    for (int id = 0; csv.size() < bytes; ++id) {
      csv += std::to_string(id) + ",";
      for (int i = 0; i < 100; ++i) csv.push_back(static_cast<char>('0' + rng.Below(75)));
      csv += "\n";
    }
    return csv;
  };
  ExpectFullDiskAndNothingLeft(Ingest(*ingestor, random_csv(5 << 20)));
  // Incompressible text: its Parquet copy needs most of its size again.
  ExpectFullDiskAndNothingLeft(Ingest(*ingestor, random_csv(3 << 20)));
  auto small = Ingest(*ingestor, kCsv);
  ASSERT_TRUE(small.ok()) << small.status().ToString();
  EXPECT_EQ(small->rows_added, 3u);
}

}  // namespace
}  // namespace lakehouse::ingest
