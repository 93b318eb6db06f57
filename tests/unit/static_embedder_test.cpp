// StaticEmbedder on tiny generated models: token ids, mean pooling and normalisation checked
// against values worked out by hand, F16 and BF16 matrices, per-token weights and mappings, the
// [embed] static_model setting, and every kind of bad model folder failing with the file named.
#include "embed/static_embedder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "common/config.h"
#include "embed/configured_embedders.h"
#include "embed/embedder_set.h"
#include "testing/temp_dir.h"
#include "testing/tiny_static_model.h"

namespace lakehouse::embed {
namespace {

using nlohmann::json;
using testing::RawTensor;

constexpr size_t kRows = 8;
constexpr size_t kDim = 3;

// ids: 0 [UNK], 1 hello, 2 ",", 3 world, 4 una, 5 ##ff, 6 ##able, 7 [PAD]
json Tokenizer() {
  json vocab = {{"[UNK]", 0}, {"hello", 1}, {",", 2},      {"world", 3},
                {"una", 4},   {"##ff", 5},  {"##able", 6}, {"[PAD]", 7}};
  return {{"normalizer", {{"type", "BertNormalizer"}, {"lowercase", true}}},
          {"pre_tokenizer", {{"type", "BertPreTokenizer"}}},
          {"model", {{"type", "WordPiece"}, {"unk_token", "[UNK]"}, {"vocab", vocab}}}};
}

// Rows chosen so each mean below is easy by hand; the unknown token's row is large, so keeping
// it would show.
std::vector<float> Rows() {
  return {100,   100, 100,  // [UNK]
          1,     2,   2,    // hello
          3,     0,   0,    // ,
          0,     0,   -4,   // world
          1,     1,   1,    // una
          2,     2,   2,    // ##ff
          -0.5f, 0,   0,    // ##able
          0,     0,   0};   // [PAD]
}

class StaticEmbedderTest : public ::testing::Test {
 protected:
  // A model folder named `name` with `tensors`, the tokenizer above and, if given, config.json.
  std::string Folder(const std::string& name, const std::vector<RawTensor>& tensors,
                     const json& tokenizer = Tokenizer(), const json& config = nullptr) {
    std::string folder = dir_.path() + "/" + name;
    std::filesystem::create_directories(folder);
    testing::WriteFile(folder + "/model.safetensors", testing::SafetensorsBytes(tensors));
    testing::WriteFile(folder + "/tokenizer.json", tokenizer.dump());
    if (!config.is_null()) testing::WriteFile(folder + "/config.json", config.dump());
    return folder;
  }
  std::string PlainFolder(const json& config = nullptr) {
    return Folder("potion-tiny", {testing::Embeddings(kRows, kDim, Rows())}, Tokenizer(), config);
  }

  static std::unique_ptr<StaticEmbedder> LoadOk(const std::string& folder) {
    auto embedder = StaticEmbedder::Load(folder);
    EXPECT_TRUE(embedder.ok()) << embedder.status().ToString();
    return embedder.ok() ? std::move(embedder).value() : nullptr;
  }

  static void ExpectVector(const std::vector<float>& got, const std::vector<double>& want) {
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-6) << "at " << i;
  }

