// The text tokenizer's rules: symbol terms, hyphen parts, Unicode folding, stemming, bad UTF-8.
#include "text/tokenizer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace lakehouse::text {
namespace {

using Terms = std::vector<std::string>;

Terms Plain(std::string_view text) { return Tokenize(text, Stemming::kNone); }

TEST(TokenizerTest, KeepsStaffingTermsWithSymbolsAsWritten) {
  EXPECT_EQ(Plain("C++, C#, F# and .NET; Node.js; 401k"),
            (Terms{"c++", "c#", "f#", "and", ".net", "node.js", "401k"}));
}

TEST(TokenizerTest, EmitsAHyphenatedTermWholeAndThenItsParts) {
  EXPECT_EQ(Plain("CDL-A"), (Terms{"cdl-a", "cdl", "a"}));
  EXPECT_EQ(Plain("MS-SQL dba"), (Terms{"ms-sql", "ms", "sql", "dba"}));
  EXPECT_EQ(Plain("asp.net-core"), (Terms{"asp.net-core", "asp.net", "core"}));
}

TEST(TokenizerTest, SeparatesAtSpacesAndPunctuation) {
  EXPECT_EQ(Plain("Series 7"), (Terms{"series", "7"}));
  EXPECT_EQ(Plain("rn/lpn (icu)"), (Terms{"rn", "lpn", "icu"}));
  EXPECT_EQ(Plain("3.5 years"), (Terms{"3.5", "years"}));
}

TEST(TokenizerTest, SymbolsCountOnlyWhereTheRuleAllows) {
  // A trailing dot ends a sentence; a dot or hyphen at a term's edge is not kept.
  EXPECT_EQ(Plain("knows node.js."), (Terms{"knows", "node.js"}));
  EXPECT_EQ(Plain("-java- x.net"), (Terms{"java", "x.net"}));
  // "+" between letters is arithmetic; after a digit no symbol is kept.
  EXPECT_EQ(Plain("a+b 7+ c+++"), (Terms{"a", "b", "7", "c++"}));
  EXPECT_EQ(Plain("e.g. .net"), (Terms{"e.g", ".net"}));
}

TEST(TokenizerTest, FoldsCaseAccentsAndCompatibilityForms) {
  EXPECT_EQ(Plain("José ÉCOLE"), (Terms{"jose", "ecole"}));
  EXPECT_EQ(Plain("Straße ﬁle ＡＢＣ"), (Terms{"strasse", "file", "abc"}));
  // A soft hyphen inside a word joins it; a Unicode hyphen is a hyphen.
  EXPECT_EQ(Plain("engi\u00ADneer cdl\u2010a"), (Terms{"engineer", "cdl-a", "cdl", "a"}));
}

TEST(TokenizerTest, EnglishStemmingStemsPlainTermsOnly) {
  // A word the stemmer changes also gives its exact form, marked; one it
  // leaves alone ("data") gives itself once.
  EXPECT_EQ(Tokenize("engineers engineering data", Stemming::kEnglish),
            (Terms{"engin", "=engineers", "engin", "=engineering", "data"}));
  EXPECT_EQ(Tokenize("engineers engineering", Stemming::kNone),
            (Terms{"engineers", "engineering"}));
  EXPECT_EQ(Tokenize("running C++ .NET cdl-a", Stemming::kEnglish),
            (Terms{"run", "=running", "c++", ".net", "cdl-a", "cdl", "a"}));
  // Hyphen parts are words too; the whole, holding a symbol, is not stemmed.
  EXPECT_EQ(Tokenize("nurses-aides", Stemming::kEnglish),
            (Terms{"nurses-aides", "nurs", "=nurses", "aid", "=aides"}));
  Terms exact;
  for (const auto& term : Tokenize("Engineers ENGINEERING c++", Stemming::kEnglish)) {
    if (IsExactForm(term)) exact.push_back(term);
  }
  EXPECT_EQ(exact, (Terms{"=engineers", "=engineering"}));
  EXPECT_FALSE(IsExactForm(""));
}

TEST(TokenizerTest, InvalidUtf8BecomesASeparator) {
  EXPECT_EQ(Plain("abc\xff"
                  "def"),
            (Terms{"abc", "def"}));
  EXPECT_EQ(Plain("caf\xc3"), (Terms{"caf"}));
  EXPECT_EQ(Plain("ab\xed\xa0\x80"
                  "cd"),
            (Terms{"ab", "cd"}));  // an encoded surrogate
  EXPECT_EQ(Plain(std::string("a\0b", 3)), (Terms{"a", "b"}));
}

TEST(TokenizerTest, DropsTermsLongerThanTheLimit) {
  const std::string longest(kMaxTermBytes, 'x');
  EXPECT_EQ(Plain(longest), (Terms{longest}));
  EXPECT_EQ(Plain(longest + "x ok"), (Terms{"ok"}));
}

TEST(TokenizerTest, EmptyOrPunctuationOnlyTextHasNoTerms) {
  EXPECT_TRUE(Plain("").empty());
  EXPECT_TRUE(Plain(" ... -- ++ # ").empty());
}

TEST(TokenizerTest, StemmingNamesParseAndPrint) {
  EXPECT_EQ(ParseStemming("english").value(), Stemming::kEnglish);
  EXPECT_EQ(ParseStemming("none").value(), Stemming::kNone);
  EXPECT_EQ(StemmingName(Stemming::kEnglish), "english");
  EXPECT_EQ(ParseStemming("porter").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace lakehouse::text
