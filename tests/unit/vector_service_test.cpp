// vector::VectorService over a real local store: saves after each write,
// reload after a restart, drop deleting the object, failed saves reported and
// caught up, group commit, and damaged objects skipped at startup.
#include "vector/vector_service.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "storage/local_object_store.h"
#include "testing/fault_injecting_store.h"
#include "testing/keyword_search.h"
#include "testing/temp_dir.h"
#include "vector/lhv1.h"

namespace lakehouse::vector {
namespace {

// Puts and deletes made to fail or to wait at a gate, and puts counted.
using ControlledStore = testing::FaultInjectingStore;

class VectorServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto local = storage::LocalObjectStore::Open({dir_.path() + "/objects", 1ull << 30});
    ASSERT_TRUE(local.ok());
    local_ = std::move(*local);
    store_ = std::make_unique<ControlledStore>(*local_);
  }

  std::unique_ptr<VectorService> OpenService(
      std::chrono::milliseconds retry_interval = std::chrono::hours(1)) {
    auto service = VectorService::Open(store_.get(), {.retry_interval = retry_interval});
    EXPECT_TRUE(service.ok()) << service.status().ToString();
    return std::move(*service);
  }

  static IndexParams Params(const std::string& name, Metric metric = Metric::kCosine) {
    IndexParams p;
    p.name = name;
    p.dim = 16;
    p.metric = metric;
    p.ef_construction = 64;
    return p;
  }

  static std::vector<Item> Items(int from, int to) {
    std::vector<Item> items;
    for (int i = from; i < to; ++i) {
      std::mt19937 rng(static_cast<unsigned>(i));
      std::normal_distribution<float> normal;
      std::vector<float> v(16);
      for (float& x : v) x = normal(rng);
      items.push_back({"item-" + std::to_string(i), v, {{"i", i}}});
    }
    return items;
  }

  testing::TempDir dir_;
  std::unique_ptr<storage::LocalObjectStore> local_;
  std::unique_ptr<ControlledStore> store_;
};

TEST_F(VectorServiceTest, EphemeralServiceNeverClaimsPersistence) {
  auto service = VectorService::Open(nullptr);
  ASSERT_TRUE(service.ok());
  EXPECT_FALSE((*service)->persistent());
  auto created = (*service)->Create(Params("mem"));
  ASSERT_TRUE(created.ok());
  EXPECT_FALSE(created->persisted);
  auto added = (*service)->Add("mem", Items(0, 10));
  ASSERT_TRUE(added.ok());
  EXPECT_FALSE(added->persisted);
  EXPECT_EQ(added->count, 10u);
}

TEST_F(VectorServiceTest, EveryWriteIsStoredAndSurvivesARestart) {
  {
    auto service = OpenService();
    auto created = service->Create(Params("resumes"));
    ASSERT_TRUE(created.ok());
    EXPECT_TRUE(created->persisted);
    EXPECT_TRUE(local_->Head(VectorService::ObjectKey("resumes")).ok());
    auto added = service->Add("resumes", Items(0, 500));
    ASSERT_TRUE(added.ok());
    EXPECT_TRUE(added->persisted);
    EXPECT_EQ(added->count, 500u);
    for (int i = 0; i < 500; i += 50) {
      auto removed = service->Remove("resumes", "item-" + std::to_string(i));
      ASSERT_TRUE(removed.ok());
      EXPECT_TRUE(removed->persisted);
    }
    ASSERT_TRUE(service->Create(Params("jobs", Metric::kL2)).ok());
    EXPECT_TRUE(service->Describe("resumes")->persisted);
  }
  // A new process over the same store: the service is simply dropped, as by
  // kill -9, since every acknowledged write was already stored.
  auto service = OpenService();
  EXPECT_TRUE(service->skipped().empty());
  auto list = service->List();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].params.name, "jobs");
  EXPECT_EQ(list[0].count, 0u);
  EXPECT_EQ(list[1].count, 490u);
  EXPECT_TRUE(list[1].persisted);
  auto index = service->Find("resumes");
  ASSERT_TRUE(index.ok());
  for (const auto& item : Items(0, 500)) {
    int i = item.metadata["i"];
    auto hits = (*index)->Search(item.vector, 1);
    ASSERT_TRUE(hits.ok());
    if (i % 50 == 0) {
      EXPECT_EQ((*index)->Get(item.id).status().code(), StatusCode::kNotFound);
      continue;
    }
    ASSERT_EQ(hits->size(), 1u);
    EXPECT_EQ((*hits)[0].id, item.id);
    EXPECT_NEAR((*hits)[0].distance, 0.0, 1e-6);
    EXPECT_EQ((*(*hits)[0].metadata)["i"], i);
  }
  // Writes after the reload are stored too.
  ASSERT_TRUE(service->Add("resumes", Items(500, 510))->persisted);
  EXPECT_EQ(OpenService()->Describe("resumes")->count, 500u);
}

