// vector::VectorService's base + delta persistence over a real local store:
// writes store deltas, loads replay them, gaps and damage stop the replay
// where they are, compaction survives a crash at each of its steps, and an
// index saved by the single-object format still loads and migrates.
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "storage/local_object_store.h"
#include "testing/fault_injecting_store.h"
#include "testing/temp_dir.h"
#include "vector/lhd1.h"
#include "vector/lhv1.h"
#include "vector/vector_service.h"

namespace lakehouse::vector {
namespace {

class VectorDeltasTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto local = storage::LocalObjectStore::Open({dir_.path() + "/objects", 1ull << 30});
    ASSERT_TRUE(local.ok());
    local_ = std::move(*local);
  }

  // No background compaction unless a test asks for it.
  static VectorServiceOptions Quiet(VectorRole role = VectorRole::kAuto) {
    VectorServiceOptions options;
    options.retry_interval = std::chrono::hours(1);
    options.reload_interval = std::chrono::hours(1);
    options.role = role;
    options.writer_id = "test-writer";
    options.compact_min_bytes = UINT64_MAX;
    options.compact_deltas = 0;
    return options;
  }

  std::unique_ptr<VectorService> Open(storage::ObjectStore* store,
                                      VectorServiceOptions options = Quiet()) {
    auto service = VectorService::Open(store, std::move(options));
    EXPECT_TRUE(service.ok()) << service.status().ToString();
    return service.ok() ? std::move(*service) : nullptr;
  }

  static IndexParams Params(const std::string& name) {
    IndexParams p;
    p.name = name;
    p.dim = 8;
    p.metric = Metric::kL2;
    p.ef_construction = 40;
    return p;
  }

  static std::vector<Item> Items(int from, int to) {
    std::vector<Item> items;
    for (int i = from; i < to; ++i) {
      std::mt19937 rng(static_cast<unsigned>(i));
      std::normal_distribution<float> normal;
      std::vector<float> v(8);
      for (float& x : v) x = normal(rng);
      items.push_back({"item-" + std::to_string(i), v, {{"i", i}}});
    }
    return items;
  }

  std::vector<std::string> Keys(const std::string& prefix = "_vectors/") {
    storage::ListOptions options;
    options.prefix = prefix;
    std::vector<std::string> keys;
    auto page = local_->List(options);
    EXPECT_TRUE(page.ok());
    if (page.ok()) {
      for (const auto& object : page->objects) keys.push_back(object.key);
    }
    return keys;
  }

  // Every id the index should hold is found with its own vector.
  static void ExpectHolds(VectorService& service, const std::string& name,
                          const std::set<std::string>& ids) {
    auto status = service.Describe(name);
    ASSERT_TRUE(status.ok()) << status.status().ToString();
    EXPECT_EQ(status->count, ids.size());
    auto index = service.Find(name).value();
    for (const auto& id : ids) {
      auto item = index->Get(id);
      ASSERT_TRUE(item.ok()) << id;
      EXPECT_EQ(item->vector,
                Items(std::stoi(id.substr(5)), std::stoi(id.substr(5)) + 1)[0].vector);
    }
  }

  static std::set<std::string> Ids(int from, int to) {
    std::set<std::string> ids;
    for (int i = from; i < to; ++i) ids.insert("item-" + std::to_string(i));
    return ids;
  }

  testing::TempDir dir_;
  std::unique_ptr<storage::LocalObjectStore> local_;
};

TEST_F(VectorDeltasTest, EachWriteStoresOneDeltaAndNoGraph) {
  auto service = Open(local_.get());
  ASSERT_TRUE(service->Create(Params("grow")).ok());
  ASSERT_TRUE(service->Add("grow", Items(0, 100))->persisted);
  const uint64_t base_size = local_->Head(VectorService::ObjectKey("grow"))->size;
  ASSERT_TRUE(service->Add("grow", Items(100, 101))->persisted);
  ASSERT_TRUE(service->Remove("grow", "item-3")->persisted);
  EXPECT_EQ(Keys(),
            (std::vector<std::string>{"_vectors/grow.lhv1", lhd1::DeltaKey("grow", 1),
                                      lhd1::DeltaKey("grow", 2), lhd1::DeltaKey("grow", 3)}));
  // The base is not rewritten, and a one-item delta is small.
  EXPECT_EQ(local_->Head(VectorService::ObjectKey("grow"))->size, base_size);
  EXPECT_LT(local_->Head(lhd1::DeltaKey("grow", 2))->size, 400u);
  auto removal = lhd1::Decode(*local_->GetBytes(lhd1::DeltaKey("grow", 3)));
  ASSERT_TRUE(removal.ok());
  EXPECT_EQ(removal->changes[0].removals, std::vector<std::string>{"item-3"});
}

