// The LHV1 reader: round trip, each named kind of damage, and a deterministic
// mutation fuzz (run under ASan in CI) in which no input may crash the
// reader, the graph checks, or a later search on what they accept.
#include "vector/lhv1.h"

#include <gtest/gtest.h>

#include <random>

#include "vector/index.h"

namespace lakehouse::vector {
namespace {

std::vector<float> Vec(std::mt19937& rng, uint32_t dim) {
  std::normal_distribution<float> normal;
  std::vector<float> v(dim);
  for (float& x : v) x = normal(rng);
  return v;
}

// A small index with removed slots and replaced items, so the image has
// deleted elements and labels with gaps.
std::unique_ptr<Index> SmallIndex(Metric metric, uint32_t m = 8) {
  IndexParams params;
  params.name = "small";
  params.dim = 8;
  params.metric = metric;
  params.m = m;
  params.ef_construction = 40;
  auto index = Index::Create(params);
  EXPECT_TRUE(index.ok());
  std::mt19937 rng(7);
  std::vector<Item> items;
  for (int i = 0; i < 300; ++i) {
    items.push_back({"id-" + std::to_string(i), Vec(rng, 8), {{"n", i}, {"tag", "t"}}});
  }
  EXPECT_TRUE((*index)->Add(std::move(items)).ok());
  for (int i = 0; i < 300; i += 7) EXPECT_TRUE((*index)->Remove("id-" + std::to_string(i)).ok());
  EXPECT_TRUE((*index)->Add({{"id-1", Vec(rng, 8), {{"n", -1}}}}).ok());
  return std::move(*index);
}

std::string Encode(const IndexImage& image) {
  return *lhv1::EncodePrefix(image) + image.graph + image.full_text;
}

std::string Encoded(const Index& index) {
  auto image = index.Snapshot();
  EXPECT_TRUE(image.ok());
  return Encode(*image);
}

Result<std::unique_ptr<Index>> Load(std::string bytes) {
  LH_ASSIGN_OR_RETURN(IndexImage image, lhv1::Decode(std::move(bytes)));
  return Index::Restore(std::move(image));
}

TEST(Lhv1Test, RoundTripKeepsEveryItemAndAnswer) {
  for (Metric metric : {Metric::kL2, Metric::kCosine, Metric::kIp}) {
    auto original = SmallIndex(metric);
    std::string bytes = Encoded(*original);
    ASSERT_EQ(bytes.substr(0, 4), "LHV1");
    auto restored = Load(bytes);
    ASSERT_TRUE(restored.ok()) << restored.status().ToString();
    ASSERT_EQ((*restored)->size(), original->size());
    EXPECT_EQ((*restored)->params().metric, metric);
    std::mt19937 rng(11);
    for (int i = 0; i < 300; ++i) {
      std::string id = "id-" + std::to_string(i);
      auto a = original->Get(id);
      auto b = (*restored)->Get(id);
      ASSERT_EQ(a.ok(), b.ok()) << id;
      if (!a.ok()) continue;
      EXPECT_EQ(a->vector, b->vector) << id;
      EXPECT_EQ(a->metadata, b->metadata) << id;
      auto query = Vec(rng, 8);
      auto ha = original->Search(query, 5);
      auto hb = (*restored)->Search(query, 5);
      ASSERT_TRUE(ha.ok() && hb.ok());
      ASSERT_EQ(ha->size(), hb->size());
      for (size_t h = 0; h < ha->size(); ++h) {
        EXPECT_EQ((*ha)[h].id, (*hb)[h].id);
        EXPECT_EQ((*ha)[h].distance, (*hb)[h].distance);
      }
    }
    // The restored index takes new items without reusing a live label.
    ASSERT_TRUE((*restored)->Add({{"fresh", Vec(rng, 8), {}}}).ok());
    EXPECT_EQ((*restored)->size(), original->size() + 1);
    EXPECT_EQ((*restored)->Get("id-2")->metadata["n"], 2);
  }
}

TEST(Lhv1Test, ADatasetIndexKeepsItsSourceAndEmbedderState) {
  auto index = SmallIndex(Metric::kCosine);
  auto image = index->Snapshot();
  ASSERT_TRUE(image.ok());
  image->source = DatasetSource{"candidates", 7, "id", "resume", {"state", "rate"}};
  std::string state;
  for (int i = 0; i < 1000; ++i) state.push_back(static_cast<char>(i * 37));  // binary
  image->embedder_state = state;
  auto decoded = lhv1::Decode(Encode(*image));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->source, image->source);
  EXPECT_EQ(decoded->embedder_state, state);