// What a keyword search of `service`'s index "words" answers, ids in order.
std::vector<std::string> KeywordIds(VectorService& service, const std::string& query) {
  return testing::KeywordIds(service, "words", query);
}

TEST_F(VectorServiceTest, TheFullTextPartIsStoredWithEveryWriteAndCompaction) {
  IndexParams params = Params("words");
  params.full_text = text::Bm25Params{.k1 = 1.5, .b = 0.5, .stemming = text::Stemming::kNone};
  auto text_items = [](int from, int to, const std::string& word) {
    auto items = Items(from, to);
    for (auto& item : items) item.text = word + " tag" + item.id.substr(5);
    return items;
  };
  {
    auto service = OpenService();
    ASSERT_TRUE(service->Create(params).ok());
    ASSERT_TRUE(service->Add("words", text_items(0, 20, "welder"))->persisted);  // a delta
    ASSERT_TRUE(service->Add("words", text_items(5, 6, "plumber"))->persisted);  // replaces
    ASSERT_TRUE(service->Remove("words", "item-7")->persisted);
  }
  auto replayed = OpenService();  // base + three deltas
  EXPECT_EQ(replayed->Describe("words")->params.full_text, params.full_text);
  EXPECT_EQ(KeywordIds(*replayed, "plumber"), std::vector<std::string>{"item-5"});
  EXPECT_EQ(KeywordIds(*replayed, "tag7"), std::vector<std::string>{});
  EXPECT_EQ(KeywordIds(*replayed, "welder tag8").at(0), "item-8");
  EXPECT_EQ(KeywordIds(*replayed, "welder").size(), 10u);  // k: 18 welders, 1 plumber
  // No stemming was asked for: "welders" is another word.
  EXPECT_TRUE(KeywordIds(*replayed, "welders").empty());

  ASSERT_TRUE(replayed->Compact("words").ok());
  ASSERT_TRUE(replayed->Add("words", text_items(30, 31, "roofer"))->persisted);
  replayed.reset();
  auto compacted = OpenService();  // the new base, then one delta
  EXPECT_EQ(KeywordIds(*compacted, "plumber"), std::vector<std::string>{"item-5"});
  EXPECT_EQ(KeywordIds(*compacted, "roofer"), std::vector<std::string>{"item-30"});
  EXPECT_EQ(compacted->Describe("words")->count, 20u);
}

TEST_F(VectorServiceTest, ItemsWithATextAndNoVectorAreEmbeddedByTheIndexModel) {
  embed::EmbedderSet embedders;
  auto opened = VectorService::Open(
      store_.get(), {.retry_interval = std::chrono::hours(1), .embedders = &embedders});
  ASSERT_TRUE(opened.ok());
  auto& service = **opened;
  IndexParams params;
  params.name = "words";
  params.model = "lakehouse-hash-v2";
  params.full_text = text::Bm25Params{};
  ASSERT_TRUE(service.Create(params).ok());
  std::vector<Item> items = {{"a", {}, {}, "forklift operator, warehouse"},
                             {"b", {}, {}, "ICU nurse"}};
  auto added = service.Add("words", items);
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  SearchRequest request;
  request.text = "warehouse forklift";
  auto hybrid = service.Search("words", request);
  ASSERT_TRUE(hybrid.ok()) << hybrid.status().ToString();
  EXPECT_EQ(hybrid->mode, SearchMode::kHybrid);
  EXPECT_EQ(hybrid->hits.at(0).id, "a");
  EXPECT_EQ(hybrid->hits.at(0).vector_rank, std::optional<size_t>(1));
  EXPECT_EQ(hybrid->hits.at(0).keyword_rank, std::optional<size_t>(1));
  // Without a model a text alone is not enough.
  ASSERT_TRUE(service.Create(Params("plain")).ok());
  auto refused = service.Add("plain", {{"a", {}, {}, "text only"}});
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("item 0 has a text and no vector"), std::string::npos)
      << refused.status().message();
}

