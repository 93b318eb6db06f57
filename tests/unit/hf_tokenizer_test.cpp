// The Hugging Face tokenizer against ids worked out by hand from the tokenizers library's rules:
// a BERT-like WordPiece, a byte-level BPE and a Unigram with Metaspace, and the load errors for
// what it does not support.
#include "embed/hf_tokenizer.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "embed/hf_byte_level.h"
#include "embed/hf_unicode.h"
#include "testing/tokenizer_json.h"

namespace lakehouse::embed {
namespace {

using nlohmann::json;
using Ids = std::vector<int32_t>;

json BertTokenizerJson() {
  const std::vector<std::string> tokens = {
      "[PAD]", "[UNK]", "[CLS]", "[SEP]",        "hello", ",",   "c",
      "+",     "una",   "##ff",  "##able",       "un",    "##a", "world",
      "!",     "cafe",  "##f",   "\xE4\xB8\xAD", "[MASK]"};
  json vocab = json::object();
  for (size_t i = 0; i < tokens.size(); ++i) vocab[tokens[i]] = i;
  json added = json::array();
  for (int id : {0, 1, 2, 3, 18}) {
    added.push_back({{"id", id},
                     {"content", tokens[id]},
                     {"single_word", false},
                     {"lstrip", false},
                     {"rstrip", false},
                     {"normalized", false},
                     {"special", true}});
  }
  return {{"version", "1.0"},
          {"truncation", nullptr},
          {"padding", nullptr},
          {"added_tokens", added},
          {"normalizer",
           {{"type", "BertNormalizer"},
            {"clean_text", true},
            {"handle_chinese_chars", true},
            {"strip_accents", nullptr},
            {"lowercase", true}}},
          {"pre_tokenizer", {{"type", "BertPreTokenizer"}}},
          {"post_processor", {{"type", "TemplateProcessing"}}},
          {"decoder", {{"type", "WordPiece"}, {"prefix", "##"}}},
          {"model",
           {{"type", "WordPiece"},
            {"unk_token", "[UNK]"},
            {"continuing_subword_prefix", "##"},
            {"max_input_chars_per_word", 12},
            {"vocab", vocab}}}};
}

// GPT-2's byte map spells the space 0x20 as U+0120 "Ġ"; é (C3 A9) as "Ã©".
json ByteLevelBpeJson(bool add_prefix_space) {
  json vocab = {{"H", 0},
                {"i", 1},
                {"h", 2},
                {"\xC4\xA0", 3},
                {"Hi", 4},
                {"\xC4\xA0h", 5},
                {"\xC4\xA0hi", 6},
                {"hi", 7},
                {"\xC3\x83", 8},
                {"\xC2\xA9", 9},
                {"\xC3\x83\xC2\xA9", 10}};
  json merges = {"\xC4\xA0 h", json::array({"H", "i"}), "\xC4\xA0h i", "\xC3\x83 \xC2\xA9"};
  json byte_level = {{"type", "ByteLevel"},
                     {"add_prefix_space", add_prefix_space},
                     {"trim_offsets", true},
                     {"use_regex", true}};
  return {{"added_tokens", json::array()},
          {"normalizer", nullptr},
          {"pre_tokenizer", byte_level},
          {"model",
           {{"type", "BPE"},
            {"dropout", nullptr},
            {"unk_token", nullptr},
            {"continuing_subword_prefix", nullptr},
            {"end_of_word_suffix", nullptr},
            {"fuse_unk", false},
            {"byte_fallback", false},
            {"vocab", vocab},
            {"merges", merges}}}};
}

// "▁" is U+2581.
json UnigramJson() {
  json vocab = json::array({json::array({"<unk>", 0.0}), json::array({"\xE2\x96\x81", -2.0}),
                            json::array({"\xE2\x96\x81"
                                         "a",
                                         -1.5}),
                            json::array({"b", -2.0}),
                            json::array({"\xE2\x96\x81"
                                         "ab",
                                         -5.0}),
                            json::array({"a", -2.0}),
                            json::array({"\xE2\x96\x81"
                                         "abc",
                                         -6.0}),
                            json::array({"c", -3.0})});
  return {{"normalizer",
           {{"type", "Sequence"},
            {"normalizers", json::array({{{"type", "NFKC"}}, {{"type", "Lowercase"}}})}}},
          {"pre_tokenizer",
           {{"type", "Metaspace"},
            {"replacement", "\xE2\x96\x81"},
            {"prepend_scheme", "always"},
            {"split", true}}},
          {"model", {{"type", "Unigram"}, {"unk_id", 0}, {"vocab", vocab}}}};
}

const auto Make = testing::TokenizerFrom;
const auto Encode = testing::EncodedIds;

TEST(HfTokenizerTest, WordPieceSplitsPunctuationAndTakesLongestPieces) {
  HfTokenizer bert = Make(BertTokenizerJson());
  // hello , c + + una ##ff ##able: "##ff" is longer than "##f", "una" longer than "un".
  EXPECT_EQ(Encode(bert, "Hello, C++ unaffable"), (Ids{4, 5, 6, 7, 7, 8, 9, 10}));
}

TEST(HfTokenizerTest, BertNormalizerCleansStripsAccentsAndPadsChineseChars) {
  HfTokenizer bert = Make(BertTokenizerJson());
  // Tab becomes a space, BEL is dropped, é loses its accent, 中 and 国 become words; 国 is unknown.
  EXPECT_EQ(Encode(bert, "Caf\xC3\xA9\tWORLD!\x07\xE4\xB8\xAD\xE5\x9B\xBD"),
            (Ids{15, 13, 14, 17, 1}));
}

TEST(HfTokenizerTest, WordPieceMakesAWordUnknownWhole) {
  HfTokenizer bert = Make(BertTokenizerJson());
  EXPECT_EQ(Encode(bert, "hello unx"), (Ids{4, 1}));        // "un" fits but "##x" does not
  EXPECT_EQ(Encode(bert, "unaffableunaffable"), (Ids{1}));  // 18 characters, over 12
  EXPECT_EQ(Encode(bert, ""), Ids{});
  EXPECT_EQ(Encode(bert, " \t\n"), Ids{});
}

TEST(HfTokenizerTest, AddedTokensInTheTextAreKept) {
  HfTokenizer bert = Make(BertTokenizerJson());
  EXPECT_EQ(Encode(bert, "Hello [MASK] world"), (Ids{4, 18, 13}));
  // Not normalized: "[mask]" is not the token, so it is split as text.
  EXPECT_EQ(Encode(bert, "[mask]"), (Ids{1, 1, 1}));
}

TEST(HfTokenizerTest, ByteLevelBpeMergesByRank) {
  HfTokenizer bpe = Make(ByteLevelBpeJson(false));
  // "Hi" | "Ġhi" | "Ġhih" + "Ã©": Ġ h merges first, then Ġh i, then Ã ©; "h i" is no merge.
  EXPECT_EQ(Encode(bpe, "Hi hi hih\xC3\xA9"), (Ids{4, 6, 6, 2, 10}));
  // A character the vocabulary lacks, with no unk_token, is dropped.
  EXPECT_EQ(Encode(bpe, "Hi!"), (Ids{4}));
}

TEST(HfTokenizerTest, ByteLevelAddPrefixSpaceSpellsTheFirstWordAfterASpace) {
  HfTokenizer bpe = Make(ByteLevelBpeJson(true));
  EXPECT_EQ(Encode(bpe, "Hi"), (Ids{3, 4}));  // Ġ H i: "Ġ H" is no merge, "H i" is
}

TEST(HfTokenizerTest, ByteLevelExpressionSplitsLikeGpt2) {
  const std::u32string text = hf::DecodeUtf8("Hello  world's 42!! ");
  std::vector<std::string> words;
  for (const hf::Span& span : hf::ByteLevelMatches(text)) {
    words.push_back(hf::EncodeUtf8(text.substr(span.begin, span.end - span.begin)));
  }
  // Of two spaces the last joins the next word; a trailing space stands alone.
  EXPECT_EQ(words, (std::vector<std::string>{"Hello", " ", " world", "'s", " 42", "!!", " "}));
}

TEST(HfTokenizerTest, UnigramFindsTheBestScoringSegmentation) {
  HfTokenizer unigram = Make(UnigramJson());
  // ▁a + b (-3.5) beats ▁ab (-5) and ▁ + a + b (-6).
  EXPECT_EQ(Encode(unigram, "ab"), (Ids{2, 3}));
  // ▁abc (-6) beats ▁a + b + c (-6.5) and ▁ab + c (-8).
  EXPECT_EQ(Encode(unigram, "abc"), (Ids{6}));
  // Metaspace splits before each ▁: "▁ab" and "▁c"; "▁c" is ▁ + c.
  EXPECT_EQ(Encode(unigram, "ab c"), (Ids{2, 3, 1, 7}));
  // NFKC folds full-width letters, then they are lowercased.
  EXPECT_EQ(Encode(unigram, "\xEF\xBC\xA1\xEF\xBC\xA2"), (Ids{2, 3}));
}

TEST(HfTokenizerTest, UnigramFusesUnknownCharactersIntoOneUnknownToken) {
  HfTokenizer unigram = Make(UnigramJson());
  EXPECT_EQ(Encode(unigram, "xy"), (Ids{1, 0}));
  EXPECT_EQ(Encode(unigram, "xay"), (Ids{1, 0, 5, 0}));
}

TEST(HfTokenizerTest, TruncationFromTheFileIsHonoured) {
  json spec = BertTokenizerJson();
  spec["truncation"] = {{"max_length", 3}, {"strategy", "LongestFirst"}, {"direction", "Right"}};
  EXPECT_EQ(Encode(Make(spec), "hello, c++"), (Ids{4, 5, 6}));
}

TEST(HfTokenizerTest, VocabularyHoldsTheModelsTokensAndTheAddedOnes) {
  HfTokenizer bert = Make(BertTokenizerJson());
  auto vocabulary = bert.Vocabulary();
  EXPECT_GE(vocabulary.size(), 19u);
  EXPECT_EQ(bert.unk_id(), 1);
}

void ExpectLoadError(const json& spec, const std::string& needle) {
  auto tokenizer = HfTokenizer::FromJson(spec.dump(), "/models/x/tokenizer.json");
  ASSERT_FALSE(tokenizer.ok());
  EXPECT_EQ(tokenizer.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(tokenizer.status().message().find("/models/x/tokenizer.json"), std::string::npos)
      << tokenizer.status().message();
  EXPECT_NE(tokenizer.status().message().find(needle), std::string::npos)
      << tokenizer.status().message();
}

TEST(HfTokenizerTest, UnsupportedComponentsAreLoadErrorsNamingThem) {
  json spec = BertTokenizerJson();
  spec["pre_tokenizer"] = {{"type", "UnicodeScripts"}};
  ExpectLoadError(spec, "pre_tokenizer type \"UnicodeScripts\" is not supported");
  spec = BertTokenizerJson();
  spec["normalizer"] = {{"type", "ByteLevel"}};
  ExpectLoadError(spec, "normalizer type \"ByteLevel\" is not supported");
  spec = BertTokenizerJson();
  spec["pre_tokenizer"] = {{"type", "Split"},
                           {"pattern", {{"Regex", "\\s+"}}},
                           {"behavior", "Removed"},
                           {"invert", false}};
  ExpectLoadError(spec, "Regex");
  spec = BertTokenizerJson();
  spec["model"]["type"] = "Mystery";
  ExpectLoadError(spec, "model type \"Mystery\" is not supported");
  json bpe = ByteLevelBpeJson(false);
  bpe["model"]["dropout"] = 0.1;
  ExpectLoadError(bpe, "dropout");
}

TEST(HfTokenizerTest, InconsistentFilesAreLoadErrors) {
  json spec = BertTokenizerJson();
  spec["model"]["unk_token"] = "<nope>";
  ExpectLoadError(spec, "<nope>");
  json bpe = ByteLevelBpeJson(false);
  bpe["model"]["merges"].push_back("x y");
  ExpectLoadError(bpe, "\"x\" is not in the vocab");
  spec = BertTokenizerJson();
  spec["model"]["max_input_chars_per_word"] = "many";  // a wrong JSON type
  ExpectLoadError(spec, "type");
  auto bad = HfTokenizer::FromJson("{not json", "/models/x/tokenizer.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("/models/x/tokenizer.json"), std::string::npos);
}

}  // namespace
}  // namespace lakehouse::embed
