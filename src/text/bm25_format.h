// LHT1: a whole BM25 index as one object (docs/design.md, Stored formats).
// Layout, integers big-endian:
//
//   4 bytes   magic "LHT1"
//   4 bytes   format version, uint32 (2; 1 is read)
//   8 bytes   k1, the bits of an IEEE-754 binary64, uint64
//   8 bytes   b, likewise
//   1 byte    stemming: 0 none, 1 english
//   8 bytes   document count n, uint64
//   n times, ids ascending:
//     4 bytes   id length, uint32; the id's bytes
//     4 bytes   distinct term count m, uint32
//     m times, terms ascending:
//       4 bytes   term length, uint32; the term's bytes
//       4 bytes   the term's count in the document, uint32
//   64 bytes  SHA-256 (hex) of every byte before it
//
// Only documents and their term counts are stored; postings, document
// frequencies and lengths are rebuilt from them at load, so no two stored
// facts can disagree. The same index always encodes to the same bytes.
// Terms are stored as the tokenizer made them, so changing its rules means
// a new version. Version 2 added the exact forms of stemmed words
// (text/tokenizer.h, rule 5). A version 1 image still loads: its documents
// hold stems alone, score by them as they did, and gain exact forms when
// re-added (a dataset index's rebuild re-adds every row).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "text/bm25_index.h"

namespace lakehouse::text::lht1 {

inline constexpr std::string_view kMagic = "LHT1";
inline constexpr uint32_t kFormatVersion = 2;
inline constexpr uint32_t kOldestFormatVersion = 1;

// A consistent image of `index` (taken under its readers' lock). Fails only
// when the checksum cannot be computed (kInternal).
Result<std::string> Encode(const Bm25Index& index);

// Rebuilds an index from a whole LHT1 object. A short, truncated or damaged
// object, a wrong magic, an unknown version or stemming, parameters out of
// range, or a body that does not parse: kUnprocessable saying which.
// Nothing is returned from a damaged object.
Result<std::unique_ptr<Bm25Index>> Decode(std::string_view bytes);

}  // namespace lakehouse::text::lht1
