// LHT1, the stored form of a BM25 index: round trips, and refusal of every damaged image.
#include "text/bm25_format.h"

#include <gtest/gtest.h>

#include <string>

#include "common/sha256.h"

namespace lakehouse::text {
namespace {

std::unique_ptr<Bm25Index> Sample() {
  auto index = std::make_unique<Bm25Index>(Bm25Params{1.5, 0.5, Stemming::kEnglish});
  EXPECT_TRUE(index->Add("c2", "Forklift operator, CDL-A, night shift").ok());
  EXPECT_TRUE(index->Add("c1", "Senior C++ engineer; José knows .NET").ok());
  EXPECT_TRUE(index->Add("c3", "").ok());
  return index;
}

// Replaces the checksum, so a test reaches the checks behind it.
std::string Resealed(std::string bytes) {
  bytes.resize(bytes.size() - 64);
  return bytes + Sha256Hex(bytes).value();
}

void ExpectRefused(std::string_view bytes, std::string_view why) {
  auto decoded = lht1::Decode(bytes);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kUnprocessable);
  EXPECT_NE(decoded.status().message().find(why), std::string::npos) << decoded.status().message();
}

TEST(Bm25FormatTest, RoundTripKeepsParametersDocumentsAndScores) {
  auto index = Sample();
  const std::string bytes = lht1::Encode(*index).value();
  ASSERT_EQ(bytes.substr(0, 4), "LHT1");
  auto loaded = lht1::Decode(bytes);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ((*loaded)->params(), index->params());
  EXPECT_EQ((*loaded)->Documents(), index->Documents());
  EXPECT_DOUBLE_EQ((*loaded)->AverageLength(), index->AverageLength());
  for (const char* query : {"engineers", "cdl a", "jose .net c++", "shift operator"}) {
    EXPECT_EQ((*loaded)->Search(query, 10), index->Search(query, 10)) << query;
  }
  // The same index encodes to the same bytes.
  EXPECT_EQ(lht1::Encode(**loaded).value(), bytes);
}

// Version 1 images, written before stemmed words kept their exact forms,
// load as they are: the same documents, scored by their stems.
TEST(Bm25FormatTest, AVersionOneImageStillLoads) {
  Bm25Index old_index(Bm25Params{1.2, 0.75, Stemming::kEnglish});
  AnalyzedDoc doc{"c1", {{"engin", 2}, {"senior", 1}}};
  ASSERT_TRUE(old_index.AddAnalyzed(doc).ok());
  std::string bytes = lht1::Encode(old_index).value();
  ASSERT_EQ(bytes[7], 2);
  bytes[7] = 1;
  auto loaded = lht1::Decode(Resealed(bytes));
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ((*loaded)->Documents(), std::vector<AnalyzedDoc>{doc});
  EXPECT_EQ((*loaded)->Search("engineers", 10), old_index.Search("engineers", 10));
  EXPECT_EQ((*loaded)->Search("engineers", 10).size(), 1u);
}

TEST(Bm25FormatTest, AnEmptyIndexRoundTrips) {
  Bm25Index index(Bm25Params{0, 1, Stemming::kNone});
  auto loaded = lht1::Decode(lht1::Encode(index).value());
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ((*loaded)->size(), 0u);
  EXPECT_EQ((*loaded)->params(), index.params());
}

TEST(Bm25FormatTest, EveryTruncationIsRefused) {
  const std::string bytes = lht1::Encode(*Sample()).value();
  for (size_t length = 0; length < bytes.size(); ++length) {
    auto decoded = lht1::Decode(std::string_view(bytes).substr(0, length));
    ASSERT_FALSE(decoded.ok()) << length;
    EXPECT_EQ(decoded.status().code(), StatusCode::kUnprocessable) << length;
  }
}

TEST(Bm25FormatTest, EveryFlippedBitIsRefused) {
  const std::string bytes = lht1::Encode(*Sample()).value();
  for (size_t at = 0; at < bytes.size(); ++at) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string damaged = bytes;
      damaged[at] = static_cast<char>(damaged[at] ^ (1 << bit));
      auto decoded = lht1::Decode(damaged);
      ASSERT_FALSE(decoded.ok()) << at << ":" << bit;
      EXPECT_EQ(decoded.status().code(), StatusCode::kUnprocessable);
    }
  }
}

TEST(Bm25FormatTest, ChecksumDamageAndWrongMagicAreNamed) {
  std::string bytes = lht1::Encode(*Sample()).value();
  std::string flipped = bytes;
  flipped[40] = static_cast<char>(flipped[40] ^ 1);
  ExpectRefused(flipped, "checksum mismatch");
  ExpectRefused(bytes.substr(0, 10), "shorter than its header");
  bytes[0] = 'X';
  ExpectRefused(bytes, "wrong magic");
}

TEST(Bm25FormatTest, ASoundChecksumOverABadBodyIsStillRefused) {
  const std::string bytes = lht1::Encode(*Sample()).value();
  std::string version = bytes;
  version[7] = 3;
  ExpectRefused(Resealed(version), "format version 3");
  version[7] = 0;
  ExpectRefused(Resealed(version), "format version 0");
  std::string stemming = bytes;
  stemming[24] = 7;
  ExpectRefused(Resealed(stemming), "unknown stemming");
  std::string b = bytes;
  b[16] = 0x7f;  // b's sign and exponent: a huge number
  ExpectRefused(Resealed(b), "b must be");
  std::string more = bytes;
  more[32] = static_cast<char>(more[32] + 1);  // one document more than stored
  ExpectRefused(Resealed(more), "cut short");
  std::string body = bytes.substr(0, bytes.size() - 64);
  ExpectRefused(Resealed(body + "xy" + std::string(64, '0')), "after the last document");
}

}  // namespace
}  // namespace lakehouse::text