  testing::TempDir dir_;
};

TEST_F(StaticEmbedderTest, NameAndDimComeFromTheFolderAndMatrix) {
  auto embedder = LoadOk(PlainFolder());
  ASSERT_NE(embedder, nullptr);
  EXPECT_EQ(embedder->name(), "static:potion-tiny");
  EXPECT_EQ(embedder->dim(), kDim);
  EXPECT_TRUE(embedder->normalizes());  // no config.json: normalised
  auto trailing_slash = LoadOk(PlainFolder() + "/");
  ASSERT_NE(trailing_slash, nullptr);
  EXPECT_EQ(trailing_slash->name(), "static:potion-tiny");
}

TEST_F(StaticEmbedderTest, MeanOfTokenRowsScaledToUnitLength) {
  auto embedder = LoadOk(PlainFolder());
  ASSERT_NE(embedder, nullptr);
  // hello , -> mean of (1,2,2) and (3,0,0) = (2,1,1), length sqrt(6).
  auto vector = embedder->EmbedOne("Hello,");
  ASSERT_TRUE(vector.ok());
  const double s6 = std::sqrt(6.0);
  ExpectVector(*vector, {2 / s6, 1 / s6, 1 / s6});
  // una ##ff ##able world -> (1+2-0.5+0, 1+2+0+0, 1+2+0-4) / 4 = (0.625, 0.75, -0.25).
  vector = embedder->EmbedOne("UNAFFABLE world");
  ASSERT_TRUE(vector.ok());
  const double norm = std::sqrt(0.625 * 0.625 + 0.75 * 0.75 + 0.25 * 0.25);
  ExpectVector(*vector, {0.625 / norm, 0.75 / norm, -0.25 / norm});
}

TEST_F(StaticEmbedderTest, UnknownTokensAreDroppedBeforeAveraging) {
  auto embedder = LoadOk(PlainFolder());
  ASSERT_NE(embedder, nullptr);
  auto ids = embedder->TokenIds("hello zzz");
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(*ids, (std::vector<int32_t>{1}));
  auto vector = embedder->EmbedOne("hello zzz");
  ASSERT_TRUE(vector.ok());
  ExpectVector(*vector, {1.0 / 3, 2.0 / 3, 2.0 / 3});  // (1,2,2) alone
}

TEST_F(StaticEmbedderTest, TextWithNoKnownTokenIsTheZeroVector) {
  auto embedder = LoadOk(PlainFolder());
  ASSERT_NE(embedder, nullptr);
  for (const std::string text : {"", "   ", "zzz qqq"}) {
    auto vector = embedder->EmbedOne(text);
    ASSERT_TRUE(vector.ok());
    ExpectVector(*vector, {0, 0, 0});
  }
}

TEST_F(StaticEmbedderTest, ConfigNormalizeFalseKeepsTheMean) {
  auto embedder = LoadOk(PlainFolder({{"normalize", false}, {"model_type", "model2vec"}}));
  ASSERT_NE(embedder, nullptr);
  EXPECT_FALSE(embedder->normalizes());
  auto vector = embedder->EmbedOne("hello ,");
  ASSERT_TRUE(vector.ok());
  ExpectVector(*vector, {2, 1, 1});
}

TEST_F(StaticEmbedderTest, BatchIsOneVectorPerTextInOrder) {
  auto embedder = LoadOk(PlainFolder({{"normalize", false}}));
  ASSERT_NE(embedder, nullptr);
  std::vector<std::string> texts = {"world", "", "hello"};
  auto vectors = embedder->Embed(texts);
  ASSERT_TRUE(vectors.ok());
  ASSERT_EQ(vectors->size(), 3u);
  ExpectVector((*vectors)[0], {0, 0, -4});
  ExpectVector((*vectors)[1], {0, 0, 0});
  ExpectVector((*vectors)[2], {1, 2, 2});
}

TEST_F(StaticEmbedderTest, LongTextsKeepAtMostMaxTokens) {
  auto embedder = LoadOk(PlainFolder({{"normalize", false}}));
  ASSERT_NE(embedder, nullptr);
  std::string text;
  for (int i = 0; i < 300; ++i) text += "hello,";  // 600 tokens in 1,800 characters
  text += " world";
  auto ids = embedder->TokenIds(text);
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(ids->size(), StaticEmbedder::kMaxTokens);
  auto vector = embedder->EmbedOne(text);
  ASSERT_TRUE(vector.ok());
  ExpectVector(*vector, {2, 1, 1});  // 256 of each; "world", past the bound, does not count
}

TEST_F(StaticEmbedderTest, LongTextsAreCutAtMaxTokensTimesTheMedianTokenLength) {
  auto embedder = LoadOk(PlainFolder({{"normalize", false}}));
  ASSERT_NE(embedder, nullptr);
  // The tokens' lengths 5 5 1 5 3 4 6 5 have median 5, so texts are cut after 512 x 5 characters;
  // the long unknown word before "hello" is dropped either way.
  const size_t cut = StaticEmbedder::kMaxTokens * 5;
  auto inside = embedder->EmbedOne(std::string(cut - 6, 'z') + " hello");
  ASSERT_TRUE(inside.ok());
  ExpectVector(*inside, {1, 2, 2});
  auto outside = embedder->EmbedOne(std::string(cut - 5, 'z') + " hello");
  ASSERT_TRUE(outside.ok());
  ExpectVector(*outside, {0, 0, 0});  // "hell" is left, an unknown word
}

// IEEE half floats of the rows above: every value is exact in F16.
std::vector<uint16_t> HalfRows() {
  return {0x5640, 0x5640, 0x5640, 0x3C00, 0x4000, 0x4000, 0x4200, 0x0000,
          0x0000, 0x0000, 0x0000, 0xC400, 0x3C00, 0x3C00, 0x3C00, 0x4000,
          0x4000, 0x4000, 0xB800, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000};
}

TEST_F(StaticEmbedderTest, F16MatrixGivesTheSameVectors) {
  RawTensor half{"embeddings", "F16", {kRows, kDim}, testing::U16Bytes(HalfRows())};
  auto embedder = LoadOk(Folder("half", {half}, Tokenizer(), {{"normalize", false}}));
  ASSERT_NE(embedder, nullptr);
  auto vector = embedder->EmbedOne("unaffable world");
  ASSERT_TRUE(vector.ok());
  ExpectVector(*vector, {0.625, 0.75, -0.25});
}

TEST(SafetensorsTest, HalfAndBfloatConvertExactly) {
  std::vector<RawTensor> tensors = {
      {"h", "F16", {1, 5}, testing::U16Bytes({0x3C00, 0xC000, 0x0001, 0x7BFF, 0x8000})},
      {"b", "BF16", {1, 2}, testing::U16Bytes({0x3F80, 0xC0A0})}};
  auto file = SafetensorsFile::Parse(testing::SafetensorsBytes(tensors), "t.safetensors");
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  auto h = file->Matrix("h");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->values, (std::vector<float>{1.0f, -2.0f, std::ldexp(1.0f, -24), 65504.0f, -0.0f}));
  auto b = file->Matrix("b");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->values, (std::vector<float>{1.0f, -5.0f}));
}

