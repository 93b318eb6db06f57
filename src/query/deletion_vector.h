// LHDV: the rows of one data file that a dataset version removed, by
// position (0-based, in the file's row order), stored as one small object
// beside the data file. Layout:
//
//   4 bytes   magic "LHDV"
//   8 bytes   rows of the data file it applies to, uint64 big-endian
//   8 bytes   n, the positions it holds, uint64 big-endian
//   ...       the positions ascending, as LEB128 varints of the gap to the
//             one before (the first: its position)
//   64 bytes  SHA-256 (hex) of every byte before it
//
// A version lists every deletion vector of each of its files (catalog.h,
// DeleteFile); a later change adds another rather than rewriting one, so a
// small change writes a small object. Vectors of one file never share a
// position. The checksum covers the whole object: a torn or damaged one is
// refused whole.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace lakehouse::query {

inline constexpr std::string_view kDeletionVectorMagic = "LHDV";

struct DeletionVector {
  uint64_t file_rows = 0;
  std::vector<uint64_t> positions;  // ascending, distinct, each < file_rows
};

// `vector.positions` must be ascending, distinct and below file_rows. Fails
// only when the checksum cannot be computed.
Result<std::string> EncodeDeletionVector(const DeletionVector& vector);

// kUnprocessable saying what is wrong: wrong magic, truncation, a checksum
// mismatch, positions out of order or past the file's rows.
Result<DeletionVector> DecodeDeletionVector(std::string_view bytes);

// The deleted rows of one data file as a bitmap: what a scan tests per row.
class DeletedRows {
 public:
  DeletedRows() = default;
  explicit DeletedRows(uint64_t file_rows)
      : file_rows_(file_rows), words_((file_rows + 63) / 64, 0) {}

  // Adds a vector's positions; kUnprocessable if one is already deleted or
  // past the file (the vector belongs to another file, or is damaged).
  Status Add(const DeletionVector& vector);
  bool contains(uint64_t row) const {
    return (row >> 6) < words_.size() && ((words_[row >> 6] >> (row & 63)) & 1) != 0;
  }
  uint64_t count() const { return count_; }
  // The deleted rows, ascending.
  std::vector<uint64_t> Positions() const;

 private:
  uint64_t file_rows_ = 0;
  std::vector<uint64_t> words_;
  uint64_t count_ = 0;
};

}  // namespace lakehouse::query
