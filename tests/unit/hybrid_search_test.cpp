// Hybrid retrieval: reciprocal rank fusion by hand, an index's full-text part
// (writes, filters, snapshots and damage), the three search modes and their
// errors, and the texts in LHD1 deltas.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <thread>

#include "text/bm25_format.h"
#include "vector/index.h"
#include "vector/index_search.h"
#include "vector/lhd1.h"
#include "vector/rank_fusion.h"

namespace lakehouse::vector {
namespace {

using nlohmann::json;

// ---- reciprocal rank fusion ----

TEST(RankFusionTest, ScoresAreTheSumOfWeightOverKPlusRank) {
  std::vector<RankedList> lists = {{{"a", "b", "c"}, 1}, {{"c", "d"}, 1}};
  auto fused = FuseRanks(lists, 60, 10);
  ASSERT_EQ(fused.size(), 4u);
  // c: 1/(60+3) + 1/(60+1); a: 1/61; d: 1/62; b: 1/62.
  EXPECT_EQ(fused[0].id, "c");
  EXPECT_DOUBLE_EQ(fused[0].score, 1.0 / 63 + 1.0 / 61);
  EXPECT_EQ(fused[0].ranks, (std::vector<std::optional<size_t>>{3, 1}));
  EXPECT_EQ(fused[1].id, "a");
  EXPECT_DOUBLE_EQ(fused[1].score, 1.0 / 61);
  EXPECT_EQ(fused[1].ranks, (std::vector<std::optional<size_t>>{1, std::nullopt}));
  // b and d tie at 1/62: the earlier list's holder goes first.
  EXPECT_EQ(fused[2].id, "b");
  EXPECT_EQ(fused[3].id, "d");
  EXPECT_DOUBLE_EQ(fused[3].score, 1.0 / 62);
}

TEST(RankFusionTest, WeightsAndTheConstantChangeTheOrder) {
  std::vector<RankedList> lists = {{{"v1", "v2"}, 1}, {{"k1", "k2"}, 3}};
  auto fused = FuseRanks(lists, 1, 2);
  ASSERT_EQ(fused.size(), 2u);   // cut at k
  EXPECT_EQ(fused[0].id, "k1");  // 3/(1+1) beats 1/(1+1)
  EXPECT_DOUBLE_EQ(fused[0].score, 1.5);
  EXPECT_EQ(fused[1].id, "k2");  // 3/(1+2) = 1 beats 0.5
  // A weight of 0 reports ranks and adds nothing.
  lists[0].weight = 0;
  fused = FuseRanks(lists, 60, 10);
  EXPECT_EQ(fused[0].id, "k1");
  EXPECT_EQ(fused.back().score, 0);
  EXPECT_EQ(fused.back().ranks[0], std::optional<size_t>(2));
}

TEST(RankFusionTest, AnIdListedTwiceCountsOnceAtItsBestRank) {
  std::vector<RankedList> lists = {{{"a", "a", "b"}, 1}};
  auto fused = FuseRanks(lists, 60, 10);
  ASSERT_EQ(fused.size(), 2u);
  EXPECT_DOUBLE_EQ(fused[0].score, 1.0 / 61);
  EXPECT_EQ(fused[1].ranks[0], std::optional<size_t>(3));
}

TEST(RankFusionTest, BadParametersAreRefused) {
  std::vector<double> one = {1};
  EXPECT_TRUE(ValidateFusion(60, one).ok());
  for (double k : {0.0, -1.0, std::nan(""), HUGE_VAL}) {
    EXPECT_EQ(ValidateFusion(k, one).code(), StatusCode::kInvalidArgument) << k;
  }
  std::vector<double> negative = {1, -1};
  std::vector<double> zeros = {0, 0};
  std::vector<double> nan = {std::nan(""), 1};
  EXPECT_FALSE(ValidateFusion(60, negative).ok());
  EXPECT_FALSE(ValidateFusion(60, zeros).ok());
  EXPECT_FALSE(ValidateFusion(60, nan).ok());
}

// ---- an index's full-text part ----

IndexParams Params(bool full_text, Metric metric = Metric::kCosine) {
  IndexParams p;
  p.name = "jobs";
  p.dim = 2;
  p.metric = metric;
  if (full_text) p.full_text = text::Bm25Params{};
  return p;
}

std::unique_ptr<Index> NewIndex(bool full_text = true) {
  auto index = Index::Create(Params(full_text));
  EXPECT_TRUE(index.ok()) << index.status().ToString();
  return std::move(*index);
}

// Four postings; the vectors point at each posting's own corner so that the
// vector and keyword rankings disagree on purpose.
std::vector<Item> Postings() {
  return {{"cdl", {1, 0}, {{"state", "TX"}}, "CDL-A truck driver, hazmat endorsement"},
          {"rn", {0, 1}, {{"state", "CA"}}, "RN registered nurse, ICU nights"},
          {"cpp", {1, 1}, {{"state", "TX"}}, "C++ developer for trading systems"},
          {"silent", {-1, 0}, {{"state", "NY"}}, std::nullopt}};
}

std::vector<std::string> Ids(const std::vector<KeywordHit>& hits) {
  std::vector<std::string> ids;
  for (const auto& hit : hits) ids.push_back(hit.id);
  return ids;
}

std::vector<std::string> Ids(const std::vector<RankedHit>& hits) {
  std::vector<std::string> ids;
  for (const auto& hit : hits) ids.push_back(hit.id);
  return ids;
}

TEST(FullTextIndexTest, TextsAreFoundByTheirWordsWithTheirMetadata) {
  auto index = NewIndex();
  ASSERT_TRUE(index->Add(Postings()).ok());
  EXPECT_EQ(index->size(), 4u);
  auto hits = index->SearchKeywords("cdl a driver", 10, {});
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  EXPECT_EQ(Ids(*hits), std::vector<std::string>{"cdl"});
  EXPECT_EQ((*(*hits)[0].metadata)["state"], "TX");
  EXPECT_GT((*hits)[0].score, 0);
  EXPECT_EQ(Ids(index->SearchKeywords("c++", 10, {}).value()), std::vector<std::string>{"cpp"});
  // Metadata filters apply before the cut.
  auto ca = MetadataFilter::Parse(json{{"state", "CA"}}).value();
  EXPECT_EQ(Ids(index->SearchKeywords("nurse driver developer", 10, ca).value()),
            std::vector<std::string>{"rn"});
  EXPECT_EQ(index->MatchedTerms("rn", "registered nurses in Texas").value(),
            (std::vector<std::string>{"nurs", "regist"}));
}

TEST(FullTextIndexTest, ReplacingAndRemovingChangeBothParts) {
  auto index = NewIndex();
  ASSERT_TRUE(index->Add(Postings()).ok());
  // Replaced with another text: the old words go.
  ASSERT_TRUE(index->Add({{"rn", {0, 1}, {}, "LPN licensed practical nurse"}}).ok());
  EXPECT_TRUE(index->SearchKeywords("icu", 10, {})->empty());
  EXPECT_EQ(Ids(index->SearchKeywords("lpn", 10, {}).value()), std::vector<std::string>{"rn"});
  // Replaced without a text: it has none.
  ASSERT_TRUE(index->Add({{"rn", {0, 1}, {}}}).ok());
  EXPECT_TRUE(index->SearchKeywords("nurse", 10, {})->empty());
  ASSERT_TRUE(index->Remove("cdl").ok());
  EXPECT_TRUE(index->SearchKeywords("driver", 10, {})->empty());
  EXPECT_EQ(index->Get("cdl").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(index->Remove("cdl").code(), StatusCode::kNotFound);
}

TEST(FullTextIndexTest, ABadTextRefusesTheWholeBatch) {
  auto index = NewIndex();
  ASSERT_TRUE(index->Add(Postings()).ok());
  std::vector<Item> invalid = {{"new", {1, 0}, {}, "fine"}, {"rn", {0, 1}, {}, "bad \xff byte"}};
  Status refused = index->Add(invalid);
  EXPECT_EQ(refused.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.message().find("item 1: text is not valid UTF-8 at byte 4"), std::string::npos)
      << refused.message();
  std::vector<Item> huge = {{"big", {1, 0}, {}, std::string(kMaxTextBytes + 1, 'a')}};
  EXPECT_NE(index->Add(huge).message().find("the limit is"), std::string::npos);
  std::vector<Item> bad_vector = {{"new", {1, 0, 0}, {}, "driver"}};
  EXPECT_FALSE(index->Add(bad_vector).ok());
  // Nothing of the refused batches is there.
  EXPECT_EQ(index->size(), 4u);
  EXPECT_TRUE(index->SearchKeywords("fine", 10, {})->empty());
  EXPECT_TRUE(index->SearchKeywords("driver", 10, {})->size() == 1);
  EXPECT_EQ(Ids(index->SearchKeywords("icu", 10, {}).value()), std::vector<std::string>{"rn"});
}

TEST(FullTextIndexTest, AnIndexWithoutAFullTextPartRefusesTexts) {
  auto index = NewIndex(/*full_text=*/false);
  EXPECT_FALSE(index->has_full_text());
  Status refused = index->Add(Postings());
  EXPECT_EQ(refused.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.message().find("has no full-text part"), std::string::npos);
  EXPECT_EQ(index->SearchKeywords("x", 1, {}).status().code(), StatusCode::kInvalidArgument);
  IndexParams bad = Params(true);
  bad.full_text->b = 2;
  EXPECT_EQ(Index::Create(bad).status().code(), StatusCode::kInvalidArgument);
}

TEST(FullTextIndexTest, ASnapshotRestoresBothPartsAndDamageIsRefused) {
  auto index = NewIndex();
  ASSERT_TRUE(index->Add(Postings()).ok());
  auto image = index->Snapshot();
  ASSERT_TRUE(image.ok());
  ASSERT_FALSE(image->full_text.empty());
  auto restored = Index::Restore(*image);
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  for (const char* query : {"nurse", "c++", "cdl-a hazmat"}) {
    auto before = index->SearchKeywords(query, 10, {}).value();
    auto after = (*restored)->SearchKeywords(query, 10, {}).value();
    ASSERT_EQ(Ids(before), Ids(after)) << query;
    EXPECT_DOUBLE_EQ(before[0].score, after[0].score);
  }

  auto expect_damage = [](IndexImage damaged, const std::string& why) {
    auto loaded = Index::Restore(std::move(damaged));
    ASSERT_FALSE(loaded.ok()) << why;
    EXPECT_EQ(loaded.status().code(), StatusCode::kUnprocessable);
    EXPECT_NE(loaded.status().message().find(why), std::string::npos) << loaded.status().message();
  };
  IndexImage cut = *image;
  cut.full_text.resize(cut.full_text.size() - 3);
  expect_damage(cut, "full-text part");
  IndexImage missing = *image;
  missing.full_text.clear();
  expect_damage(missing, "the full-text part is missing");
  IndexImage stray = *image;
  stray.params.full_text.reset();
  expect_damage(stray, "no full-text parameters");
  IndexImage other_params = *image;
  other_params.params.full_text->k1 = 2;
  expect_damage(other_params, "parameters differ");
  // A document that is not an item: the two parts disagree.
  text::Bm25Index orphan(text::Bm25Params{});
  ASSERT_TRUE(orphan.Add("ghost", "boo").ok());
  IndexImage disagreeing = *image;
  disagreeing.full_text = text::lht1::Encode(orphan).value();
  expect_damage(disagreeing, "\"ghost\", which is not an item");
}

TEST(FullTextIndexTest, KeywordSearchesRunBesideWritesAndSnapshots) {
  auto index = NewIndex();
  std::atomic<bool> done{false};
  std::thread reader([&] {
    while (!done) {
      auto hits = index->SearchKeywords("driver nurse", 5, {});
      ASSERT_TRUE(hits.ok());
      for (const auto& hit : *hits) ASSERT_NE(hit.metadata, nullptr);
    }
  });
  for (int batch = 0; batch < 20; ++batch) {
    std::vector<Item> items;
    for (int i = 0; i < 300; ++i) {  // enough to spread the tokenizing over threads
      std::string id = "item-" + std::to_string(batch * 300 + i);
      items.push_back({id, {1, static_cast<float>(i)}, {}, "driver " + id + " nurse"});
    }
    ASSERT_TRUE(index->Add(std::move(items)).ok());
    ASSERT_TRUE(index->Remove("item-" + std::to_string(batch * 300)).ok());
    auto image = index->Snapshot();
    ASSERT_TRUE(image.ok());
    auto words = text::lht1::Decode(image->full_text);
    ASSERT_TRUE(words.ok());
    EXPECT_EQ((*words)->size(), index->size());  // both parts as of one write
  }
  done = true;
  reader.join();
}

// ---- search modes ----

SearchRequest TextRequest(std::string text, std::optional<SearchMode> mode = std::nullopt) {
  SearchRequest request;
  request.text = std::move(text);
  request.mode = mode;
  return request;
}

// A stand-in embedder: every text points at (1, 0), the "cdl" corner.
class CornerEmbedder final : public embed::Embedder {
 public:
  std::string name() const override { return "corner"; }
  size_t dim() const override { return 2; }
  Result<std::vector<std::vector<float>>> Embed(std::span<const std::string> texts) override {
    return std::vector<std::vector<float>>(texts.size(), {1, 0});
  }
};

TEST(IndexSearchTest, TheDefaultIsHybridWithAFullTextPartAndVectorWithout) {
  auto index = NewIndex();
  ASSERT_TRUE(index->Add(Postings()).ok());
  CornerEmbedder embedder;
  auto result = SearchIndex(*index, &embedder, TextRequest("registered nurse"));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->mode, SearchMode::kHybrid);

  auto plain = NewIndex(false);
  ASSERT_TRUE(plain->Add({{"a", {1, 0}}, {"b", {0, 1}}}).ok());
  auto vector_only = SearchIndex(*plain, &embedder, TextRequest("anything"));
  ASSERT_TRUE(vector_only.ok());
  EXPECT_EQ(vector_only->mode, SearchMode::kVector);
  EXPECT_EQ(Ids(vector_only->hits), (std::vector<std::string>{"a", "b"}));
  EXPECT_FLOAT_EQ(vector_only->hits[0].score, 1.0f);  // cosine 1 - distance
  EXPECT_FLOAT_EQ(*vector_only->hits[1].distance, 1.0f);
}

TEST(IndexSearchTest, HybridFusesBothRankingsAndSaysEachRank) {
  auto index = NewIndex();
  ASSERT_TRUE(index->Add(Postings()).ok());
  CornerEmbedder embedder;  // vector ranking: cdl, cpp, rn, silent
  auto result =
      SearchIndex(*index, &embedder, TextRequest("registered nurse", SearchMode::kHybrid));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  const auto& hits = result->hits;
  ASSERT_EQ(hits.size(), 4u);
  // rn: vector rank 3 and keyword rank 1; cdl: vector rank 1 only.
  EXPECT_EQ(hits[0].id, "rn");
  EXPECT_EQ(hits[0].vector_rank, std::optional<size_t>(3));
  EXPECT_EQ(hits[0].keyword_rank, std::optional<size_t>(1));
  EXPECT_DOUBLE_EQ(hits[0].score, 1.0 / 63 + 1.0 / 61);
  EXPECT_EQ(hits[1].id, "cdl");
  EXPECT_EQ(hits[1].keyword_rank, std::nullopt);
  EXPECT_TRUE(hits[1].distance.has_value());
  for (const auto& hit : hits) EXPECT_NE(hit.metadata, nullptr);

  // Vector alone puts the nurse third; keyword alone finds only her.
  auto vector =
      SearchIndex(*index, &embedder, TextRequest("registered nurse", SearchMode::kVector));
  EXPECT_EQ(Ids(vector->hits), (std::vector<std::string>{"cdl", "cpp", "rn", "silent"}));
  auto keyword =
      SearchIndex(*index, nullptr, TextRequest("registered nurse", SearchMode::kKeyword));
  ASSERT_TRUE(keyword.ok()) << keyword.status().ToString();
  EXPECT_EQ(Ids(keyword->hits), std::vector<std::string>{"rn"});
  EXPECT_EQ(keyword->hits[0].distance, std::nullopt);

  // Keyword weight 0: the vector order comes back.
  SearchRequest weighted = TextRequest("registered nurse", SearchMode::kHybrid);
  weighted.keyword_weight = 0;
  EXPECT_EQ(Ids(SearchIndex(*index, &embedder, weighted)->hits),
            (std::vector<std::string>{"cdl", "cpp", "rn", "silent"}));
}

TEST(IndexSearchTest, FiltersApplyInEveryModeAndHighlightNamesTheTerms) {
  auto index = NewIndex();
  ASSERT_TRUE(index->Add(Postings()).ok());
  CornerEmbedder embedder;
  for (SearchMode mode : {SearchMode::kVector, SearchMode::kKeyword, SearchMode::kHybrid}) {
    SearchRequest request = TextRequest("c++ developer driver", mode);
    request.filter = MetadataFilter::Parse(json{{"state", "TX"}}).value();
    request.highlight = true;
    auto result = SearchIndex(*index, &embedder, request);
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    ASSERT_FALSE(result->hits.empty());
    for (const auto& hit : result->hits) {
      EXPECT_EQ((*hit.metadata)["state"], "TX") << SearchModeName(mode);
      if (hit.id == "cpp") {
        EXPECT_EQ(hit.matched, (std::vector<std::string>{"c++", "develop"}));
      }
      if (hit.id == "cdl") {
        EXPECT_EQ(hit.matched, std::vector<std::string>{"driver"});
      }
    }
  }
}

TEST(IndexSearchTest, RequestsAModeCannotAnswerAreRefusedSayingWhy) {
  auto index = NewIndex();
  auto plain = NewIndex(false);
  CornerEmbedder embedder;
  auto refused = [&](const Index& target, SearchRequest request, const std::string& why) {
    auto result = SearchIndex(target, &embedder, request);
    ASSERT_FALSE(result.ok()) << why;
    EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(result.status().message().find(why), std::string::npos) << result.status().message();
  };
  refused(*plain, TextRequest("x", SearchMode::kKeyword), "needs a full-text part");
  refused(*plain, TextRequest("x", SearchMode::kHybrid), "needs a full-text part");
  SearchRequest highlight = TextRequest("x");
  highlight.highlight = true;
  refused(*plain, highlight, "\"highlight\" needs a full-text part");
  SearchRequest keyword_vector = TextRequest("x", SearchMode::kKeyword);
  keyword_vector.vector = std::vector<float>{1, 0};
  refused(*index, keyword_vector, "not \"vector\"");
  SearchRequest neither;
  neither.mode = SearchMode::kKeyword;
  refused(*index, neither, "needs a \"text\"");
  SearchRequest both = TextRequest("x", SearchMode::kVector);
  both.vector = std::vector<float>{1, 0};
  refused(*index, both, "exactly one of");
  SearchRequest fusion_in_vector = TextRequest("x", SearchMode::kVector);
  fusion_in_vector.rrf_k = 10;
  refused(*index, fusion_in_vector, "hybrid\" only");
  SearchRequest bad_k = TextRequest("x", SearchMode::kHybrid);
  bad_k.rrf_k = 0;
  refused(*index, bad_k, "rrf_k");
  SearchRequest zero_weights = TextRequest("x", SearchMode::kHybrid);
  zero_weights.vector_weight = 0;
  zero_weights.keyword_weight = 0;
  refused(*index, zero_weights, "at least one weight");
  SearchRequest no_k = TextRequest("x", SearchMode::kKeyword);
  no_k.k = 0;
  refused(*index, no_k, "k must be");
  EXPECT_EQ(ParseSearchMode("fuzzy").status().code(), StatusCode::kInvalidArgument);
}

// ---- texts in deltas ----

TEST(Lhd1TextTest, TextsRoundTripAndADeltaWithoutThemStaysVersionOne) {
  lhd1::Delta delta{"jobs", 1, 2, {{Postings(), {"gone"}, std::nullopt}}};
  auto bytes = lhd1::Encode(delta);
  ASSERT_TRUE(bytes.ok());
  EXPECT_NE(bytes->find("\"format_version\":2"), std::string::npos);
  auto decoded = lhd1::Decode(*bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  const auto& upserts = decoded->changes.at(0).upserts;
  ASSERT_EQ(upserts.size(), 4u);
  EXPECT_EQ(upserts[0].text, Postings()[0].text);
  EXPECT_EQ(upserts[3].text, std::nullopt);

  lhd1::Delta plain{"jobs", 1, 2, {{{{"a", {1, 0}}}, {}, std::nullopt}}};
  auto plain_bytes = lhd1::Encode(plain);
  EXPECT_NE(plain_bytes->find("\"format_version\":1"), std::string::npos);
  EXPECT_EQ(lhd1::Decode(*plain_bytes)->changes[0].upserts[0].text, std::nullopt);
}

}  // namespace
}  // namespace lakehouse::vector
