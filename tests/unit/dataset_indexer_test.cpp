// vector::DatasetIndexer over the real in-process parts (store, catalog,
// ingest, query engine, VectorService): build from a dataset's columns,
// search by text with metadata filters, refresh embedding only what changed,
// persistence of the source and the fitted embedder, and bad requests that
// change nothing.
#include "vector/dataset_indexer.h"

#include <gtest/gtest.h>

#include <filesystem>

#include <atomic>

#include "embed/hashing_embedder.h"
#include "testing/embedded_lakehouse.h"
#include "testing/keyword_search.h"
#include "vector/lhd1.h"

namespace lakehouse::vector {
namespace {

constexpr char kCandidates[] =
    "id,name,state,rate,resume\n"
    "1,Ann,TX,70,python data engineer building spark pipelines and airflow jobs\n"
    "2,Bob,CA,90,registered nurse in an intensive care unit\n"
    "3,Cy,TX,60,forklift operator in warehouse logistics and shipping\n"
    "4,Di,NY,85,java backend developer writing microservices\n"
    "5,Ed,TX,55,\n"
    ",Fa,TX,50,a row without an id\n";

// The built-in embedder, counting the texts it embeds, so a test can tell
// what a refresh embedded again.
class CountingEmbedder final : public embed::Embedder {
 public:
  std::string name() const override { return "counting"; }
  size_t dim() const override { return inner_.dim(); }
  Result<std::vector<std::vector<float>>> Embed(std::span<const std::string> texts) override {
    embedded += texts.size();
    return inner_.Embed(texts);
  }
  std::atomic<size_t> embedded{0};

 private:
  embed::HashingEmbedder inner_;
};

class DatasetIndexerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    counting_ = std::make_shared<CountingEmbedder>();
    ASSERT_TRUE(embedders_.Add(counting_).ok());
    ASSERT_TRUE(lakehouse_.Ingest("candidates", kCandidates).ok());
    OpenVectors();
  }

  void OpenVectors() {
    indexer_.reset();
    vectors_.reset();
    auto vectors = VectorService::Open(&lakehouse_.store(), {.embedders = &embedders_});
    ASSERT_TRUE(vectors.ok()) << vectors.status().ToString();
    vectors_ = std::move(*vectors);
    indexer_ = std::make_unique<DatasetIndexer>(*vectors_, &reader_, embedders_);
  }

  DatasetIndexRequest Request(std::string model = "") {
    DatasetIndexRequest request;
    request.dataset = "candidates";
    request.index = "resumes";
    request.id_column = "id";
    request.text_column = "resume";
    request.model = std::move(model);
    return request;
  }

  std::vector<std::string> Ids(const std::vector<Hit>& hits) {
    std::vector<std::string> ids;
    for (const auto& hit : hits) ids.push_back(hit.id);
    return ids;
  }

  testing::EmbeddedLakehouse lakehouse_;
  query::EngineSqlReader reader_{lakehouse_.engine()};
  embed::EmbedderSet embedders_;
  std::shared_ptr<CountingEmbedder> counting_;
  std::unique_ptr<VectorService> vectors_;
  std::unique_ptr<DatasetIndexer> indexer_;
};

TEST_F(DatasetIndexerTest, BuildsAnIndexThatFindsRowsByTheirTextAndRecordsItsSource) {
  std::vector<DatasetIndexProgress> progress;
  auto outcome = indexer_->BuildOrRefresh(
      Request(), [&](const DatasetIndexProgress& p) { progress.push_back(p); });
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_TRUE(outcome->created);
  EXPECT_EQ(outcome->upserted, 4u);
  EXPECT_EQ(outcome->skipped, 2u);  // a blank text, a NULL id
  EXPECT_EQ(outcome->status.count, 4u);
  EXPECT_TRUE(outcome->status.persisted);
  EXPECT_EQ(outcome->status.params.model, embed::HashingEmbedder::kName);
  ASSERT_TRUE(outcome->status.source.has_value());
  const DatasetSource& source = *outcome->status.source;
  EXPECT_EQ(source.dataset, "candidates");
  EXPECT_EQ(source.version, 1u);
  EXPECT_EQ(source.id_column, "id");
  EXPECT_EQ(source.text_column, "resume");
  EXPECT_EQ(source.metadata_columns, (std::vector<std::string>{"name", "state", "rate"}));

  auto hits = vectors_->SearchText("resumes", "nurse for an intensive care unit", 2, std::nullopt);
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  ASSERT_FALSE(hits->empty());
  EXPECT_EQ((*hits)[0].id, "2");
  EXPECT_EQ((*(*hits)[0].metadata)["state"], "CA");
  EXPECT_EQ((*(*hits)[0].metadata)["rate"], 90);

  // A filter on metadata: Texas at most 65 an hour leaves one candidate.
  auto filter =
      MetadataFilter::Parse(nlohmann::json::parse(R"({"state": "TX", "rate": {"lte": 65}})"));
  ASSERT_TRUE(filter.ok()) << filter.status().ToString();
  auto filtered = vectors_->SearchText("resumes", "python data engineer", 4, std::nullopt, *filter);
  ASSERT_TRUE(filtered.ok());
  EXPECT_EQ(Ids(*filtered), std::vector<std::string>{"3"});

  ASSERT_FALSE(progress.empty());
  EXPECT_EQ(progress.front().phase, "reading");
  bool embedded_all = false;
  for (const auto& p : progress)
    embedded_all |= p.phase == "embedding" && p.done == 4 && p.total == 4;
  EXPECT_TRUE(embedded_all);
}

