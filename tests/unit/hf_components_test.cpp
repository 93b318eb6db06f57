// The Hugging Face tokenizer's normalizers, pre-tokenizers and model options one at a time,
// against results worked out by hand from the tokenizers library's rules.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "embed/hf_normalizers.h"
#include "embed/hf_pre_tokenizers.h"
#include "embed/hf_tokenizer.h"
#include "embed/hf_unicode.h"
#include "testing/tokenizer_json.h"

namespace lakehouse::embed {
namespace {

using nlohmann::json;
using Ids = std::vector<int32_t>;
using Words = std::vector<std::string>;

std::string Normalized(const json& spec, const std::string& text) {
  auto normalizer = hf::MakeNormalizer(spec);
  EXPECT_TRUE(normalizer.ok()) << normalizer.status().ToString();
  if (!normalizer.ok()) return {};
  return hf::EncodeUtf8((*normalizer)(hf::DecodeUtf8(text)));
}

Words PreTokenized(const json& spec, const std::string& text, bool at_text_start = true) {
  auto pre_tokenizer = hf::MakePreTokenizer(spec);
  EXPECT_TRUE(pre_tokenizer.ok()) << pre_tokenizer.status().ToString();
  if (!pre_tokenizer.ok()) return {};
  Words out;
  for (const std::u32string& word : (*pre_tokenizer)({hf::DecodeUtf8(text)}, at_text_start)) {
    out.push_back(hf::EncodeUtf8(word));
  }
  return out;
}

TEST(HfNormalizerTest, CaseAndNormalForms) {
  EXPECT_EQ(Normalized({{"type", "Lowercase"}},
                       "\xC3\x80"
                       "B"),
            "\xC3\xA0"
            "b");  // ÀB -> àb
  json strip = {{"type", "Sequence"},
                {"normalizers", json::array({{{"type", "NFD"}}, {{"type", "StripAccents"}}})}};
  EXPECT_EQ(Normalized(strip, "Caf\xC3\xA9"), "Cafe");
  EXPECT_EQ(Normalized({{"type", "NFC"}}, "e\xCC\x81"), "\xC3\xA9");  // e + combining acute
  EXPECT_EQ(Normalized({{"type", "NFKD"}}, "\xEF\xAC\x81"), "fi");    // the ﬁ ligature
  // Precompiled is applied as NFKC: full-width letters fold to ASCII.
  EXPECT_EQ(Normalized({{"type", "Precompiled"}, {"precompiled_charsmap", "AAAA"}},
                       "\xEF\xBD\x88\xEF\xBD\x89"),
            "hi");
  json keep_accents = {{"type", "BertNormalizer"}, {"strip_accents", false}, {"lowercase", true}};
  EXPECT_EQ(Normalized(keep_accents, "CAF\xC3\x89"), "caf\xC3\xA9");
}

TEST(HfNormalizerTest, StripReplaceAndPrepend) {
  EXPECT_EQ(
      Normalized({{"type", "Strip"}, {"strip_left", true}, {"strip_right", true}}, "  a b \t"),
      "a b");
  EXPECT_EQ(
      Normalized({{"type", "Strip"}, {"strip_left", true}, {"strip_right", false}}, "  a b \t"),
      "a b \t");
  json replace = {{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", "\xE2\x96\x81"}};
  EXPECT_EQ(Normalized(replace, "a b c"),
            "a\xE2\x96\x81"
            "b\xE2\x96\x81"
            "c");
  json prepend = {{"type", "Prepend"}, {"prepend", "\xE2\x96\x81"}};
  EXPECT_EQ(Normalized(prepend, "ab"),
            "\xE2\x96\x81"
            "ab");
  EXPECT_EQ(Normalized(prepend, ""), "");  // nothing to prepend to
}

TEST(HfPreTokenizerTest, WhitespaceKeepsWordsAndSymbolRuns) {
  EXPECT_EQ(PreTokenized({{"type", "Whitespace"}}, "Hello, world!! x_y 3.5"),
            (Words{"Hello", ",", "world", "!!", "x_y", "3", ".", "5"}));
  EXPECT_EQ(PreTokenized({{"type", "WhitespaceSplit"}}, "a  b\tc,"), (Words{"a", "b", "c,"}));
}

TEST(HfPreTokenizerTest, PunctuationAndDigitsBehaviours) {
  EXPECT_EQ(PreTokenized({{"type", "Punctuation"}}, "a,b!!"), (Words{"a", ",", "b", "!", "!"}));
  EXPECT_EQ(PreTokenized({{"type", "Punctuation"}, {"behavior", "Contiguous"}}, "a,b!!"),
            (Words{"a", ",", "b", "!!"}));
  EXPECT_EQ(PreTokenized({{"type", "Digits"}, {"individual_digits", false}}, "abc123d45"),
            (Words{"abc", "123", "d", "45"}));
  EXPECT_EQ(PreTokenized({{"type", "Digits"}, {"individual_digits", true}}, "ab12"),
            (Words{"ab", "1", "2"}));
}

TEST(HfPreTokenizerTest, SplitOnAStringWithEachBehaviour) {
  auto split = [](const std::string& behavior, bool invert = false) {
    return PreTokenized({{"type", "Split"},
                         {"pattern", {{"String", "-"}}},
                         {"behavior", behavior},
                         {"invert", invert}},
                        "a-b--c");
  };
  EXPECT_EQ(split("Removed"), (Words{"a", "b", "c"}));
  EXPECT_EQ(split("Isolated"), (Words{"a", "-", "b", "-", "-", "c"}));
  EXPECT_EQ(split("MergedWithPrevious"), (Words{"a-", "b-", "-", "c"}));
  EXPECT_EQ(split("MergedWithNext"), (Words{"a", "-b", "-", "-c"}));
  EXPECT_EQ(split("Contiguous"), (Words{"a", "-", "b", "--", "c"}));
  EXPECT_EQ(split("Removed", true), (Words{"-", "-", "-"}));  // the letters are the delimiters
  EXPECT_EQ(PreTokenized({{"type", "CharDelimiterSplit"}, {"delimiter", "x"}}, "axbxxc"),
            (Words{"a", "b", "c"}));
}

TEST(HfPreTokenizerTest, MetaspacePrependSchemes) {
  const std::string m = "\xE2\x96\x81";  // ▁
  auto metaspace = [&](const std::string& scheme, bool split = true) {
    return json{
        {"type", "Metaspace"}, {"replacement", m}, {"prepend_scheme", scheme}, {"split", split}};
  };
  EXPECT_EQ(PreTokenized(metaspace("always"), "a b"), (Words{m + "a", m + "b"}));
  EXPECT_EQ(PreTokenized(metaspace("first"), "a b", true), (Words{m + "a", m + "b"}));
  EXPECT_EQ(PreTokenized(metaspace("first"), "a b", false), (Words{"a", m + "b"}));
  EXPECT_EQ(PreTokenized(metaspace("never"), "a b"), (Words{"a", m + "b"}));
  EXPECT_EQ(PreTokenized(metaspace("always", false), "a b"), (Words{m + "a" + m + "b"}));
  json legacy = {{"type", "Metaspace"}, {"replacement", m}, {"add_prefix_space", false}};
  EXPECT_EQ(PreTokenized(legacy, "a b"), (Words{"a", m + "b"}));
}

TEST(HfPreTokenizerTest, SequenceAndByteLevelWithoutRegex) {
  json sequence = {
      {"type", "Sequence"},
      {"pretokenizers", json::array({{{"type", "WhitespaceSplit"}},
                                     {{"type", "Digits"}, {"individual_digits", true}}})}};
  EXPECT_EQ(PreTokenized(sequence, "ab12 c3"), (Words{"ab", "1", "2", "c", "3"}));
  json bytes = {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", false}};
  EXPECT_EQ(PreTokenized(bytes, "a b\n"), (Words{"a\xC4\xA0"
                                                 "b\xC4\x8A"}));  // Ġ for space, Ċ for \n
}

HfTokenizer Make(const json& model, const json& pre_tokenizer = nullptr) {
  return testing::TokenizerFrom({{"model", model}, {"pre_tokenizer", pre_tokenizer}});
}

const auto Encode = testing::EncodedIds;

TEST(HfModelTest, BpeWithSubwordPrefixAndEndOfWordSuffix) {
  json model = {
      {"type", "BPE"},
      {"continuing_subword_prefix", "##"},
      {"end_of_word_suffix", "</w>"},
      {"vocab", {{"a", 0}, {"##b", 1}, {"##c</w>", 2}, {"ab", 3}, {"abc</w>", 4}, {"##b</w>", 5}}},
      {"merges", {"a ##b", "ab ##c</w>"}}};
  HfTokenizer bpe = Make(model, {{"type", "WhitespaceSplit"}});
  EXPECT_EQ(Encode(bpe, "abc ab"), (Ids{4, 0, 5}));  // "a ##b</w>" is no merge
}

TEST(HfModelTest, BpeUnknownsFuseOrNotAndFallBackToBytes) {
  json model = {{"type", "BPE"},
                {"unk_token", "<unk>"},
                {"fuse_unk", true},
                {"vocab", {{"<unk>", 0}, {"a", 1}, {"b", 2}, {"ab", 3}, {"<0x3F>", 4}}},
                {"merges", {"a b"}}};
  EXPECT_EQ(Encode(Make(model), "a??b"), (Ids{1, 0, 2}));
  EXPECT_EQ(Encode(Make(model), "ab"), (Ids{3}));
  model["fuse_unk"] = false;
  EXPECT_EQ(Encode(Make(model), "a??b"), (Ids{1, 0, 0, 2}));
  model["byte_fallback"] = true;  // "?" is byte 0x3F
  EXPECT_EQ(Encode(Make(model), "a?%b"), (Ids{1, 4, 0, 2}));
}

TEST(HfModelTest, WordLevelLooksWordsUp) {
  json model = {
      {"type", "WordLevel"}, {"unk_token", "<unk>"}, {"vocab", {{"<unk>", 0}, {"hi", 1}}}};
  EXPECT_EQ(Encode(Make(model, {{"type", "Whitespace"}}), "hi there hi"), (Ids{1, 0, 1}));
}

TEST(HfModelTest, NormalizedAddedTokensAreFoundAfterNormalizing) {
  json spec = {
      {"normalizer", {{"type", "Lowercase"}}},
      {"pre_tokenizer", {{"type", "WhitespaceSplit"}}},
      {"added_tokens", json::array({{{"id", 2}, {"content", "<X>"}, {"normalized", true}},
                                    {{"id", 3},
                                     {"content", "<y>"},
                                     {"normalized", false},
                                     {"lstrip", true},
                                     {"rstrip", true}}})},
      {"model",
       {{"type", "WordLevel"}, {"unk_token", "<unk>"}, {"vocab", {{"<unk>", 0}, {"a", 1}}}}}};
  auto tokenizer = HfTokenizer::FromJson(spec.dump(), "tokenizer.json");
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status().ToString();
  // The content "<X>" is normalised to "<x>" and found in the normalised text.
  EXPECT_EQ(Encode(*tokenizer, "A<X>a"), (Ids{1, 2, 1}));
  EXPECT_EQ(Encode(*tokenizer, "a<x>a"), (Ids{1, 2, 1}));
  EXPECT_EQ(Encode(*tokenizer, "a <y> a"), (Ids{1, 3, 1}));
  EXPECT_EQ(Encode(*tokenizer, "a<Y>"), (Ids{0}));  // raw-text match is exact: "a<y>" is one word
}

}  // namespace
}  // namespace lakehouse::embed