TEST_F(StaticEmbedderTest, WeightsScaleRowsAndMappingChoosesThem) {
  std::vector<float> weights(kRows, 1.0f);
  weights[1] = 2.0f;  // hello
  weights[2] = 0.5f;  // ,
  std::vector<int64_t> mapping = {0, 1, 2, 3, 4, 5, 6, 7};
  mapping[3] = 4;  // world uses una's row (1,1,1)
  auto embedder = LoadOk(Folder("weighted",
                                {testing::Embeddings(kRows, kDim, Rows()),
                                 {"weights", "F32", {kRows}, testing::F32Bytes(weights)},
                                 {"mapping", "I64", {kRows}, testing::I64Bytes(mapping)}},
                                Tokenizer(), {{"normalize", false}}));
  ASSERT_NE(embedder, nullptr);
  auto vector = embedder->EmbedOne("hello,");
  ASSERT_TRUE(vector.ok());
  ExpectVector(*vector, {(2 * 1 + 0.5 * 3) / 2, (2 * 2) / 2.0, (2 * 2) / 2.0});
  vector = embedder->EmbedOne("world");
  ASSERT_TRUE(vector.ok());
  ExpectVector(*vector, {1, 1, 1});
}

TEST_F(StaticEmbedderTest, ConfiguredFolderIsOfferedAtStartupRelativeToTheConfigFile) {
  PlainFolder();
  auto config = ParseConfig("[embed]\nstatic_model = \"potion-tiny\"\n", "c.toml", dir_.path());
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->embed.static_model, dir_.path() + "/potion-tiny");
  EmbedderSet embedders;
  ASSERT_TRUE(AddConfiguredEmbedders(config->embed, embedders).ok());
  auto found = embedders.Find("static:potion-tiny");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ((*found)->dim(), kDim);

  EmbedConfig bad;
  bad.static_model = dir_.path() + "/nowhere";
  EmbedderSet others;
  Status status = AddConfiguredEmbedders(bad, others);
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_NE(status.message().find("nowhere"), std::string::npos);
}

// Load fails with `code` and a message naming `file` and containing `needle`.
void ExpectLoadError(const std::string& folder, StatusCode code, const std::string& file,
                     const std::string& needle) {
  auto embedder = StaticEmbedder::Load(folder);
  ASSERT_FALSE(embedder.ok()) << "loaded " << folder;
  EXPECT_EQ(embedder.status().code(), code) << embedder.status().ToString();
  EXPECT_NE(embedder.status().message().find(file), std::string::npos)
      << embedder.status().message();
  EXPECT_NE(embedder.status().message().find(needle), std::string::npos)
      << embedder.status().message();
}