TEST_F(VectorDeltasTest, ARestartReplaysEveryDeltaInOrder) {
  {
    auto service = Open(local_.get());
    ASSERT_TRUE(service->Create(Params("log")).ok());
    ASSERT_TRUE(service->Add("log", Items(0, 50)).ok());
    ASSERT_TRUE(service->Remove("log", "item-7").ok());
    ASSERT_TRUE(service->Add("log", Items(7, 8)).ok());  // back again
    ASSERT_TRUE(service->Remove("log", "item-9").ok());
    ASSERT_TRUE(service->Add("log", Items(50, 60)).ok());
  }
  auto service = Open(local_.get());
  auto ids = Ids(0, 60);
  ids.erase("item-9");
  ExpectHolds(*service, "log", ids);
  EXPECT_TRUE(service->Describe("log")->damaged.empty());
  EXPECT_TRUE(service->Describe("log")->persisted);
  // Writes go on after the last delta.
  ASSERT_TRUE(service->Add("log", Items(60, 61))->persisted);
  EXPECT_TRUE(local_->Head(lhd1::DeltaKey("log", 6)).ok());
}

TEST_F(VectorDeltasTest, AGapStopsTheReplayThereAndIsReported) {
  {
    auto service = Open(local_.get());
    ASSERT_TRUE(service->Create(Params("holey")).ok());
    for (int i = 0; i < 4; ++i) ASSERT_TRUE(service->Add("holey", Items(i * 10, i * 10 + 10)).ok());
  }
  ASSERT_TRUE(local_->Delete(lhd1::DeltaKey("holey", 3)).ok());
  auto service = Open(local_.get());
  ExpectHolds(*service, "holey", Ids(0, 20));
  std::string damaged = service->Describe("holey")->damaged;
  EXPECT_NE(damaged.find(lhd1::DeltaKey("holey", 3)), std::string::npos) << damaged;
  EXPECT_NE(damaged.find("missing"), std::string::npos) << damaged;
  // The next write stores a base past the hole: a restart loads exactly
  // what this process holds, with no damage left behind.
  ASSERT_TRUE(service->Add("holey", Items(100, 101))->persisted);
  service.reset();
  auto again = Open(local_.get());
  auto ids = Ids(0, 20);
  ids.insert("item-100");
  ExpectHolds(*again, "holey", ids);
  EXPECT_TRUE(again->Describe("holey")->damaged.empty());
}

TEST_F(VectorDeltasTest, ATornOrDamagedDeltaIsNeverHalfApplied) {
  for (bool torn : {true, false}) {
    SCOPED_TRACE(torn ? "torn" : "flipped");
    const std::string name = torn ? "torn" : "flipped";
    {
      auto service = Open(local_.get());
      ASSERT_TRUE(service->Create(Params(name)).ok());
      ASSERT_TRUE(service->Add(name, Items(0, 10)).ok());
      ASSERT_TRUE(service->Add(name, Items(10, 20)).ok());
      ASSERT_TRUE(service->Add(name, Items(20, 30)).ok());
    }
    std::string bytes = *local_->GetBytes(lhd1::DeltaKey(name, 2));
    if (torn) {
      bytes.resize(bytes.size() / 2);
    } else {
      bytes[bytes.size() / 2] ^= 0x10;
    }
    ASSERT_TRUE(local_->PutBytes(lhd1::DeltaKey(name, 2), bytes).ok());
    auto service = Open(local_.get());
    ExpectHolds(*service, name, Ids(0, 10));
    std::string damaged = service->Describe(name)->damaged;
    EXPECT_NE(damaged.find(lhd1::DeltaKey(name, 2)), std::string::npos) << damaged;
    EXPECT_NE(damaged.find(torn ? "truncated" : "checksum"), std::string::npos) << damaged;
  }
}

TEST_F(VectorDeltasTest, CompactionWritesABaseAndDeletesTheDeltasItCovers) {
  auto service = Open(local_.get());
  ASSERT_TRUE(service->Create(Params("packed")).ok());
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(service->Add("packed", Items(i * 10, i * 10 + 10)).ok());
  ASSERT_TRUE(service->Remove("packed", "item-4").ok());
  ASSERT_TRUE(service->Compact("packed").ok());
  EXPECT_EQ(Keys(), std::vector<std::string>{"_vectors/packed.lhv1"});
  auto base = lhv1::Decode(*local_->GetBytes(VectorService::ObjectKey("packed")));
  ASSERT_TRUE(base.ok());
  EXPECT_EQ(base->seq, 6u);
  ASSERT_TRUE(service->Add("packed", Items(50, 51)).ok());
  EXPECT_TRUE(local_->Head(lhd1::DeltaKey("packed", 7)).ok());
  service.reset();
  auto ids = Ids(0, 51);
  ids.erase("item-4");
  ExpectHolds(*Open(local_.get()), "packed", ids);
}

