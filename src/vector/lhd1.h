// LHD1: one committed write to a vector index, stored as one delta object
// after the index's LHV1 base (README, Vectors/Persistence). Layout:
//
//   4 bytes   magic "LHD1"
//   4 bytes   header length h, uint32 big-endian
//   8 bytes   vector bytes v, uint64 big-endian
//   h bytes   header: JSON {format_version, index, seq, dim, changes:
//             [{upserts: [{id, metadata, text?}], removals: [id], source?}]}
//   v bytes   the upserts' vectors in order, float32 little-endian, dim each
//   64 bytes  SHA-256 (hex) of every byte before it
//
// A delta holds items and removed ids, never graph bytes: replaying it goes
// through the same Add/Remove as the live write did. The checksum covers the
// whole object, so a torn or damaged delta is refused whole, never applied
// in part.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "vector/index.h"

namespace lakehouse::vector::lhd1 {

inline constexpr std::string_view kMagic = "LHD1";
// 2 adds upserts' texts; a delta without any is still written as 1.
inline constexpr int kFormatVersion = 2;
inline constexpr std::string_view kSuffix = ".lhd1";

// One write as the caller made it: upserts first, then removals, then the
// dataset origin it records (a dataset index refresh).
struct Change {
  std::vector<Item> upserts;
  std::vector<std::string> removals;
  std::optional<DatasetSource> source;
};

struct Delta {
  std::string index;  // the index's name, checked at load
  uint64_t seq = 0;   // 1 for the first delta after a base at seq 0
  uint32_t dim = 0;
  std::vector<Change> changes;  // applied in order
};

// Every upsert's vector must have `dim` components (the index checked them).
// Fails only when the checksum cannot be computed.
Result<std::string> Encode(const Delta& delta);

// Parses a whole LHD1 object. Wrong magic, lengths past the end, a checksum
// mismatch, bad JSON or a vector count that does not match: kUnprocessable
// saying which. Nothing is returned from a damaged object.
Result<Delta> Decode(std::string_view bytes);

// `_vectors/<index>/d/<seq, 20 digits>.lhd1`: keys sort in seq order.
std::string DeltaKey(std::string_view index, uint64_t seq);
// The folder holding an index's deltas: `_vectors/<index>/`.
std::string DeltaPrefix(std::string_view index);
// The seq of a key DeltaKey made for `index`; nullopt for any other key.
std::optional<uint64_t> ParseDeltaKey(std::string_view index, std::string_view key);

}  // namespace lakehouse::vector::lhd1