TEST_F(VectorServiceTest, DropDeletesTheObjectOrKeepsTheIndex) {
  auto service = OpenService();
  ASSERT_TRUE(service->Create(Params("gone")).ok());
  ASSERT_TRUE(service->Add("gone", Items(0, 20)).ok());
  store_->FailDeletes(true);
  Status refused = service->Drop("gone");
  EXPECT_EQ(refused.code(), StatusCode::kUnavailable);
  EXPECT_NE(refused.message().find("stays"), std::string::npos);
  EXPECT_EQ(service->Describe("gone")->count, 20u);
  EXPECT_TRUE(service->Add("gone", Items(20, 21))->persisted);  // saves resume
  store_->FailDeletes(false);
  ASSERT_TRUE(service->Drop("gone").ok());
  EXPECT_EQ(local_->Head(VectorService::ObjectKey("gone")).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(service->Drop("gone").code(), StatusCode::kNotFound);
  EXPECT_TRUE(OpenService()->List().empty());
}

TEST_F(VectorServiceTest, AFailedSaveIsReportedAndTheNextOneCatchesUp) {
  auto service = OpenService();
  ASSERT_TRUE(service->Create(Params("flaky")).ok());
  store_->FailPuts(true);
  auto while_down = service->Add("flaky", Items(0, 30));
  ASSERT_TRUE(while_down.ok());  // the write itself succeeds in memory
  EXPECT_FALSE(while_down->persisted);
  EXPECT_EQ(while_down->count, 30u);
  EXPECT_FALSE(service->Describe("flaky")->persisted);
  auto search = service->Find("flaky").value()->Search(Items(3, 4)[0].vector, 1);
  ASSERT_TRUE(search.ok());
  EXPECT_EQ((*search)[0].id, "item-3");
  store_->FailPuts(false);
  auto after = service->Add("flaky", Items(30, 31));
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->persisted);
  EXPECT_TRUE(service->Describe("flaky")->persisted);
  EXPECT_EQ(OpenService()->Describe("flaky")->count, 31u);
}

