// The BM25 index: scores against the formula by hand, ranking, removal,
// filters, highlighting, large and damaged input.
#include "text/bm25_index.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <thread>
#include <vector>

namespace lakehouse::text {
namespace {

using Terms = std::vector<std::string>;

Bm25Params Unstemmed() { return {1.2, 0.75, Stemming::kNone}; }

// d1 has 2 terms, d2 and d3 have 3 each: N = 3, avgdl = 8/3.
void AddCorpus(Bm25Index& index) {
  ASSERT_TRUE(index.Add("d1", "java developer").ok());
  ASSERT_TRUE(index.Add("d2", "java java python").ok());
  ASSERT_TRUE(index.Add("d3", "python developer senior").ok());
}

std::vector<std::string> Ids(const std::vector<TextHit>& hits) {
  std::vector<std::string> ids;
  for (const auto& hit : hits) ids.push_back(hit.id);
  return ids;
}

TEST(Bm25IndexTest, ScoresMatchTheFormulaWorkedByHand) {
  Bm25Index index(Unstemmed());
  AddCorpus(index);
  EXPECT_EQ(index.size(), 3u);
  EXPECT_DOUBLE_EQ(index.AverageLength(), 8.0 / 3.0);
  EXPECT_EQ(index.DocumentFrequency("java"), 2u);
  // "java": df 2, idf = ln(1 + (3 - 2 + 0.5) / (2 + 0.5)) = ln(1.6).
  // d1: tf 1, |D| 2, norm = 1 - 0.75 + 0.75 * 2 / (8/3) = 0.8125,
  //     score = ln(1.6) * 1 * 2.2 / (1 + 1.2 * 0.8125) = ln(1.6) * 2.2 / 1.975.
  // d2: tf 2, |D| 3, norm = 0.25 + 0.75 * 3 / (8/3) = 1.09375,
  //     score = ln(1.6) * 2 * 2.2 / (2 + 1.2 * 1.09375) = ln(1.6) * 4.4 / 3.3125.
  auto hits = index.Search("java", 10);
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].id, "d2");
  EXPECT_NEAR(hits[0].score, std::log(1.6) * 4.4 / 3.3125, 1e-12);
  EXPECT_EQ(hits[1].id, "d1");
  EXPECT_NEAR(hits[1].score, std::log(1.6) * 2.2 / 1.975, 1e-12);
  // "senior": df 1, idf = ln(1 + 2.5 / 1.5) = ln(8/3); d3: tf 1, |D| 3,
  //     score = ln(8/3) * 2.2 / (1 + 1.2 * 1.09375) = ln(8/3) * 2.2 / 2.3125.
  hits = index.Search("senior", 10);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_NEAR(hits[0].score, std::log(8.0 / 3.0) * 2.2 / 2.3125, 1e-12);
}

// English stemming: "engineers" is `engin` and `=engineers`. The exact
// form weighs kExactFormWeight and is not counted in |D|.
TEST(Bm25IndexTest, AnExactFormAddsHalfAMatchOnTopOfItsStem) {
  Bm25Index index(Bm25Params{});
  ASSERT_TRUE(index.Add("same", "engineers").ok());
  ASSERT_TRUE(index.Add("stem", "engineering").ok());
  ASSERT_TRUE(index.Add("none", "nurse").ok());
  // Every |D| is 1 (exact forms left out), so avgdl = 1 and norm = 1.
  EXPECT_DOUBLE_EQ(index.AverageLength(), 1.0);
  // `engin`: df 2 of N 3, idf = ln(1 + 1.5 / 2.5) = ln(1.6); tf 1 gives
  //     ln(1.6) * 2.2 / 2.2 = ln(1.6).
  // `=engineers`: df 1, idf = ln(1 + 2.5 / 1.5) = ln(8/3), at half weight.
  auto hits = index.Search("Engineers", 10);
  ASSERT_EQ(Ids(hits), (Terms{"same", "stem"}));
  EXPECT_NEAR(hits[0].score, std::log(1.6) + kExactFormWeight * std::log(8.0 / 3.0), 1e-12);
  EXPECT_NEAR(hits[1].score, std::log(1.6), 1e-12);
  // The other form ranks the other posting first.
  EXPECT_EQ(Ids(index.Search("engineering", 10)), (Terms{"stem", "same"}));
  // Highlighting names the stem, not the mark.
  EXPECT_EQ(index.MatchedTerms("same", "engineers").value(), (Terms{"engin"}));
}

TEST(Bm25IndexTest, AQueryScoresTheSumOverItsDistinctTerms) {
  Bm25Index index(Unstemmed());
  AddCorpus(index);
  // "developer" has df 2 as "java" does, so d1 scores its java part twice;
  // the repeated "java" in the query counts once.
  auto hits = index.Search("java developer java", 10);
  ASSERT_EQ(Ids(hits), (Terms{"d1", "d2", "d3"}));
  EXPECT_NEAR(hits[0].score, 2 * std::log(1.6) * 2.2 / 1.975, 1e-12);
  EXPECT_NEAR(hits[1].score, std::log(1.6) * 4.4 / 3.3125, 1e-12);
  EXPECT_NEAR(hits[2].score, std::log(1.6) * 2.2 / 2.3125, 1e-12);
}