TEST_F(VectorDeltasTest, CompactionRunsInTheBackgroundPastItsThreshold) {
  VectorServiceOptions options = Quiet();
  options.compact_deltas = 3;
  auto service = Open(local_.get(), options);
  ASSERT_TRUE(service->Create(Params("auto")).ok());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(service->Add("auto", Items(i, i + 1)).ok());
  for (int wait = 0; wait < 500 && Keys().size() > 1; ++wait) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(Keys(), std::vector<std::string>{"_vectors/auto.lhv1"});
}

// A crash at each put and delete of a compaction in turn: whatever is left
// loads, with every acknowledged write and no damage.
TEST_F(VectorDeltasTest, ACrashAtEachStepOfACompactionLosesNoAcknowledgedWrite) {
  bool finished = false;
  for (int step = 0; !finished && step < 20; ++step) {
    SCOPED_TRACE("crash after " + std::to_string(step) + " writes");
    testing::TempDir dir;
    auto local = storage::LocalObjectStore::Open({dir.path() + "/objects", 1ull << 30});
    ASSERT_TRUE(local.ok());
    testing::FaultInjectingStore faulty(**local);
    auto writer = Open(&faulty);
    ASSERT_TRUE(writer->Create(Params("crashy")).ok());
    ASSERT_TRUE(writer->Compact("crashy").ok());  // an older base to replace
    for (int i = 0; i < 4; ++i)
      ASSERT_TRUE(writer->Add("crashy", Items(i * 5, i * 5 + 5))->persisted);
    ASSERT_TRUE(writer->Remove("crashy", "item-2")->persisted);
    faulty.CrashAfterWrites(step);
    Status compacted = writer->Compact("crashy");
    finished = !faulty.crashed();
    EXPECT_EQ(compacted.ok(), finished || step >= 1) << compacted.ToString();
    // What another process finds in the store now.
    auto reader = Open(local->get(), Quiet(VectorRole::kReader));
    auto ids = Ids(0, 20);
    ids.erase("item-2");
    ExpectHolds(*reader, "crashy", ids);
    EXPECT_TRUE(reader->Describe("crashy")->damaged.empty()) << reader->Describe("crashy")->damaged;
    EXPECT_TRUE(reader->skipped().empty());
  }
  EXPECT_TRUE(finished) << "compaction never ran to its end";
}

// While a compaction puts its base, writes are stored as deltas after it and
// acknowledged: a slow base put never holds a write back.
TEST_F(VectorDeltasTest, WritesAreAcknowledgedWhileACompactionPutsItsBase) {
  testing::FaultInjectingStore gate(*local_);
  auto service = Open(&gate);
  ASSERT_TRUE(service->Create(Params("busy")).ok());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(service->Add("busy", Items(i * 10, i * 10 + 10)).ok());
  gate.HoldPuts(".lhv1");
  std::thread compaction([&] { EXPECT_TRUE(service->Compact("busy").ok()); });
  gate.AwaitHeldPut();
  auto added = service->Add("busy", Items(30, 40));
  ASSERT_TRUE(added.ok());
  EXPECT_TRUE(added->persisted);
  ASSERT_TRUE(service->Remove("busy", "item-3")->persisted);
  EXPECT_TRUE(local_->Head(lhd1::DeltaKey("busy", 4)).ok());
  EXPECT_TRUE(local_->Head(lhd1::DeltaKey("busy", 5)).ok());
  gate.ReleasePuts();
  compaction.join();
  // The base covers deltas 1-3, which are gone; 4 and 5 follow it.
  auto base = lhv1::Decode(*local_->GetBytes(VectorService::ObjectKey("busy")));
  ASSERT_TRUE(base.ok());
  EXPECT_EQ(base->seq, 3u);
  EXPECT_EQ(Keys(), (std::vector<std::string>{"_vectors/busy.lhv1", lhd1::DeltaKey("busy", 4),
                                              lhd1::DeltaKey("busy", 5)}));
  service.reset();
  auto ids = Ids(0, 40);
  ids.erase("item-3");
  auto reopened = Open(local_.get());
  ExpectHolds(*reopened, "busy", ids);
  EXPECT_TRUE(reopened->Describe("busy")->damaged.empty());
}