TEST_F(VectorServiceTest, AnUnsavedIndexIsRetriedWithoutAnotherWrite) {
  auto service = OpenService(std::chrono::milliseconds(20));
  ASSERT_TRUE(service->Create(Params("later")).ok());
  store_->FailPuts(true);
  EXPECT_FALSE(service->Add("later", Items(0, 12))->persisted);
  store_->FailPuts(false);
  // No further write: the background retry stores it.
  for (int i = 0; i < 500 && !service->Describe("later")->persisted; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(service->Describe("later")->persisted);
  EXPECT_EQ(OpenService()->Describe("later")->count, 12u);
}

TEST_F(VectorServiceTest, ConcurrentWritesShareOneSave) {
  auto service = OpenService();
  ASSERT_TRUE(service->Create(Params("burst")).ok());
  int puts_before = store_->puts();
  store_->HoldPuts();
  std::vector<std::thread> writers;
  std::atomic<int> persisted{0};
  auto add_one = [&](int i) {
    auto outcome = service->Add("burst", Items(i, i + 1));
    if (outcome.ok() && outcome->persisted) ++persisted;
  };
  // The first write's save waits at the gate; 99 more arrive meanwhile.
  writers.emplace_back(add_one, 0);
  store_->AwaitHeldPut();
  for (int i = 1; i < 100; ++i) writers.emplace_back(add_one, i);
  auto index = service->Find("burst").value();
  while (index->size() < 100) std::this_thread::yield();
  store_->ReleasePuts();
  for (auto& t : writers) t.join();
  EXPECT_EQ(persisted.load(), 100);
  // One save for the first write, one for the 99 that queued behind it.
  EXPECT_EQ(store_->puts() - puts_before, 2);
  EXPECT_EQ(OpenService()->Describe("burst")->count, 100u);
}

TEST_F(VectorServiceTest, SearchesDoNotWaitForASave) {
  auto service = OpenService();
  ASSERT_TRUE(service->Create(Params("busy")).ok());
  ASSERT_TRUE(service->Add("busy", Items(0, 50)).ok());
  store_->HoldPuts();
  std::thread writer([&] { (void)service->Add("busy", Items(50, 51)); });
  store_->AwaitHeldPut();
  // The save is stuck in the store; searches and reads still answer.
  auto index = service->Find("busy").value();
  auto hits = index->Search(Items(7, 8)[0].vector, 1);
  ASSERT_TRUE(hits.ok());
  EXPECT_EQ((*hits)[0].id, "item-7");
  EXPECT_TRUE(index->Get("item-50").ok());
  EXPECT_FALSE(service->Describe("busy")->persisted);
  store_->ReleasePuts();
  writer.join();
  EXPECT_TRUE(service->Describe("busy")->persisted);
}

TEST_F(VectorServiceTest, AnIndexWithAModelIsSearchedByText) {
  embed::EmbedderSet embedders;
  auto open = [&] {
    auto service = VectorService::Open(
        store_.get(), {.retry_interval = std::chrono::hours(1), .embedders = &embedders});
    EXPECT_TRUE(service.ok());
    return std::move(*service);
  };
  auto service = open();
  IndexParams params;
  params.name = "jobs";
  params.model = "lakehouse-hash-v2";  // no dim: the model's
  auto created = service->Create(params);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(created->params.dim, 1024u);
  auto embedder = embedders.Find("").value();
  std::vector<std::string> texts = {"Senior data engineer: Python, Spark, Airflow",
                                    "ICU registered nurse, night shift",
                                    "Forklift operator for a warehouse"};
  auto vectors = embedder->Embed(texts).value();
  std::vector<Item> items;
  for (size_t i = 0; i < texts.size(); ++i) {
    items.push_back({"job-" + std::to_string(i), vectors[i], {{"title", texts[i]}}});
  }
  ASSERT_TRUE(service->Add("jobs", items).ok());
  auto hits = service->SearchText("jobs", "python data engineer", 2, std::nullopt);
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  EXPECT_EQ((*hits)[0].id, "job-0");
  // The model is part of the stored index.
  auto reloaded = open();
  EXPECT_EQ(reloaded->Describe("jobs")->params.model, "lakehouse-hash-v2");
  EXPECT_EQ(reloaded->SearchText("jobs", "nurse", 1, std::nullopt)->at(0).id, "job-1");
  // Errors say what to do.
  ASSERT_TRUE(service->Create(Params("plain")).ok());
  EXPECT_EQ(service->SearchText("plain", "x", 1, std::nullopt).status().code(),
            StatusCode::kInvalidArgument);
  IndexParams unknown = params;
  unknown.name = "other";
  unknown.model = "gpt-x";
  EXPECT_EQ(service->Create(unknown).status().code(), StatusCode::kInvalidArgument);
  IndexParams wrong_dim = params;
  wrong_dim.name = "small";
  wrong_dim.dim = 16;
  auto refused = service->Create(wrong_dim);
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("dimension 1024, not 16"), std::string::npos);
  EXPECT_EQ(OpenService()->Create(params).status().code(), StatusCode::kConflict);
}