TEST_F(StaticEmbedderTest, MissingFolderOrFileIsNotFoundNamingIt) {
  ExpectLoadError(dir_.path() + "/absent", StatusCode::kNotFound, "absent", "does not exist");
  const std::string folder = PlainFolder();
  std::filesystem::remove(folder + "/tokenizer.json");
  ExpectLoadError(folder, StatusCode::kNotFound, "tokenizer.json", "does not exist");
  std::filesystem::remove(folder + "/model.safetensors");
  ExpectLoadError(folder, StatusCode::kNotFound, "model.safetensors", "does not exist");
}

TEST_F(StaticEmbedderTest, TruncatedOrInconsistentSafetensorsAreErrorsNamingTheFile) {
  const std::string folder = PlainFolder();
  const std::string path = folder + "/model.safetensors";
  const std::string good = testing::SafetensorsBytes({testing::Embeddings(kRows, kDim, Rows())});
  auto expect = [&](const std::string& bytes, const std::string& needle) {
    testing::WriteFile(path, bytes);
    ExpectLoadError(folder, StatusCode::kInvalidArgument, "model.safetensors", needle);
  };
  expect(good.substr(0, good.size() - 4), "truncated");
  expect(good.substr(0, 5), "shorter than");
  expect(testing::LengthPrefix(1000) + good.substr(8), "runs past the end");
  expect(testing::LengthPrefix(uint64_t{1} << 40) + good.substr(8), "over the limit");
  expect(testing::LengthPrefix(9) + "{not json" + good.substr(8), "not a JSON object");
  expect(testing::SafetensorsBytes({{"embeddings", "F33", {kRows, kDim}, std::string(96, '\0')}}),
         "unknown dtype \"F33\"");
  expect(testing::SafetensorsBytes({{"embeddings", "F32", {kRows, kDim}, std::string(92, '\0')}}),
         "needs 96 bytes");
  expect(testing::SafetensorsBytes({{"embeddings", "F32", {kRows * kDim}, std::string(96, '\0')}}),
         "2-D");
  expect(testing::SafetensorsBytes({{"embeddings", "I32", {kRows, kDim}, std::string(96, '\0')}}),
         "F32, F16");
  expect(testing::SafetensorsBytes({{"vectors", "F32", {kRows, kDim}, std::string(96, '\0')}}),
         "no tensor \"embeddings\"");
}

TEST_F(StaticEmbedderTest, OverlappingTensorDataIsAnError) {
  const std::string header = R"({"embeddings":{"dtype":"F32","shape":[2,1],"data_offsets":[0,8]},)"
                             R"("weights":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})";
  auto file = SafetensorsFile::Parse(
      testing::LengthPrefix(header.size()) + header + std::string(12, '\0'), "m.safetensors");
  ASSERT_FALSE(file.ok());
  EXPECT_NE(file.status().message().find("m.safetensors: tensor data ranges overlap"),
            std::string::npos)
      << file.status().message();
}

TEST_F(StaticEmbedderTest, TokenIdsBeyondTheMatrixAreAnErrorNamingTheToken) {
  const std::string folder =
      Folder("short", {testing::Embeddings(6, kDim, std::vector<float>(6 * kDim, 1.0f))});
  ExpectLoadError(folder, StatusCode::kInvalidArgument, "tokenizer.json", "has id ");
  ExpectLoadError(folder, StatusCode::kInvalidArgument, "model.safetensors", "only 6 rows");
}

TEST_F(StaticEmbedderTest, UnsupportedTokenizerComponentIsAnErrorNamingIt) {
  json tokenizer = Tokenizer();
  tokenizer["pre_tokenizer"] = {{"type", "UnicodeScripts"}};
  const std::string folder = Folder("odd", {testing::Embeddings(kRows, kDim, Rows())}, tokenizer);
  ExpectLoadError(folder, StatusCode::kInvalidArgument, "tokenizer.json",
                  "pre_tokenizer type \"UnicodeScripts\" is not supported");
}

TEST_F(StaticEmbedderTest, BadConfigJsonIsAnErrorNamingIt) {
  const std::string folder = PlainFolder({{"normalize", "yes"}});
  ExpectLoadError(folder, StatusCode::kInvalidArgument, "config.json", "normalize");
}

}  // namespace
}  // namespace lakehouse::embed