TEST_F(DatasetIndexerTest, ARefreshEmbedsOnlyWhatChangedAndRemovesWhatWent) {
  ASSERT_TRUE(indexer_->BuildOrRefresh(Request("counting")).ok());
  EXPECT_EQ(counting_->embedded, 4u);

  // Version 2: Ann's resume changes, Bob goes, Di's rate changes, Gus comes.
  ASSERT_TRUE(lakehouse_
                  .Ingest("candidates",
                          "id,name,state,rate,resume\n"
                          "1,Ann,TX,70,site reliability engineer running kubernetes clusters\n"
                          "3,Cy,TX,60,forklift operator in warehouse logistics and shipping\n"
                          "4,Di,NY,95,java backend developer writing microservices\n"
                          "7,Gus,WA,65,accountant preparing tax returns and audits\n",
                          ingest::Format::kCsv, catalog::WriteMode::kOverwrite)
                  .ok());
  counting_->embedded = 0;
  auto refreshed = indexer_->BuildOrRefresh(Request());
  ASSERT_TRUE(refreshed.ok()) << refreshed.status().ToString();
  EXPECT_FALSE(refreshed->created);
  EXPECT_EQ(refreshed->from_version, 1u);
  EXPECT_EQ(refreshed->status.source->version, 2u);
  EXPECT_EQ(refreshed->upserted, 3u);
  EXPECT_EQ(refreshed->removed, 1u);
  EXPECT_EQ(counting_->embedded, 3u);  // rows 1, 4 and 7, not 3
  EXPECT_EQ(refreshed->status.count, 4u);
  EXPECT_TRUE(refreshed->status.persisted);

  auto index = vectors_->Find("resumes");
  ASSERT_TRUE(index.ok());
  EXPECT_EQ((*index)->Get("2").status().code(), StatusCode::kNotFound);
  auto di = (*index)->Get("4");
  ASSERT_TRUE(di.ok());
  EXPECT_EQ(di->metadata["rate"], 95);
  auto hits = vectors_->SearchText("resumes", "kubernetes reliability", 1, std::nullopt);
  ASSERT_TRUE(hits.ok());
  EXPECT_EQ(Ids(*hits), std::vector<std::string>{"1"});
  hits = vectors_->SearchText("resumes", "tax accountant", 1, std::nullopt);
  ASSERT_TRUE(hits.ok());
  EXPECT_EQ(Ids(*hits), std::vector<std::string>{"7"});

  // Nothing new: nothing embedded, nothing changed.
  uint64_t version = (*index)->version();
  counting_->embedded = 0;
  auto again = indexer_->BuildOrRefresh(Request());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->upserted, 0u);
  EXPECT_EQ(again->removed, 0u);
  EXPECT_EQ(counting_->embedded, 0u);
  EXPECT_EQ((*index)->version(), version);
}

