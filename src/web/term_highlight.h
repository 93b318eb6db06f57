// Where a search's matched terms occur in a value the UI shows, so the page
// can wrap them in <mark>: the value cut into pieces, each marked or not.
//
// A term is found case-insensitively (ASCII letters) at the start of a word,
// and marks that whole word. The terms are stemmed ("engineers" is indexed
// as "engin"), so a term is a prefix of the words it came from; a prefix
// match at a word start finds them, and sometimes a word the term did not
// come from ("data" in "database"), which is fine for a highlight.
//
// The pieces are plain text: the template escapes each one.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lakehouse::web {

struct TextPiece {
  std::string text;
  bool marked = false;
  bool operator==(const TextPiece&) const = default;
};

// `value` in order, adjacent pieces never both unmarked; empty terms are
// ignored. No terms: one unmarked piece (none for an empty value).
std::vector<TextPiece> HighlightTerms(std::string_view value,
                                      const std::vector<std::string>& terms);

}  // namespace lakehouse::web
