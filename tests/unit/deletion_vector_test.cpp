// LHDV deletion vectors: round trips, and damage refused whole.
#include "query/deletion_vector.h"

#include <gtest/gtest.h>

namespace lakehouse::query {
namespace {

TEST(DeletionVectorTest, RoundTripsSparseAndDensePositions) {
  for (const DeletionVector& vector :
       {DeletionVector{10, {}}, DeletionVector{10, {0, 1, 2, 9}},
        DeletionVector{5'000'000'000ull, {0, 127, 128, 16383, 16384, 4'999'999'999ull}}}) {
    std::string bytes = *EncodeDeletionVector(vector);
    auto decoded = DecodeDeletionVector(bytes);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(decoded->file_rows, vector.file_rows);
    EXPECT_EQ(decoded->positions, vector.positions);
  }
}

TEST(DeletionVectorTest, AThousandScatteredRowsTakeAFewKilobytes) {
  DeletionVector vector{1'000'000, {}};
  for (uint64_t i = 0; i < 1000; ++i) vector.positions.push_back(i * 997 + 13);
  EXPECT_LT(EncodeDeletionVector(vector)->size(), 2200u);
}

TEST(DeletionVectorTest, DamageIsRefusedWhole) {
  std::string bytes = *EncodeDeletionVector({100, {3, 50, 99}});
  EXPECT_FALSE(DecodeDeletionVector(bytes.substr(0, bytes.size() - 1)).ok());
  EXPECT_FALSE(DecodeDeletionVector(bytes.substr(0, 10)).ok());
  EXPECT_FALSE(DecodeDeletionVector("").ok());
  std::string flipped = bytes;
  flipped[21] ^= 0x40;
  auto damaged = DecodeDeletionVector(flipped);
  EXPECT_EQ(damaged.status().code(), StatusCode::kUnprocessable);
  EXPECT_NE(damaged.status().message().find("checksum"), std::string::npos);
  std::string magic = bytes;
  magic[0] = 'X';
  EXPECT_NE(DecodeDeletionVector(magic).status().message().find("magic"), std::string::npos);
}

TEST(DeletionVectorTest, DeletedRowsRefusesARowTwiceOrPastTheFile) {
  DeletedRows rows(70);
  ASSERT_TRUE(rows.Add({70, {0, 64, 69}}).ok());
  EXPECT_TRUE(rows.contains(64));
  EXPECT_FALSE(rows.contains(65));
  EXPECT_FALSE(rows.contains(1000));
  EXPECT_EQ(rows.count(), 3u);
  EXPECT_EQ(rows.Add({70, {64}}).code(), StatusCode::kUnprocessable);
  EXPECT_EQ(rows.Add({80, {70}}).code(), StatusCode::kUnprocessable);
}

}  // namespace
}  // namespace lakehouse::query