TEST(Bm25IndexTest, RareTermsAndShortDocumentsRankFirst) {
  Bm25Index index(Bm25Params{});
  ASSERT_TRUE(index.Add("long", "engineer with a long history of many unrelated words here").ok());
  ASSERT_TRUE(index.Add("short", "engineer").ok());
  ASSERT_TRUE(index.Add("rare", "engineer nurse").ok());
  ASSERT_TRUE(index.Add("other", "accountant").ok());
  EXPECT_EQ(Ids(index.Search("engineers", 10)), (Terms{"short", "rare", "long"}));
  EXPECT_EQ(Ids(index.Search("nursing engineer", 1)), (Terms{"rare"}));
}

TEST(Bm25IndexTest, EqualScoresTieByIdAndKCutsTheList) {
  Bm25Index index(Unstemmed());
  for (const char* id : {"z", "x", "y"}) ASSERT_TRUE(index.Add(id, "forklift operator").ok());
  EXPECT_EQ(Ids(index.Search("forklift", 2)), (Terms{"x", "y"}));
  EXPECT_TRUE(index.Search("forklift", 0).empty());
}

TEST(Bm25IndexTest, RemoveAndReplaceChangeScoresAndStatistics) {
  Bm25Index index(Unstemmed());
  AddCorpus(index);
  EXPECT_TRUE(index.Remove("d2"));
  EXPECT_FALSE(index.Remove("d2"));
  EXPECT_EQ(index.size(), 2u);
  EXPECT_DOUBLE_EQ(index.AverageLength(), 2.5);
  EXPECT_EQ(index.DocumentFrequency("java"), 1u);
  EXPECT_EQ(index.DocumentFrequency("python"), 1u);
  EXPECT_EQ(Ids(index.Search("java", 10)), (Terms{"d1"}));
  ASSERT_TRUE(index.Add("d1", "welder").ok());  // replaces d1's text
  EXPECT_TRUE(index.Search("java", 10).empty());
  EXPECT_EQ(index.DocumentFrequency("java"), 0u);
  EXPECT_EQ(Ids(index.Search("welder", 10)), (Terms{"d1"}));
  EXPECT_EQ(index.size(), 2u);
}

TEST(Bm25IndexTest, TheFilterRunsBeforeTheCut) {
  Bm25Index index(Unstemmed());
  AddCorpus(index);
  auto not_d2 = [](std::string_view id) { return id != "d2"; };
  EXPECT_EQ(Ids(index.Search("java", 1, not_d2)), (Terms{"d1"}));
  EXPECT_TRUE(index.Search("java", 5, [](std::string_view) { return false; }).empty());
}

// Searches reuse their score arrays: whatever one search added up, refused
// or cut, must not leak into the next one's scores.
TEST(Bm25IndexTest, EachSearchStartsFromZeroScores) {
  Bm25Index index(Unstemmed());
  AddCorpus(index);
  const auto alone = index.Search("java", 10);
  EXPECT_TRUE(index.Search("java python", 5, [](std::string_view) { return false; }).empty());
  EXPECT_EQ(index.Search("java python developer senior", 1).size(), 1u);
  EXPECT_EQ(index.Search("java", 10), alone);
  // Many searches at once each get their own array.
  std::vector<std::thread> threads;
  std::vector<int> same(8, 0);
  for (size_t t = 0; t < same.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        const bool refuse = (i + t) % 2 == 0;
        auto hits = index.Search("java", 10, [&](std::string_view) { return !refuse; });
        same[t] += refuse ? hits.empty() : hits == alone;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int count : same) EXPECT_EQ(count, 200);
}

// A removed document's slot is reused by the next one added; the postings
// lists stay in slot order through it, so scores and removals stay right.
TEST(Bm25IndexTest, FreedSlotsAreReusedWithoutMixingDocuments) {
  Bm25Index index(Unstemmed());
  AddCorpus(index);
  ASSERT_TRUE(index.Remove("d1"));
  ASSERT_TRUE(index.Add("d4", "java developer").ok());  // d1's text in d1's old slot
  ASSERT_TRUE(index.Add("d5", "java").ok());
  EXPECT_EQ(index.DocumentFrequency("java"), 3u);
  ASSERT_TRUE(index.Remove("d2"));
  EXPECT_EQ(index.DocumentFrequency("java"), 2u);
  EXPECT_EQ(Ids(index.Search("java", 10)), (Terms{"d5", "d4"}));
  EXPECT_EQ(Ids(index.Search("python", 10)), (Terms{"d3"}));
  ASSERT_TRUE(index.Remove("d5"));
  ASSERT_TRUE(index.Remove("d4"));
  EXPECT_EQ(index.DocumentFrequency("java"), 0u);
  EXPECT_EQ(Ids(index.Search("developer", 10)), (Terms{"d3"}));
}

