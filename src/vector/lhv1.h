// LHV1: the one-object persistence format of a vector index (docs/design.md,
// Vector indexes). Layout:
//
//   4 bytes   magic "LHV1"
//   4 bytes   envelope length n, uint32 big-endian
//   n bytes   envelope: JSON {format_version, engine, params, next_label, seq,
//             items: [{id, label, norm, metadata}], graph: {bytes, sha256},
//             and for a dataset text index source: {dataset, version,
//             id_column, text_column, metadata_columns} and embedder_state
//             (base64 of what its embedder learned); for an index with
//             a full-text part, params.full_text {k1, b, stemmer} and
//             full_text: {bytes}}
//   g bytes   graph bytes: hnswlib 0.8's own serialisation
//   rest      the full-text part as LHT1 (text/bm25_format.h), which
//             carries its own checksum; absent without a full-text part
//
// Everything an index is at change `seq` lives in one object (the base), so
// a save is one put and no state exists in which the parameters and the
// graph disagree. Later changes are LHD1 deltas (lhd1.h). An object without
// `seq` (written before deltas existed) is a base at seq 0.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "vector/index.h"

namespace lakehouse::vector::lhv1 {

inline constexpr std::string_view kMagic = "LHV1";
// 2 adds the full-text part; an index without one is still written as 1.
inline constexpr int kFormatVersion = 2;
// An envelope beyond this is damage, not an index: ids and metadata of even
// millions of items fit well below it.
inline constexpr uint32_t kMaxEnvelopeBytes = 1u << 30;

// The magic, length and envelope: what precedes image.graph in the object.
// Fails only when the graph's checksum cannot be computed.
Result<std::string> EncodePrefix(const IndexImage& image);

// Parses a whole LHV1 object. Wrong magic, a length past the end or over
// kMaxEnvelopeBytes, bad or incomplete JSON, a graph whose length or sha256
// does not match: kUnprocessable saying which. Checks the format only; the
// graph itself is checked by Index::Restore.
Result<IndexImage> Decode(std::string bytes);

// A dataset text index's origin as stored in LHV1 and LHD1; the decoder's
// error says which field is wrong.
nlohmann::json EncodeSource(const DatasetSource& source);
Result<DatasetSource> DecodeSource(const nlohmann::json& source);

}  // namespace lakehouse::vector::lhv1
