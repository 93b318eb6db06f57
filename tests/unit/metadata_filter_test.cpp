// Metadata filters: their semantics, their errors, and filtered search that
// stays right when few items pass (exact) and when most do (graph).
#include "vector/metadata_filter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "vector/index.h"

namespace lakehouse::vector {
namespace {

using nlohmann::json;

TEST(MetadataFilterTest, ConditionsAndTypes) {
  auto filter = MetadataFilter::Parse(
      json::parse(R"({"state": "TX", "rate": {"gte": 40, "lte": 80}, "remote": true,
                      "level": {"in": ["junior", "mid"]}, "agency": {"ne": "x"}})"));
  ASSERT_TRUE(filter.ok()) << filter.status().ToString();
  json item = json::parse(
      R"({"state": "TX", "rate": 80.0, "remote": true, "level": "mid", "agency": "y"})");
  EXPECT_TRUE(filter->Matches(item));
  auto with = [&](const char* field, json value) {
    json changed = item;
    changed[field] = std::move(value);
    return filter->Matches(changed);
  };
  EXPECT_FALSE(with("state", "CA"));
  EXPECT_FALSE(with("rate", 80.5));
  EXPECT_TRUE(with("rate", 40));
  EXPECT_FALSE(with("rate", "80"));  // a string is not a number
  EXPECT_FALSE(with("remote", false));
  EXPECT_FALSE(with("level", "senior"));
  EXPECT_FALSE(with("agency", "x"));
  json missing = item;
  missing.erase("state");
  EXPECT_FALSE(filter->Matches(missing));
  auto strings = MetadataFilter::Parse(json::parse(R"({"name": {"lt": "m"}})"));
  EXPECT_TRUE(strings->Matches(json::parse(R"({"name": "ada"})")));
  EXPECT_FALSE(strings->Matches(json::parse(R"({"name": "zoe"})")));
}

TEST(MetadataFilterTest, BadFiltersNameTheField) {
  for (const auto& [text, error] : std::vector<std::pair<std::string, std::string>>{
           {R"([1])", "\"filter\" must be an object"},
           {R"({"rate": {"under": 3}})", "filter on \"rate\": unknown operator \"under\""},
           {R"({"rate": {}})", "no operator"},
           {R"({"tags": [1, 2]})", "compare with a string, number or boolean"},
           {R"({"state": null})", "compare with"},
           {R"({"ok": {"lt": true}})", "compares numbers or strings"},
           {R"({"level": {"in": "mid"}})", "needs an array"}}) {
    auto parsed = MetadataFilter::Parse(json::parse(text));
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(parsed.status().message().find(error), std::string::npos)
        << parsed.status().message();
  }
}

class FilteredSearchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    IndexParams params;
    params.name = "people";
    params.dim = 16;
    params.metric = Metric::kL2;
    params.ef_construction = 100;
    auto created = Index::Create(params);
    ASSERT_TRUE(created.ok());
    index_ = std::move(created).value();
    std::mt19937 rng(5);
    std::normal_distribution<float> normal;
    const char* states[] = {"TX", "CA", "NY", "WA", "IL", "OH", "GA", "NC", "MI", "PA"};
    std::vector<Item> items;
    for (int i = 0; i < 5000; ++i) {
      std::vector<float> v(16);
      for (float& x : v) x = normal(rng);
      json metadata = {{"state", states[i % 10]}, {"rate", (i * 7) % 100}};
      items.push_back({"p" + std::to_string(i), v, metadata});
      vectors_.push_back(v);
      metadata_.push_back(metadata);
    }
    ASSERT_TRUE(index_->Add(std::move(items)).ok());
  }

  // The exact k nearest ids among those passing, by brute force.
  std::vector<std::string> Exact(const std::vector<float>& q, const MetadataFilter& filter,
                                 size_t k) {
    std::vector<std::pair<float, int>> all;
    for (size_t i = 0; i < vectors_.size(); ++i) {
      if (!filter.Matches(metadata_[i])) continue;
      float d = 0;
      for (size_t c = 0; c < 16; ++c) d += (q[c] - vectors_[i][c]) * (q[c] - vectors_[i][c]);
      all.push_back({d, static_cast<int>(i)});
    }
    std::sort(all.begin(), all.end());
    std::vector<std::string> ids;
    for (size_t i = 0; i < std::min(k, all.size()); ++i) {
      ids.push_back("p" + std::to_string(all[i].second));
    }
    return ids;
  }

  std::unique_ptr<Index> index_;
  std::vector<std::vector<float>> vectors_;
  std::vector<json> metadata_;
};

TEST_F(FilteredSearchTest, SelectiveFiltersAreExact) {
  // About 50 of 5,000 pass: a plain top-10 would hold almost none of them.
  auto filter = *MetadataFilter::Parse(json::parse(R"({"state": "TX", "rate": {"lte": 10}})"));
  std::mt19937 rng(9);
  std::normal_distribution<float> normal;
  for (int q = 0; q < 20; ++q) {
    std::vector<float> query(16);
    for (float& x : query) x = normal(rng);
    auto hits = index_->SearchFiltered(query, 10, std::nullopt, filter);
    ASSERT_TRUE(hits.ok());
    std::vector<std::string> ids;
    for (const auto& hit : *hits) {
      EXPECT_TRUE(filter.Matches(*hit.metadata)) << hit.metadata->dump();
      ids.push_back(hit.id);
    }
    EXPECT_EQ(ids, Exact(query, filter, 10));
  }
  auto nobody = *MetadataFilter::Parse(json::parse(R"({"state": "AK"})"));
  EXPECT_TRUE(index_->SearchFiltered(vectors_[0], 10, std::nullopt, nobody)->empty());
}

TEST_F(FilteredSearchTest, BroadFiltersSearchTheGraph) {
  // Most pass: the graph search, which only answers with passing items.
  auto filter = *MetadataFilter::Parse(json::parse(R"({"rate": {"gte": 20}})"));
  std::mt19937 rng(11);
  std::normal_distribution<float> normal;
  size_t found = 0, wanted = 0;
  for (int q = 0; q < 50; ++q) {
    std::vector<float> query(16);
    for (float& x : query) x = normal(rng);
    auto hits = index_->SearchFiltered(query, 10, 100, filter);
    ASSERT_TRUE(hits.ok());
    ASSERT_EQ(hits->size(), 10u);
    auto exact = Exact(query, filter, 10);
    for (const auto& hit : *hits) {
      EXPECT_TRUE(filter.Matches(*hit.metadata));
      found += std::count(exact.begin(), exact.end(), hit.id);
    }
    wanted += exact.size();
  }
  EXPECT_GE(static_cast<double>(found) / wanted, 0.9);
}

}  // namespace
}  // namespace lakehouse::vector