// Row changes make versions like any other: a refresh after an upsert and a
// delete embeds the changed and new rows only and removes the deleted ids.
TEST_F(DatasetIndexerTest, ARefreshAfterAnUpsertAndADeleteEmbedsOnlyTheirRows) {
  ASSERT_TRUE(indexer_->BuildOrRefresh(Request("counting")).ok());
  ASSERT_TRUE(lakehouse_
                  .Upsert("candidates",
                          "id,name,state,rate,resume\n"
                          "1,Ann,TX,70,site reliability engineer running kubernetes clusters\n"
                          "7,Gus,WA,65,accountant preparing tax returns and audits\n",
                          {"id"})
                  .ok());
  ASSERT_TRUE(lakehouse_.DeleteRows("candidates", "name = 'Bob'").ok());
  counting_->embedded = 0;
  auto refreshed = indexer_->BuildOrRefresh(Request());
  ASSERT_TRUE(refreshed.ok()) << refreshed.status().ToString();
  EXPECT_EQ(refreshed->from_version, 1u);
  EXPECT_EQ(refreshed->status.source->version, 3u);
  EXPECT_EQ(refreshed->upserted, 2u);
  EXPECT_EQ(refreshed->removed, 1u);
  EXPECT_EQ(counting_->embedded, 2u);  // Ann's new resume and Gus, nobody else
  auto index = vectors_->Find("resumes");
  ASSERT_TRUE(index.ok());
  EXPECT_EQ((*index)->Get("2").status().code(), StatusCode::kNotFound);
  auto hits = vectors_->SearchText("resumes", "kubernetes reliability", 1, std::nullopt);
  ASSERT_TRUE(hits.ok());
  EXPECT_EQ(Ids(*hits), std::vector<std::string>{"1"});
}

// Whether any object under the lakehouse's store holds `needle`.
bool StoreHolds(const std::string& dir, const std::string& needle) {
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir + "/objects")) {
    if (entry.is_regular_file() &&
        testing::ReadFile(entry.path().string()).find(needle) != std::string::npos) {
      return true;
    }
  }
  return false;
}

TEST_F(DatasetIndexerTest, AfterAnErasureReconcileDropsTheRowsFromIndexAndStorage) {
  // A second index on another dataset, which reconcile leaves alone.
  ASSERT_TRUE(lakehouse_.Ingest("others", "id,resume\n2,python developer\n").ok());
  auto other = Request();
  other.dataset = "others";
  other.index = "others";
  ASSERT_TRUE(indexer_->BuildOrRefresh(other).ok());
  ASSERT_TRUE(indexer_->BuildOrRefresh(Request("counting")).ok());
  // A refresh stored as a delta after the base: both must lose the row.
  ASSERT_TRUE(lakehouse_
                  .Ingest("candidates",
                          "id,name,state,rate,resume\n"
                          "8,Hal,TX,61,welder certified for pipelines\n")
                  .ok());
  ASSERT_TRUE(indexer_->BuildOrRefresh(Request()).ok());
  ASSERT_TRUE(StoreHolds(lakehouse_.dir(), "intensive care unit"));  // metadata holds the text
  ASSERT_TRUE(lakehouse_.ingestor().Erase({"candidates", "id = 2 OR id = 8"}).ok());

  auto outcomes = indexer_->Reconcile("candidates");
  ASSERT_TRUE(outcomes.ok()) << outcomes.status().ToString();
  ASSERT_EQ(outcomes->size(), 1u);
  EXPECT_EQ((*outcomes)[0].index, "resumes");
  EXPECT_EQ((*outcomes)[0].removed, 2u);
  auto index = vectors_->Find("resumes");
  ASSERT_TRUE(index.ok());
  EXPECT_EQ((*index)->Get("2").status().code(), StatusCode::kNotFound);
  EXPECT_EQ((*index)->Get("8").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE((*index)->Get("1").ok());
  EXPECT_TRUE((*vectors_->Find("others"))->Get("2").ok());
  EXPECT_FALSE(StoreHolds(lakehouse_.dir(), "intensive care unit"));
  EXPECT_FALSE(StoreHolds(lakehouse_.dir(), "welder certified"));
  // Reopened from storage, the index still lacks them.
  OpenVectors();
  EXPECT_EQ((*vectors_->Find("resumes"))->Get("2").status().code(), StatusCode::kNotFound);
  // Nothing more to drop the second time.
  auto again = indexer_->Reconcile("candidates");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)[0].removed, 0u);
}

TEST_F(DatasetIndexerTest, TheSourceAndTheFittedEmbedderSurviveARestart) {
  ASSERT_TRUE(indexer_->BuildOrRefresh(Request()).ok());
  auto before = vectors_->SearchText("resumes", "spark data pipelines", 4, std::nullopt);
  ASSERT_TRUE(before.ok());
  auto described = vectors_->Describe("resumes");
  ASSERT_TRUE(described.ok());

  OpenVectors();
  auto after_status = vectors_->Describe("resumes");
  ASSERT_TRUE(after_status.ok()) << after_status.status().ToString();
  EXPECT_EQ(after_status->source, described->source);
  auto after = vectors_->SearchText("resumes", "spark data pipelines", 4, std::nullopt);
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->size(), before->size());
  for (size_t i = 0; i < before->size(); ++i) {
    EXPECT_EQ((*after)[i].id, (*before)[i].id);
    // The query is embedded with the IDF learned at build time, not afresh.
    EXPECT_FLOAT_EQ((*after)[i].distance, (*before)[i].distance);
  }
  // A fitted embedder weighs rare words up: its query vector differs from
  // the unfitted built-in one's.
  embed::HashingEmbedder unfitted;
  auto fitted = vectors_->EmbedderOf("resumes");
  ASSERT_TRUE(fitted.ok());
  std::vector<std::string> text = {"spark data pipelines"};
  EXPECT_NE((*(*fitted)->Embed(text))[0], (*unfitted.Embed(text))[0]);
}

