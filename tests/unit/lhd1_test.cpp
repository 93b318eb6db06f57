// The LHD1 delta format: round trip, key layout, and that every truncation
// and every flipped byte is refused whole rather than decoded in part.
#include "vector/lhd1.h"

#include <gtest/gtest.h>

namespace lakehouse::vector::lhd1 {
namespace {

Delta Sample() {
  Delta delta;
  delta.index = "notes";
  delta.seq = 7;
  delta.dim = 3;
  Change add;
  add.upserts.push_back({"a", {1, 2, 3}, {{"k", "v"}}});
  add.upserts.push_back({"b", {-1, 0.5f, 1e-3f}, nlohmann::json::object()});
  Change refresh;
  refresh.upserts.push_back({"c", {4, 5, 6}, {{"n", 1}}});
  refresh.removals = {"a"};
  refresh.source = DatasetSource{"docs", 3, "id", "text", {"state"}};
  delta.changes = {add, refresh};
  return delta;
}

TEST(Lhd1Test, RoundTripKeepsEveryChangeInOrder) {
  auto decoded = Decode(*Encode(Sample()));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->index, "notes");
  EXPECT_EQ(decoded->seq, 7u);
  ASSERT_EQ(decoded->changes.size(), 2u);
  EXPECT_EQ(decoded->changes[0].upserts[1].id, "b");
  EXPECT_EQ(decoded->changes[0].upserts[1].vector, (std::vector<float>{-1, 0.5f, 1e-3f}));
  EXPECT_EQ(decoded->changes[0].upserts[0].metadata["k"], "v");
  EXPECT_EQ(decoded->changes[1].removals, std::vector<std::string>{"a"});
  ASSERT_TRUE(decoded->changes[1].source.has_value());
  EXPECT_EQ(decoded->changes[1].source->dataset, "docs");
  EXPECT_FALSE(decoded->changes[0].source.has_value());
}

TEST(Lhd1Test, EveryTruncationIsRefused) {
  std::string bytes = *Encode(Sample());
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_FALSE(Decode(std::string_view(bytes).substr(0, n)).ok()) << "length " << n;
  }
}

TEST(Lhd1Test, EveryFlippedByteIsRefused) {
  const std::string bytes = *Encode(Sample());
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string damaged = bytes;
    damaged[i] = static_cast<char>(damaged[i] ^ 0x20);
    EXPECT_FALSE(Decode(damaged).ok()) << "byte " << i;
  }
}

TEST(Lhd1Test, DamageIsNamed) {
  std::string bytes = *Encode(Sample());
  std::string wrong_magic = bytes;
  wrong_magic[0] = 'X';
  EXPECT_NE(Decode(wrong_magic).status().message().find("wrong magic"), std::string::npos);
  EXPECT_NE(Decode(bytes.substr(0, bytes.size() - 1)).status().message().find("truncated"),
            std::string::npos);
  std::string flipped = bytes;
  flipped[20] ^= 1;
  EXPECT_NE(Decode(flipped).status().message().find("checksum"), std::string::npos);
}

TEST(Lhd1Test, KeysSortBySeqAndParseBack) {
  EXPECT_EQ(DeltaKey("notes", 42), "_vectors/notes/d/00000000000000000042.lhd1");
  EXPECT_LT(DeltaKey("notes", 9), DeltaKey("notes", 10));
  EXPECT_EQ(ParseDeltaKey("notes", DeltaKey("notes", 18446744073709551615ull)),
            18446744073709551615ull);
  EXPECT_FALSE(ParseDeltaKey("note", DeltaKey("notes", 1)).has_value());
  EXPECT_FALSE(ParseDeltaKey("notes", "_vectors/notes/d/12.lhd1").has_value());
  EXPECT_FALSE(ParseDeltaKey("notes", "_vectors/notes.lhv1").has_value());
}

}  // namespace
}  // namespace lakehouse::vector::lhd1
