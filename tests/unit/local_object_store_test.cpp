// Behaviour particular to the local-directory backend: its on-disk layout,
// crash leftovers and filesystem limits.
#include "storage/local_object_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "http/http_status.h"
#include "testing/temp_dir.h"
#include "testing/tmpfs_mount.h"

namespace lakehouse::storage {
namespace {

namespace fs = std::filesystem;

class LocalObjectStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<LocalObjectStore> Open(uint64_t max = 1 << 20) {
    auto store = LocalObjectStore::Open({root(), max});
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return std::move(*store);
  }
  std::string root() const { return dir_.path() + "/objects"; }
  testing::TempDir dir_;
};

TEST_F(LocalObjectStoreTest, TempFilesFromACrashAreRemovedOnOpenAndNeverListed) {
  auto store = Open();
  ASSERT_TRUE(store->PutBytes("d/real", "ok").ok());
  // What a writer killed between create and rename leaves behind.
  std::string stray = root() + "/d%2F/.tmp-999-1-deadbeef";
  std::ofstream(stray) << "partial";
  auto page = store->List({});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->objects.size(), 1u);
  EXPECT_EQ(page->objects[0].key, "d/real");
  store.reset();
  store = Open();
  EXPECT_FALSE(fs::exists(stray));
  EXPECT_EQ(*store->GetBytes("d/real"), "ok");
}

TEST_F(LocalObjectStoreTest, FailedPutLeavesNoTempFile) {
  auto store = Open(10);
  EXPECT_EQ(store->PutBytes("x/too-big", std::string(11, 'x')).status().code(),
            StatusCode::kTooLarge);
  PutOptions options;
  auto put = store->Put(
      "x/failed",
      [](const ChunkWriter& write) -> Status {
        LH_RETURN_IF_ERROR(write("abc"));
        return Status::IoError("source broke");
      },
      options);
  EXPECT_EQ(put.status().code(), StatusCode::kIoError);
  for (const auto& entry : fs::recursive_directory_iterator(root())) {
    EXPECT_TRUE(entry.is_directory()) << "left behind: " << entry.path();
  }
}

TEST_F(LocalObjectStoreTest, DeclaredLengthMustMatchTheBody) {
  auto store = Open();
  PutOptions options;
  options.content_length = 10;
  auto put = store->Put(
      "short", [](const ChunkWriter& write) { return write("abc"); }, options);
  EXPECT_EQ(put.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store->Head("short").status().code(), StatusCode::kNotFound);
}

TEST_F(LocalObjectStoreTest, LayoutKeepsObjectsAndPrefixesApart) {
  auto store = Open();
  ASSERT_TRUE(store->PutBytes("a", "file").ok());
  ASSERT_TRUE(store->PutBytes("a/b", "nested").ok());
  ASSERT_TRUE(store->PutBytes(".dot/%pct", "escaped").ok());
  EXPECT_TRUE(fs::is_regular_file(root() + "/a"));
  EXPECT_TRUE(fs::is_directory(root() + "/a%2F"));
  EXPECT_TRUE(fs::is_regular_file(root() + "/a%2F/b"));
  // A leading dot is escaped, so real names starting with '.' are only temp files.
  EXPECT_TRUE(fs::is_regular_file(root() + "/%2Edot%2F/%25pct"));
}

TEST_F(LocalObjectStoreTest, DeleteRemovesEmptiedDirectories) {
  auto store = Open();
  ASSERT_TRUE(store->PutBytes("x/y/z", "v").ok());
  ASSERT_TRUE(store->PutBytes("x/keep", "v").ok());
  ASSERT_TRUE(store->Delete("x/y/z").ok());
  EXPECT_FALSE(fs::exists(root() + "/x%2F/y%2F"));
  EXPECT_TRUE(fs::exists(root() + "/x%2F/keep"));
  EXPECT_TRUE(fs::exists(root()));
}

TEST_F(LocalObjectStoreTest, OverlongSegmentIsAnInvalidKeyNotAnIoError) {
  auto store = Open();
  std::string key = "p/" + std::string(300, 's');
  auto put = store->PutBytes(key, "v");
  EXPECT_EQ(put.status().code(), StatusCode::kInvalidKey);
  EXPECT_NE(put.status().message().find("segment 1"), std::string::npos);
}

TEST_F(LocalObjectStoreTest, ObjectsSurviveReopening) {
  {
    auto store = Open();
    ASSERT_TRUE(store->PutBytes("persist/me", "durable").ok());
  }
  auto store = Open();
  EXPECT_EQ(*store->GetBytes("persist/me"), "durable");
}

// Failure messages reach HTTP clients: they name the key, never a path on
// the server.
TEST_F(LocalObjectStoreTest, FailuresNameTheKeyNeverTheServerPath) {
  auto store = Open();
  // A file where the store needs the directory for keys under "a/".
  std::ofstream(root() + "/a%2F") << "in the way";
  auto put = store->PutBytes("a/b", "v");
  ASSERT_FALSE(put.ok());
  EXPECT_NE(put.status().message().find("a/b"), std::string::npos) << put.status().message();
  EXPECT_EQ(put.status().message().find(dir_.path()), std::string::npos) << put.status().message();
  // A directory where an object should be: it opens, but cannot be read.
  fs::create_directories(root() + "/plain");
  auto get = store->GetBytes("plain");
  ASSERT_FALSE(get.ok());
  EXPECT_NE(get.status().message().find("plain"), std::string::npos) << get.status().message();
  EXPECT_EQ(get.status().message().find(dir_.path()), std::string::npos) << get.status().message();
}

TEST_F(LocalObjectStoreTest, FullDiskIsNoSpaceNamingTheKeyAndLeavesNoTempFile) {
  testing::TmpfsMount tmpfs(root(), 64 << 10);
  if (!tmpfs.mounted()) GTEST_SKIP() << tmpfs.error();
  auto store = Open(1 << 20);
  auto put = store->PutBytes("big/object", std::string(256 << 10, 'x'));
  ASSERT_FALSE(put.ok());
  EXPECT_EQ(put.status().code(), StatusCode::kNoSpace) << put.status().ToString();
  EXPECT_EQ(http::HttpStatusFor(put.status().code()), 507);
  EXPECT_EQ(put.status().message(), "the server's disk is full: cannot store big/object");
  for (const auto& entry : fs::recursive_directory_iterator(root())) {
    EXPECT_TRUE(entry.is_directory()) << "left behind: " << entry.path();
  }
  EXPECT_TRUE(store->PutBytes("small/object", "fits").ok());
}

TEST_F(LocalObjectStoreTest, RootThatIsAFileIsAnError) {
  std::ofstream(dir_.path() + "/file") << "x";
  auto store = LocalObjectStore::Open({dir_.path() + "/file", 100});
  EXPECT_FALSE(store.ok());
}

}  // namespace
}  // namespace lakehouse::storage