TEST_F(DatasetIndexerTest, ARefreshIsStoredAsOneDeltaAndSurvivesARestart) {
  ASSERT_TRUE(indexer_->BuildOrRefresh(Request()).ok());
  ASSERT_TRUE(lakehouse_
                  .Ingest("candidates", "id,name,state,rate,resume\n9,Ivy,OR,75,welder\n",
                          ingest::Format::kCsv, catalog::WriteMode::kAppend)
                  .ok());
  auto refreshed = indexer_->BuildOrRefresh(Request());
  ASSERT_TRUE(refreshed.ok()) << refreshed.status().ToString();
  ASSERT_FALSE(refreshed->created);
  EXPECT_TRUE(refreshed->status.persisted);
  auto delta = lakehouse_.store().GetBytes(lhd1::DeltaKey("resumes", 1));
  ASSERT_TRUE(delta.ok()) << delta.status().ToString();
  auto decoded = lhd1::Decode(*delta);
  ASSERT_TRUE(decoded.ok());
  ASSERT_EQ(decoded->changes.size(), 1u);
  ASSERT_TRUE(decoded->changes[0].source.has_value());
  EXPECT_EQ(decoded->changes[0].source, refreshed->status.source);

  OpenVectors();
  auto after = vectors_->Describe("resumes");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->count, refreshed->status.count);
  EXPECT_EQ(after->source, refreshed->status.source);
  EXPECT_TRUE(vectors_->Find("resumes").value()->Get("9").ok());
}

std::vector<std::string> KeywordIds(VectorService& vectors, const std::string& query) {
  return testing::KeywordIds(vectors, "resumes", query);
}