TEST_F(VectorServiceTest, DamagedObjectsAreSkippedAndTheRestLoad) {
  {
    auto service = OpenService();
    ASSERT_TRUE(service->Create(Params("good")).ok());
    ASSERT_TRUE(service->Add("good", Items(0, 40)).ok());
    ASSERT_TRUE(service->Create(Params("cut")).ok());
    ASSERT_TRUE(service->Add("cut", Items(0, 40)).ok());
    ASSERT_TRUE(service->Create(Params("flipped")).ok());
    ASSERT_TRUE(service->Add("flipped", Items(0, 40)).ok());
    // The bases damaged below hold the graph, not just the empty index.
    for (const char* name : {"good", "cut", "flipped"}) ASSERT_TRUE(service->Compact(name).ok());
  }
  auto cut = local_->GetBytes(VectorService::ObjectKey("cut"));
  ASSERT_TRUE(
      local_->PutBytes(VectorService::ObjectKey("cut"), cut->substr(0, cut->size() / 2)).ok());
  auto flipped = local_->GetBytes(VectorService::ObjectKey("flipped"));
  (*flipped)[flipped->size() - 100] ^= 0x40;
  ASSERT_TRUE(local_->PutBytes(VectorService::ObjectKey("flipped"), *flipped).ok());
  ASSERT_TRUE(local_->PutBytes(VectorService::ObjectKey("garbage"), "not an index at all").ok());
  ASSERT_TRUE(local_->PutBytes("_vectors/notes.txt", "hello").ok());
  // An object whose envelope names another index.
  auto good = local_->GetBytes(VectorService::ObjectKey("good"));
  ASSERT_TRUE(local_->PutBytes(VectorService::ObjectKey("impostor"), *good).ok());

  auto service = OpenService();
  auto list = service->List();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].params.name, "good");
  EXPECT_EQ(list[0].count, 40u);
  auto skipped = service->skipped();
  ASSERT_EQ(skipped.size(), 5u);
  std::map<std::string, std::string> why;
  for (const auto& s : skipped) why[s.key] = s.error;
  EXPECT_NE(why["_vectors/cut.lhv1"].find("truncated"), std::string::npos)
      << why["_vectors/cut.lhv1"];
  EXPECT_NE(why["_vectors/flipped.lhv1"].find("sha256"), std::string::npos);
  EXPECT_NE(why["_vectors/garbage.lhv1"].find("wrong magic"), std::string::npos);
  EXPECT_NE(why["_vectors/notes.txt"].find("not an index object"), std::string::npos);
  EXPECT_NE(why["_vectors/impostor.lhv1"].find("holds index \"good\""), std::string::npos);
  // The damaged objects are left for people to look at...
  EXPECT_TRUE(local_->Head(VectorService::ObjectKey("cut")).ok());
  // ...until an index of that name is created, which replaces its object.
  ASSERT_TRUE(service->Create(Params("cut")).ok());
  EXPECT_EQ(service->skipped().size(), 4u);
  EXPECT_EQ(OpenService()->Describe("cut")->count, 0u);
}

}  // namespace
}  // namespace lakehouse::vector

namespace lakehouse::vector {
namespace {

// --- several processes on one store (services side by side) ----------------

class SideBySideTest : public VectorServiceTest {
 protected:
  // Each "process" gets its own view of the store, so its puts are counted
  // apart from the others'.
  std::unique_ptr<VectorService> OpenAs(ControlledStore& store, const std::string& id,
                                        VectorRole role = VectorRole::kAuto) {
    auto service = VectorService::Open(&store, {.retry_interval = std::chrono::hours(1),
                                                .role = role,
                                                .writer_id = id,
                                                .reload_interval = std::chrono::hours(1)});
    EXPECT_TRUE(service.ok()) << service.status().ToString();
    return service.ok() ? std::move(*service) : nullptr;
  }
  ControlledStore& View() {
    return *views_.emplace_back(std::make_unique<ControlledStore>(*local_));
  }

