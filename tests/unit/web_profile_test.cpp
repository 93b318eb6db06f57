// A dataset version's profile through a real query engine: types, NULL shares, distinct values,
// distributions.
#include "web/dataset_profile.h"

#include <gtest/gtest.h>

#include <numeric>

#include "testing/embedded_lakehouse.h"

namespace lakehouse::web {
namespace {

const ColumnProfile* Column(const Profile& profile, const std::string& name) {
  for (const auto& column : profile.columns) {
    if (column.name == name) return &column;
  }
  return nullptr;
}

TEST(DatasetProfileTest, ProfilesEveryColumnOfTheVersion) {
  testing::EmbeddedLakehouse lake;
  ASSERT_TRUE(lake.Ingest("people",
                          "id,state,rate,hired\n"
                          "1,TX,50,2024-01-01\n"
                          "2,TX,,2024-01-02\n"
                          "3,CA,70,\n"
                          "4,TX,80,2024-03-01\n")
                  .ok());
  auto profile = ProfileVersion(lake.engine(), "people", 1, 4);
  ASSERT_TRUE(profile.ok()) << profile.status().ToString();
  EXPECT_FALSE(profile->sampled);
  ASSERT_EQ(profile->columns.size(), 4u);
  EXPECT_EQ(profile->columns[0].name, "id");

  const ColumnProfile* rate = Column(*profile, "rate");
  ASSERT_NE(rate, nullptr);
  EXPECT_DOUBLE_EQ(rate->null_share, 0.25);
  EXPECT_EQ(rate->distinct, 3u);
  EXPECT_EQ(rate->min, "50");
  EXPECT_EQ(rate->max, "80");
  ASSERT_EQ(rate->bins.size(), kProfileBins);
  EXPECT_EQ(std::accumulate(rate->bins.begin(), rate->bins.end(), uint64_t{0}), 3u);
  EXPECT_EQ(rate->bins.front(), 1u);  // 50
  EXPECT_EQ(rate->bins.back(), 1u);   // 80

  const ColumnProfile* state = Column(*profile, "state");
  ASSERT_NE(state, nullptr);
  EXPECT_EQ(state->distinct, 2u);
  ASSERT_EQ(state->top.size(), 2u);
  EXPECT_EQ(state->top[0], (std::pair<std::string, uint64_t>{"TX", 3}));

  const ColumnProfile* hired = Column(*profile, "hired");
  ASSERT_NE(hired, nullptr);
  EXPECT_EQ(hired->type, "DATE");
  EXPECT_EQ(std::accumulate(hired->bins.begin(), hired->bins.end(), uint64_t{0}), 3u);
}

TEST(DatasetProfileTest, TheTemplateDataNamesSharesAndTopValues) {
  testing::EmbeddedLakehouse lake;
  ASSERT_TRUE(lake.Ingest("people", "id,state\n1,TX\n2,TX\n3,\n4,CA\n").ok());
  auto profile = ProfileVersion(lake.engine(), "people", 1, 4);
  ASSERT_TRUE(profile.ok()) << profile.status().ToString();
  Data data = ProfileData(*profile);
  const auto& columns = data.get("columns")->list_value();
  ASSERT_EQ(columns.size(), 2u);
  EXPECT_EQ(columns[1].get("null_share")->string_value(), "25.0%");
  EXPECT_EQ(columns[1].get("top")->list_value()[0].get("value")->string_value(), "TX");
  EXPECT_EQ(columns[1].get("top")->list_value()[0].get("share")->string_value(), "50.0%");
}

TEST(DatasetProfileTest, ALargeVersionIsProfiledFromASample) {
  testing::EmbeddedLakehouse lake;
  std::string csv = "id\n";
  const uint64_t rows = kProfileSampleRows + 5000;
  for (uint64_t i = 0; i < rows; ++i) csv += std::to_string(i) + "\n";
  ASSERT_TRUE(lake.Ingest("big", csv).ok());
  auto profile = ProfileVersion(lake.engine(), "big", 1, rows);
  ASSERT_TRUE(profile.ok()) << profile.status().ToString();
  EXPECT_TRUE(profile->sampled);
  ASSERT_EQ(profile->columns.size(), 1u);
  EXPECT_EQ(profile->columns[0].rows, kProfileSampleRows);
  EXPECT_EQ(profile->columns[0].distinct, kProfileSampleRows);
}

TEST(DatasetProfileTest, AnUnknownVersionIsNotFound) {
  testing::EmbeddedLakehouse lake;
  ASSERT_TRUE(lake.Ingest("people", "id\n1\n").ok());
  auto profile = ProfileVersion(lake.engine(), "people", 9, 1);
  EXPECT_EQ(profile.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace lakehouse::web