TEST_F(VectorDeltasTest, DropRemovesTheBaseAndEveryDeltaForGood) {
  {
    auto service = Open(local_.get());
    ASSERT_TRUE(service->Create(Params("gone")).ok());
    ASSERT_TRUE(service->Add("gone", Items(0, 10)).ok());
    ASSERT_TRUE(service->Add("gone", Items(10, 20)).ok());
    ASSERT_TRUE(service->Drop("gone").ok());
    EXPECT_TRUE(Keys().empty());
  }
  EXPECT_EQ(Open(local_.get())->Describe("gone").status().code(), StatusCode::kNotFound);
}

TEST_F(VectorDeltasTest, DeltasLeftByAHalfDoneDropNeverComeBack) {
  {
    auto service = Open(local_.get());
    ASSERT_TRUE(service->Create(Params("ghost")).ok());
    ASSERT_TRUE(service->Add("ghost", Items(0, 10)).ok());
    ASSERT_TRUE(service->Add("ghost", Items(10, 20)).ok());
  }
  // The drop deleted the base, then stopped.
  ASSERT_TRUE(local_->Delete(VectorService::ObjectKey("ghost")).ok());
  auto service = Open(local_.get());
  EXPECT_EQ(service->Describe("ghost").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(service->skipped().empty());
  // A new index of that name starts empty; the leftovers go.
  ASSERT_TRUE(service->Create(Params("ghost")).ok());
  ASSERT_TRUE(service->Add("ghost", Items(50, 51))->persisted);
  service.reset();
  ExpectHolds(*Open(local_.get()), "ghost", Ids(50, 51));
}

// An index saved by the single-object format (no "seq" in its envelope)
// loads as a base at seq 0; its first write appends delta 1.
TEST_F(VectorDeltasTest, AnIndexInTheSingleObjectFormatLoadsAndMigrates) {
  auto index = Index::Create(Params("legacy")).value();
  ASSERT_TRUE(index->Add(Items(0, 30)).ok());
  auto image = index->Snapshot().value();
  std::string prefix = *lhv1::EncodePrefix(image);
  auto envelope = nlohmann::json::parse(prefix.substr(8));
  envelope.erase("seq");
  std::string text = envelope.dump();
  std::string object = "LHV1";
  for (int shift : {24, 16, 8, 0})
    object.push_back(static_cast<char>((text.size() >> shift) & 0xff));
  object += text + image.graph;
  ASSERT_TRUE(local_->PutBytes(VectorService::ObjectKey("legacy"), object).ok());

  auto service = Open(local_.get());
  ExpectHolds(*service, "legacy", Ids(0, 30));
  EXPECT_TRUE(service->Describe("legacy")->persisted);
  ASSERT_TRUE(service->Add("legacy", Items(30, 31))->persisted);
  EXPECT_TRUE(local_->Head(lhd1::DeltaKey("legacy", 1)).ok());
  service.reset();
  ExpectHolds(*Open(local_.get()), "legacy", Ids(0, 31));
}

TEST_F(VectorDeltasTest, AReaderFollowsNewDeltasAndCompactions) {
  auto writer = Open(local_.get());
  auto reader = Open(local_.get(), Quiet(VectorRole::kReader));
  ASSERT_TRUE(writer->Create(Params("shared")).ok());
  ASSERT_TRUE(writer->Add("shared", Items(0, 10)).ok());
  ASSERT_TRUE(reader->Refresh().ok());
  ExpectHolds(*reader, "shared", Ids(0, 10));
  auto served = reader->Find("shared").value();
  ASSERT_TRUE(writer->Add("shared", Items(10, 20)).ok());
  ASSERT_TRUE(reader->Refresh().ok());
  ExpectHolds(*reader, "shared", Ids(0, 20));
  // The new delta went into the index being served: no whole reload.
  EXPECT_EQ(reader->Find("shared").value(), served);
  ASSERT_TRUE(writer->Compact("shared").ok());
  ASSERT_TRUE(writer->Remove("shared", "item-0").ok());
  ASSERT_TRUE(reader->Refresh().ok());
  ExpectHolds(*reader, "shared", Ids(1, 20));
  ASSERT_TRUE(writer->Drop("shared").ok());
  ASSERT_TRUE(reader->Refresh().ok());
  EXPECT_EQ(reader->Describe("shared").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace lakehouse::vector
