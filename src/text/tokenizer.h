// text::Tokenize — turns text into the terms a BM25 index counts: Unicode
// normalised, case folded, accents stripped, optionally stemmed.
//
// Rules, in order:
//  1. Bytes that are not valid UTF-8 (and encoded surrogates) become U+FFFD,
//     which separates terms: input is never refused, and a document with one
//     damaged byte still indexes everything around it.
//  2. NFKC with case folding and marks stripped (utf8proc: COMPAT, COMPOSE,
//     CASEFOLD, STRIPMARK), default-ignorable characters removed (a soft
//     hyphen inside a word joins it), and look-alike punctuation lumped to
//     ASCII (a Unicode hyphen is `-`). "José" -> "jose", "ÉCOLE" -> "ecole".
//  3. A term starts at a letter or digit, or at a `.` directly followed by a
//     letter when no letter or digit precedes it (`.net`). It runs over
//     letters, digits and marks; a `-` or `.` between two letters or digits
//     stays inside it (`ms-sql`, `node.js`, `3.5`). Up to two `+`, or one
//     `#`, directly after a letter end it and stay in it (`c++`, `c#`, `f#`).
//     Everything else separates terms, so "series 7" is `series` and `7`.
//  4. A term holding a `-` is emitted whole and then as each of its
//     hyphen-separated parts: `cdl-a` gives `cdl-a`, `cdl`, `a`. So a query
//     "cdl a" finds a document saying "cdl-a", and the other way round.
//     Dotted terms are not split: `node.js` is a name, not two words.
//  5. With English stemming, terms made of letters and digits only are
//     stemmed (Snowball "english": "engineers", "engineering" -> "engin");
//     a term holding a symbol (`c++`, `.net`, `cdl-a`) is never stemmed.
//     A term the stemmer changes is emitted as its stem and then as its
//     exact form, marked: "engineers" gives `engin`, `=engineers`. The stem
//     lets "engineer" find "engineering"; the exact form ranks the posting
//     that says what the query says above one that only shares the stem
//     (Bm25Index weighs exact forms, see there). The mark cannot begin a
//     term of rule 3, so the two kinds never meet.
//  6. Terms longer than kMaxTermBytes are dropped: such runs are hashes,
//     base64 or URLs, which nobody searches for by keyword.
//
// No stopwords are removed: BM25's idf already weighs common words down, and
// short staffing words ("it", "us", "ap", "or" as in operating room) are the
// ones a stopword list would take away.
//
// Thread-safe: each thread keeps its own stemmer.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace lakehouse::text {

enum class Stemming { kNone, kEnglish };

// "none" or "english", the words a configuration and a stored image use.
std::string_view StemmingName(Stemming stemming);
// kInvalidArgument for any other word.
Result<Stemming> ParseStemming(std::string_view name);

inline constexpr size_t kMaxTermBytes = 64;  // of a word, before any mark

// Begins a stemmed word's exact form (rule 5).
inline constexpr char kExactFormMark = '=';
inline bool IsExactForm(std::string_view term) {
  return !term.empty() && term[0] == kExactFormMark;
}

// The byte offset of the first sequence in `text` that is not valid UTF-8
// (surrogates included); nullopt when it is all valid.
std::optional<size_t> InvalidUtf8At(std::string_view text);

// The terms of `text`, in order of appearance, repeats kept (a term's count
// is its term frequency). Throws only std::bad_alloc.
std::vector<std::string> Tokenize(std::string_view text, Stemming stemming);

}  // namespace lakehouse::text