  // An index without them decodes without them.
  auto plain = lhv1::Decode(Encoded(*index));
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->source.has_value());
  EXPECT_TRUE(plain->embedder_state.empty());
}

void ExpectDamage(std::string bytes, const std::string& expected) {
  auto loaded = Load(std::move(bytes));
  ASSERT_FALSE(loaded.ok()) << "accepted damage: " << expected;
  EXPECT_EQ(loaded.status().code(), StatusCode::kUnprocessable);
  EXPECT_NE(loaded.status().message().find(expected), std::string::npos)
      << loaded.status().message();
}

TEST(Lhv1Test, EachKindOfDamageIsNamed) {
  auto index = SmallIndex(Metric::kL2);
  auto image = index->Snapshot();
  ASSERT_TRUE(image.ok());
  const std::string good = Encode(*image);
  const size_t envelope_end = lhv1::EncodePrefix(*image)->size();

  ExpectDamage("", "shorter than its 8-byte header");
  ExpectDamage("LHV", "shorter than its 8-byte header");
  std::string wrong_magic = good;
  wrong_magic[3] = '2';
  ExpectDamage(wrong_magic, "wrong magic");
  ExpectDamage(good.substr(0, envelope_end - 10), "runs past the end");
  ExpectDamage(good.substr(0, envelope_end + 100), "truncated");
  ExpectDamage(good.substr(0, good.size() - 1), "truncated");
  std::string huge = good;
  huge[4] = huge[5] = huge[6] = huge[7] = '\xff';
  ExpectDamage(huge, "over the limit");
  // Under the limit but past the end: nothing is allocated for it.
  std::string claims_more = "LHV1\x3f\xff\xff\xff{}";
  ExpectDamage(claims_more, "runs past the end");
  std::string flipped = good;
  flipped[envelope_end + 200] ^= 0x10;
  ExpectDamage(flipped, "sha256");
  std::string not_json = good;
  not_json[9] = '!';
  ExpectDamage(not_json, "not a JSON object");

  // Envelopes that parse but say the wrong things.
  IndexImage future = *image;
  std::string future_bytes = Encode(future);
  size_t at = future_bytes.find("\"format_version\":1");
  ASSERT_NE(at, std::string::npos);
  future_bytes[at + 17] = '3';
  ExpectDamage(future_bytes, "format version 3");
  IndexImage other_dim = *image;
  other_dim.params.dim = 9;
  ExpectDamage(Encode(other_dim), "layout does not match dimension 9");
  IndexImage other_m = *image;
  other_m.params.m = 12;
  ExpectDamage(Encode(other_m), "M does not match");
  IndexImage lost_item = *image;
  lost_item.entries.pop_back();
  ExpectDamage(Encode(lost_item), "live elements");
  IndexImage twice = *image;
  twice.entries[1].id = twice.entries[0].id;
  ExpectDamage(Encode(twice), "id repeated");
  IndexImage bad_label = *image;
  bad_label.entries[0].label = bad_label.next_label + 5;
  ExpectDamage(Encode(bad_label), "label is not one live graph element");
  IndexImage bad_name = *image;
  bad_name.params.name = "Bad Name";
  ExpectDamage(Encode(bad_name), "index name");

  // A deeply nested envelope is refused before parsing.
  std::string deep(100000, '[');
  std::string nested = "LHV1";
  for (int shift : {24, 16, 8, 0})
    nested.push_back(static_cast<char>((deep.size() >> shift) & 0xff));
  ExpectDamage(nested + deep, "nested too deep");
}