  std::vector<std::unique_ptr<ControlledStore>> views_;
};

TEST_F(SideBySideTest, OneWritesTheOthersReadAndFollowItsSaves) {
  ControlledStore& a_store = View();
  ControlledStore& b_store = View();
  auto a = OpenAs(a_store, "host-a 10.0.0.1:8080");
  auto b = OpenAs(b_store, "host-b 10.0.0.2:8080");
  ASSERT_TRUE(a && b);
  EXPECT_FALSE(a->read_only());
  EXPECT_TRUE(b->read_only());
  EXPECT_EQ(b->writer(), "host-a 10.0.0.1:8080");
  // The reader's only put was its refused claim; from here on it puts nothing.
  const int b_puts = b_store.puts();

  ASSERT_TRUE(a->Create(Params("shared")).ok());
  ASSERT_TRUE(a->Add("shared", Items(0, 50))->persisted);
  // Every write through the reader is refused, naming the writer, and
  // changes nothing.
  auto refused = b->Create(Params("mine"));
  EXPECT_EQ(refused.status().code(), StatusCode::kConflict);
  EXPECT_NE(refused.status().message().find("host-a 10.0.0.1:8080"), std::string::npos)
      << refused.status().message();
  EXPECT_EQ(b->Add("shared", Items(50, 51)).status().code(), StatusCode::kConflict);
  EXPECT_EQ(b->Remove("shared", "item-1").status().code(), StatusCode::kConflict);
  EXPECT_EQ(b->Drop("shared").code(), StatusCode::kConflict);
  EXPECT_EQ(b_store.puts(), b_puts);
  EXPECT_EQ(local_->Head(VectorService::ObjectKey("mine")).status().code(), StatusCode::kNotFound);

  // The reader sees the writer's index after a reload, searchable exactly.
  EXPECT_EQ(b->Describe("shared").status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(b->Refresh().ok());
  EXPECT_EQ(b->Describe("shared")->count, 50u);
  auto item = Items(7, 8)[0];
  auto hits = b->Find("shared").value()->Search(item.vector, 1);
  ASSERT_TRUE(hits.ok());
  EXPECT_EQ((*hits)[0].id, "item-7");
  EXPECT_NEAR((*hits)[0].distance, 0.0, 1e-6);

  // Later writes and a drop reach it too; an unchanged object is not reread.
  ASSERT_TRUE(a->Remove("shared", "item-7")->persisted);
  ASSERT_TRUE(a->Create(Params("second")).ok());
  ASSERT_TRUE(b->Refresh().ok());
  EXPECT_EQ(b->Describe("shared")->count, 49u);
  EXPECT_EQ(b->Find("shared").value()->Get("item-7").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(b->List().size(), 2u);
  ASSERT_TRUE(a->Drop("shared").ok());
  ASSERT_TRUE(b->Refresh().ok());
  EXPECT_EQ(b->Describe("shared").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(b->List().size(), 1u);
  EXPECT_TRUE(b->skipped().empty());
  EXPECT_EQ(b_store.puts(), b_puts);
}

TEST_F(SideBySideTest, AReaderReloadsOnItsTimer) {
  auto a = OpenAs(View(), "a");
  auto b = VectorService::Open(&View(), {.role = VectorRole::kAuto,
                                         .writer_id = "b",
                                         .reload_interval = std::chrono::milliseconds(20)});
  ASSERT_TRUE(a && b.ok());
  ASSERT_TRUE((*b)->read_only());
  ASSERT_TRUE(a->Create(Params("timed")).ok());
  ASSERT_TRUE(a->Add("timed", Items(0, 30)).ok());
  bool seen = false;
  for (int i = 0; i < 500 && !seen; ++i) {
    auto status = (*b)->Describe("timed");
    seen = status.ok() && status->count == 30;
    if (!seen) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(seen);
}

TEST_F(SideBySideTest, ProcessesStartingTogetherElectExactlyOneWriter) {
  constexpr int kProcesses = 8;
  std::vector<ControlledStore*> stores;
  for (int i = 0; i < kProcesses; ++i) stores.push_back(&View());
  std::vector<std::unique_ptr<VectorService>> services(kProcesses);
  std::vector<std::thread> threads;
  for (int i = 0; i < kProcesses; ++i) {
    threads.emplace_back(
        [&, i] { services[i] = OpenAs(*stores[i], "process-" + std::to_string(i)); });
  }
  for (auto& t : threads) t.join();
  int writers = 0;
  std::string writer;
  for (const auto& s : services) {
    ASSERT_TRUE(s);
    if (!s->read_only()) {
      ++writers;
      writer = s->writer();
    }
  }
  EXPECT_EQ(writers, 1);
  for (const auto& s : services) EXPECT_EQ(s->writer(), writer);
}

TEST_F(SideBySideTest, TheRoleIsFreedOnStopTakenBackAfterACrashAndNeverStolen) {
  auto a = OpenAs(View(), "host-a");
  ASSERT_TRUE(a && !a->read_only());
  // A process that must write does not start while another holds the role.
  auto insisting =
      VectorService::Open(&View(), {.role = VectorRole::kWriter, .writer_id = "host-c"});
  EXPECT_EQ(insisting.status().code(), StatusCode::kConflict);
  EXPECT_NE(insisting.status().message().find("host-a"), std::string::npos);
  // A reader by configuration never writes, even with the role free.
  auto reader = OpenAs(View(), "host-r", VectorRole::kReader);
  EXPECT_TRUE(reader->read_only());
  a.reset();  // a clean stop releases the claim...
  EXPECT_EQ(local_->Head(VectorService::kWriterKey).status().code(), StatusCode::kNotFound);
  auto reader_again = OpenAs(View(), "host-r", VectorRole::kReader);
  EXPECT_TRUE(reader_again->read_only());
  EXPECT_EQ(local_->Head(VectorService::kWriterKey).status().code(), StatusCode::kNotFound);
  // ...so the next process takes it.
  auto b = OpenAs(View(), "host-b");
  ASSERT_TRUE(b && !b->read_only());
  ASSERT_TRUE(b->Create(Params("kept")).ok());
  // A crash leaves the claim: another id stays a reader, the same id (the
  // writer restarted) takes it back.
  auto claim = local_->GetBytes(VectorService::kWriterKey);
  ASSERT_TRUE(claim.ok());
  b.reset();
  ASSERT_TRUE(local_->PutBytes(VectorService::kWriterKey, *claim).ok());
  auto other = OpenAs(View(), "host-x");
  EXPECT_TRUE(other->read_only());
  EXPECT_EQ(other->writer(), "host-b");
  auto restarted = OpenAs(View(), "host-b");
  ASSERT_TRUE(restarted && !restarted->read_only());
  EXPECT_EQ(restarted->Describe("kept")->count, 0u);
  ASSERT_TRUE(restarted->Add("kept", Items(0, 3))->persisted);
  // The stale reader's stop must not release the restarted writer's claim.
  other.reset();
  EXPECT_TRUE(local_->Head(VectorService::kWriterKey).ok());
  EXPECT_TRUE(restarted->skipped().empty());  // the claim is not an index
}

TEST_F(SideBySideTest, AClaimOfADeadProcessOnThisHostIsTakenBack) {
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) ::_exit(0);
  ASSERT_EQ(::waitpid(child, nullptr, 0), child);
  char host[256] = {};
  ASSERT_EQ(::gethostname(host, sizeof host - 1), 0);
  nlohmann::json claim = {{"writer", "crashed"}, {"token", "t"}, {"host", host}, {"pid", child}};
  ASSERT_TRUE(local_->PutBytes(VectorService::kWriterKey, claim.dump()).ok());
  auto other_host = claim;
  other_host["host"] = std::string(host) + "-elsewhere";
  // Same claim but another host: nothing here can tell whether it lives.
  ASSERT_TRUE(local_->PutBytes(VectorService::kWriterKey, other_host.dump()).ok());
  EXPECT_TRUE(OpenAs(View(), "fresh")->read_only());
  ASSERT_TRUE(local_->PutBytes(VectorService::kWriterKey, claim.dump()).ok());
  auto fresh = OpenAs(View(), "fresh");
  ASSERT_TRUE(fresh);
  EXPECT_FALSE(fresh->read_only());
}

}  // namespace
}  // namespace lakehouse::vector