TEST_F(DatasetIndexerTest, TheFullTextPartIsBuiltAndRefreshedWithTheVectors) {
  auto built = indexer_->BuildOrRefresh(Request());
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  ASSERT_TRUE(built->status.params.full_text.has_value());
  EXPECT_EQ(*built->status.params.full_text, text::Bm25Params{});
  EXPECT_EQ(KeywordIds(*vectors_, "nurse"), std::vector<std::string>{"2"});
  EXPECT_EQ(KeywordIds(*vectors_, "pipeline"), std::vector<std::string>{"1"});  // stemmed

  // Version 2: Ann's resume changes, Bob goes, Gus comes.
  ASSERT_TRUE(lakehouse_
                  .Ingest("candidates",
                          "id,name,state,rate,resume\n"
                          "1,Ann,TX,70,rust systems programmer\n"
                          "3,Cy,TX,60,forklift operator in warehouse logistics and shipping\n"
                          "4,Di,NY,85,java backend developer writing microservices\n"
                          "7,Gus,WA,65,CDL-A truck driver\n",
                          ingest::Format::kCsv, catalog::WriteMode::kOverwrite)
                  .ok());
  ASSERT_TRUE(indexer_->BuildOrRefresh(Request()).ok());
  EXPECT_TRUE(KeywordIds(*vectors_, "nurse").empty());
  EXPECT_TRUE(KeywordIds(*vectors_, "spark pipelines").empty());
  EXPECT_EQ(KeywordIds(*vectors_, "rust"), std::vector<std::string>{"1"});
  EXPECT_EQ(KeywordIds(*vectors_, "cdl-a"), std::vector<std::string>{"7"});
  OpenVectors();  // the refresh's delta holds the texts
  EXPECT_EQ(KeywordIds(*vectors_, "cdl a"), std::vector<std::string>{"7"});
  EXPECT_TRUE(KeywordIds(*vectors_, "nurse").empty());

  // Other parameters rebuild; "full_text": false builds without one.
  DatasetIndexRequest unstemmed = Request();
  unstemmed.full_text = FullTextChoice{true, {.stemming = text::Stemming::kNone}};
  auto rebuilt = indexer_->BuildOrRefresh(unstemmed);
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status().ToString();
  EXPECT_EQ(rebuilt->upserted, 4u);
  EXPECT_TRUE(KeywordIds(*vectors_, "programmers").empty());
  EXPECT_EQ(KeywordIds(*vectors_, "programmer"), std::vector<std::string>{"1"});
  DatasetIndexRequest without = Request();
  without.full_text = FullTextChoice{false, {}};
  auto plain = indexer_->BuildOrRefresh(without);
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_FALSE(plain->status.params.full_text.has_value());
  SearchRequest keyword;
  keyword.text = "rust";
  keyword.mode = SearchMode::kKeyword;
  EXPECT_EQ(vectors_->Search("resumes", keyword).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(DatasetIndexerTest, AVacuumedSourceVersionMeansARebuild) {
  ASSERT_TRUE(indexer_->BuildOrRefresh(Request()).ok());
  ASSERT_TRUE(lakehouse_
                  .Ingest("candidates", "id,name,state,rate,resume\n9,Ivy,OR,75,welder\n",
                          ingest::Format::kCsv, catalog::WriteMode::kOverwrite)
                  .ok());
  ASSERT_TRUE(lakehouse_.catalog().Vacuum("candidates", 1).ok());
  auto outcome = indexer_->BuildOrRefresh(Request());
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_FALSE(outcome->created);
  EXPECT_EQ(outcome->upserted, 1u);
  EXPECT_EQ(outcome->status.count, 1u);
  EXPECT_EQ(outcome->status.source->version, 2u);
  auto index = vectors_->Find("resumes");
  ASSERT_TRUE(index.ok());
  EXPECT_TRUE((*index)->Get("9").ok());
  EXPECT_FALSE((*index)->Get("1").ok());
}

TEST_F(DatasetIndexerTest, BadRequestsSayWhatIsWrongAndChangeNothing) {
  auto expect = [&](DatasetIndexRequest request, StatusCode code, const std::string& words) {
    auto outcome = indexer_->BuildOrRefresh(request);
    ASSERT_FALSE(outcome.ok());
    EXPECT_EQ(outcome.status().code(), code) << outcome.status().ToString();
    EXPECT_NE(outcome.status().message().find(words), std::string::npos)
        << outcome.status().message();
  };
  auto request = Request();
  request.text_column = "cv";
  expect(request, StatusCode::kInvalidArgument, "no column \"cv\"; its columns: id, name");
  request = Request();
  request.id_column = "state";  // TX repeats
  expect(request, StatusCode::kInvalidArgument, "\"TX\" appears more than once");
  request = Request();
  request.dataset = "nobody";
  expect(request, StatusCode::kNotFound, "nobody");
  request = Request();
  request.index = "Bad Name";
  expect(request, StatusCode::kInvalidArgument, "Bad Name");
  request = Request();
  request.metadata_columns = std::vector<std::string>{"resume"};
  expect(request, StatusCode::kInvalidArgument, "must not hold the id or text column");
  request = Request("no-such-model");
  expect(request, StatusCode::kInvalidArgument, "no-such-model");
  EXPECT_TRUE(vectors_->List().empty());

  // An index of that name that holds something else is not overwritten.
  IndexParams params;
  params.name = "resumes";
  params.dim = 3;
  ASSERT_TRUE(vectors_->Create(params).ok());
  expect(Request(), StatusCode::kConflict, "not built from a dataset");
  ASSERT_TRUE(vectors_->Drop("resumes").ok());
  ASSERT_TRUE(indexer_->BuildOrRefresh(Request()).ok());
  request = Request();
  request.text_column = "name";
  expect(request, StatusCode::kConflict, "is built from candidates.id/resume");
  EXPECT_EQ(vectors_->Describe("resumes")->source->text_column, "resume");

  // A read-only vectord (another process writes this store) refuses before
  // reading or embedding anything.
  auto reader = VectorService::Open(&lakehouse_.store(),
                                    {.role = VectorRole::kReader, .embedders = &embedders_});
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  DatasetIndexer on_reader(**reader, &reader_, embedders_);
  counting_->embedded = 0;
  request = Request("counting");
  request.index = "elsewhere";
  auto refused = on_reader.BuildOrRefresh(request);
  EXPECT_EQ(refused.status().code(), StatusCode::kConflict);
  EXPECT_NE(refused.status().message().find("read-only"), std::string::npos);
  EXPECT_EQ(counting_->embedded, 0u);
  EXPECT_FALSE((*reader)->Describe("elsewhere").ok());

  DatasetIndexer without_queryd(*vectors_, nullptr, embedders_);
  auto outcome = without_queryd.BuildOrRefresh(Request());
  EXPECT_EQ(outcome.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(outcome.status().message().find("queryd_url"), std::string::npos);
}

}  // namespace
}  // namespace lakehouse::vector