TEST(Bm25IndexTest, EmptyQueriesAndIdsAreHandled) {
  Bm25Index index(Unstemmed());
  EXPECT_TRUE(index.Search("java", 10).empty());  // an empty index
  AddCorpus(index);
  EXPECT_TRUE(index.Search("", 10).empty());
  EXPECT_TRUE(index.Search(" ?! ", 10).empty());
  EXPECT_TRUE(index.Search("cobol", 10).empty());
  EXPECT_EQ(index.Add("", "text").code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(index.Add("blank", "").ok());  // no terms, but it counts in N
  EXPECT_EQ(index.size(), 4u);
  EXPECT_DOUBLE_EQ(index.AverageLength(), 2.0);
}

TEST(Bm25IndexTest, MatchedTermsNameWhatToHighlight) {
  Bm25Index index(Bm25Params{});
  ASSERT_TRUE(index.Add("c1", "Senior engineers who know C++ and CDL-A").ok());
  EXPECT_EQ(index.MatchedTerms("c1", "engineering c++ rust senior cdl").value(),
            (Terms{"c++", "cdl", "engin", "senior"}));
  EXPECT_EQ(index.MatchedTerms("nobody", "c++").status().code(), StatusCode::kNotFound);
}

TEST(Bm25IndexTest, HyphenatedAndSpacedFormsFindEachOther) {
  Bm25Index index(Bm25Params{});
  ASSERT_TRUE(index.Add("hyphen", "Driver with CDL-A").ok());
  ASSERT_TRUE(index.Add("spaced", "CDL A license").ok());
  EXPECT_EQ(Ids(index.Search("cdl a", 10)).size(), 2u);
  EXPECT_EQ(Ids(index.Search("cdl-a", 10)).front(), "hyphen");
  EXPECT_EQ(Ids(index.Search("cdl-a", 10)).size(), 2u);
}

TEST(Bm25IndexTest, IndexesAOneMegabyteDocument) {
  std::string big;
  while (big.size() < (1u << 20)) big += "warehouse associate picker packer ";
  big += "needle";
  Bm25Index index(Bm25Params{});
  ASSERT_TRUE(index.Add("big", big).ok());
  ASSERT_TRUE(index.Add("small", "warehouse").ok());
  EXPECT_EQ(Ids(index.Search("needle", 10)), (Terms{"big"}));
  EXPECT_EQ(index.Search("warehouse", 10).size(), 2u);
  EXPECT_EQ(index.DocumentFrequency("needl"), 1u);
}

TEST(Bm25IndexTest, InvalidUtf8IsIndexedAroundTheDamage) {
  Bm25Index index(Unstemmed());
  ASSERT_TRUE(index.Add("bad", "caf\xff\xfe developer \xc3").ok());
  EXPECT_EQ(Ids(index.Search("developer caf", 10)), (Terms{"bad"}));
}

TEST(Bm25IndexTest, ParamsOutOfRangeAreRefused) {
  EXPECT_TRUE(ValidateParams({}).ok());
  EXPECT_TRUE(ValidateParams({0, 0, Stemming::kNone}).ok());
  EXPECT_FALSE(ValidateParams({-1, 0.75, Stemming::kNone}).ok());
  EXPECT_FALSE(ValidateParams({NAN, 0.75, Stemming::kNone}).ok());
  EXPECT_FALSE(ValidateParams({1.2, 1.5, Stemming::kNone}).ok());
  EXPECT_FALSE(ValidateParams({1.2, NAN, Stemming::kNone}).ok());
}

TEST(Bm25IndexTest, AnalyzedDocumentsMustBeOrderedAndCounted) {
  Bm25Index index(Unstemmed());
  EXPECT_FALSE(index.AddAnalyzed({"a", {{"b", 1}, {"a", 1}}}).ok());
  EXPECT_FALSE(index.AddAnalyzed({"a", {{"a", 1}, {"a", 1}}}).ok());
  EXPECT_FALSE(index.AddAnalyzed({"a", {{"a", 0}}}).ok());
  EXPECT_TRUE(index.AddAnalyzed({"a", {{"a", 2}, {"b", 1}}}).ok());
  EXPECT_DOUBLE_EQ(index.AverageLength(), 3.0);
}

TEST(Bm25IndexTest, ReadersRunWhileAWriterAddsAndRemoves) {
  Bm25Index index(Bm25Params{});
  ASSERT_TRUE(index.Add("fixed", "payroll clerk").ok());
  std::thread writer([&] {
    for (int i = 0; i < 2000; ++i) {
      const std::string id = "w" + std::to_string(i % 50);
      if (i % 3 == 2) {
        index.Remove(id);
      } else {
        EXPECT_TRUE(index.Add(id, "payroll specialist " + std::to_string(i)).ok());
      }
    }
  });
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        auto hits = index.Search("payroll clerk", 5);
        ASSERT_FALSE(hits.empty());
        EXPECT_EQ(hits.front().id, "fixed");  // the only one holding "clerk"
        EXPECT_TRUE(index.MatchedTerms("fixed", "clerk").ok());
      }
    });
  }
  writer.join();
  for (auto& reader : readers) reader.join();
}

}  // namespace
}  // namespace lakehouse::text