// Whatever the reader accepts must be safe to use.
void Exercise(Index& index, std::mt19937& rng) {
  const uint32_t dim = index.params().dim;
  for (int q = 0; q < 5; ++q) {
    auto hits = index.Search(Vec(rng, dim), 10, 16 + q * 20);
    ASSERT_TRUE(hits.ok());
    for (const auto& hit : *hits) EXPECT_TRUE(index.Get(hit.id).ok());
  }
  EXPECT_TRUE(index.Add({{"after-" + std::to_string(rng()), Vec(rng, dim), {}}}).ok());
  EXPECT_TRUE(index.Snapshot().ok());
}

std::string Mutate(std::string bytes, std::mt19937& rng, size_t lo, size_t hi) {
  auto pick = [&](size_t a, size_t b) { return std::uniform_int_distribution<size_t>(a, b)(rng); };
  if (hi <= lo) return bytes;
  switch (pick(0, 5)) {
    case 0:  // flip bits
      for (size_t n = pick(1, 4); n > 0; --n)
        bytes[pick(lo, hi - 1)] ^= static_cast<char>(1 << pick(0, 7));
      break;
    case 1:  // set a byte to an edge value
      bytes[pick(lo, hi - 1)] =
          static_cast<char>(std::array<int, 5>{0, 1, 0x7f, 0x80, 0xff}[pick(0, 4)]);
      break;
    case 2:  // truncate
      bytes.resize(pick(0, bytes.size() - 1));
      break;
    case 3:  // insert junk
      bytes.insert(pick(lo, hi), std::string(pick(1, 16), static_cast<char>(pick(0, 255))));
      break;
    case 4: {  // overwrite a 4-byte word with a large or small number
      size_t at = pick(lo, hi - 1);
      uint32_t value = std::array<uint32_t, 4>{0, 1, 0xffffffffu, 0x7fffffffu}[pick(0, 3)];
      for (size_t i = 0; i < 4 && at + i < bytes.size(); ++i)
        bytes[at + i] = static_cast<char>(value >> (8 * i));
      break;
    }
    default:  // erase a range
      bytes.erase(pick(lo, hi - 1), pick(1, 64));
      break;
  }
  return bytes;
}

TEST(Lhv1Test, MutatedObjectsNeverCrashTheReader) {
  auto index = SmallIndex(Metric::kCosine);
  const std::string good = Encoded(*index);
  std::mt19937 rng(1234);
  int accepted = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string bytes = Mutate(good, rng, 0, good.size());
    if (round % 3 == 0) bytes = Mutate(bytes, rng, 0, bytes.size());
    auto loaded = Load(std::move(bytes));
    if (loaded.ok()) {
      ++accepted;
      Exercise(**loaded, rng);
    } else {
      EXPECT_EQ(loaded.status().code(), StatusCode::kUnprocessable) << loaded.status().ToString();
    }
  }
  // Almost every mutation breaks the checksum or the envelope; the few that
  // pass land in JSON whitespace-like spots and still load.
  EXPECT_LT(accepted, 300);
}

// The checksum stops random damage; these mutate the graph and then re-sign
// it, so only the graph checks stand between hnswlib and the bytes.
TEST(Lhv1Test, ReSignedMutatedGraphsNeverCrashTheLoader) {
  for (Metric metric : {Metric::kL2, Metric::kCosine}) {
    auto index = SmallIndex(metric, metric == Metric::kL2 ? 4 : 8);
    auto image = index->Snapshot();
    ASSERT_TRUE(image.ok());
    std::mt19937 rng(99 + static_cast<int>(metric));
    int accepted = 0;
    for (int round = 0; round < 2000; ++round) {
      IndexImage damaged = *image;
      // Mostly the small header and the link lists, where damage matters.
      size_t hi =
          round % 2 == 0 ? std::min<size_t>(96, damaged.graph.size()) : damaged.graph.size();
      damaged.graph = Mutate(std::move(damaged.graph), rng, 0, hi);
      auto loaded = Load(Encode(damaged));
      if (loaded.ok()) {
        ++accepted;
        Exercise(**loaded, rng);
      } else {
        EXPECT_EQ(loaded.status().code(), StatusCode::kUnprocessable) << loaded.status().ToString();
      }
    }
    EXPECT_GT(accepted, 0);  // vector-data damage is undetectable and harmless
    EXPECT_LT(accepted, 2000);
  }
}

}  // namespace
}  // namespace lakehouse::vector
