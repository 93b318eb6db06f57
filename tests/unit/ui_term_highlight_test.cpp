// HighlightTerms: which words of a shown value a search's terms mark.
#include "web/term_highlight.h"

#include <gtest/gtest.h>

namespace lakehouse::web {
namespace {

using Pieces = std::vector<TextPiece>;

TEST(TermHighlightTest, MarksWholeWordsAStemStartsCaseInsensitively) {
  EXPECT_EQ(
      HighlightTerms("Senior Engineers, engineering", {"engin"}),
      (Pieces{{"Senior ", false}, {"Engineers", true}, {", ", false}, {"engineering", true}}));
}

TEST(TermHighlightTest, OnlyAtAWordStart) {
  EXPECT_EQ(HighlightTerms("reengineer", {"engin"}), (Pieces{{"reengineer", false}}));
}

TEST(TermHighlightTest, TermsWithSymbolsRunPastTheWord) {
  EXPECT_EQ(HighlightTerms("C++ and node.js", {"c++", "node.js"}),
            (Pieces{{"C++", true}, {" and ", false}, {"node.js", true}}));
}

TEST(TermHighlightTest, MarkupIsJustText) {
  EXPECT_EQ(HighlightTerms("<b>python</b>", {"python", "b"}), (Pieces{{"<", false},
                                                                      {"b", true},
                                                                      {">", false},
                                                                      {"python", true},
                                                                      {"</", false},
                                                                      {"b", true},
                                                                      {">", false}}));
}

TEST(TermHighlightTest, NoTermsOrEmptyValue) {
  EXPECT_EQ(HighlightTerms("plain text", {}), (Pieces{{"plain text", false}}));
  EXPECT_EQ(HighlightTerms("plain text", {""}), (Pieces{{"plain text", false}}));
  EXPECT_TRUE(HighlightTerms("", {"x"}).empty());
}

}  // namespace
}  // namespace lakehouse::web
