// LHDV encoding and decoding, and the bitmap scans test rows against.
#include "query/deletion_vector.h"

#include "common/sha256.h"

namespace lakehouse::query {
namespace {

constexpr size_t kHeaderBytes = 4 + 8 + 8;
constexpr size_t kChecksumBytes = 64;

void PutU64(std::string& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((v >> shift) & 0xff));
}

uint64_t GetU64(std::string_view in) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(in[i]);
  return v;
}

void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

// Reads one varint at `*at`, advancing it; false past the end or past 64 bits.
bool GetVarint(std::string_view in, size_t* at, uint64_t* v) {
  *v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (*at >= in.size()) return false;
    uint8_t byte = static_cast<uint8_t>(in[(*at)++]);
    *v |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

Status Damaged(const std::string& why) {
  return Status::Unprocessable("deletion vector damaged: " + why);
}

}  // namespace

Result<std::string> EncodeDeletionVector(const DeletionVector& vector) {
  std::string out(kDeletionVectorMagic);
  PutU64(out, vector.file_rows);
  PutU64(out, vector.positions.size());
  uint64_t next = 0;  // the smallest position the next one may take
  for (uint64_t position : vector.positions) {
    PutVarint(out, position - next);
    next = position + 1;
  }
  LH_ASSIGN_OR_RETURN(std::string sum, Sha256Hex(out));
  return out + sum;
}

Result<DeletionVector> DecodeDeletionVector(std::string_view bytes) {
  if (bytes.size() < kHeaderBytes + kChecksumBytes) return Damaged("truncated");
  if (bytes.substr(0, 4) != kDeletionVectorMagic) return Damaged("wrong magic");
  std::string_view body = bytes.substr(0, bytes.size() - kChecksumBytes);
  LH_ASSIGN_OR_RETURN(std::string sum, Sha256Hex(body));
  if (sum != bytes.substr(body.size())) return Damaged("checksum mismatch");
  DeletionVector vector;
  vector.file_rows = GetU64(body.substr(4));
  const uint64_t n = GetU64(body.substr(12));
  // Every position takes at least one byte: a count past that is damage,
  // refused before anything is allocated for it.
  if (n > body.size() - kHeaderBytes || n > vector.file_rows) return Damaged("bad count");
  vector.positions.reserve(n);
  size_t at = kHeaderBytes;
  uint64_t next = 0;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t gap = 0;
    if (!GetVarint(body, &at, &gap)) return Damaged("truncated position");
    if (gap >= vector.file_rows - next) return Damaged("position past the file's rows");
    vector.positions.push_back(next + gap);
    next += gap + 1;
  }
  if (at != body.size()) return Damaged("bytes after the last position");
  return vector;
}

std::vector<uint64_t> DeletedRows::Positions() const {
  std::vector<uint64_t> positions;
  positions.reserve(count_);
  for (size_t w = 0; w < words_.size(); ++w) {
    for (uint64_t word = words_[w]; word != 0; word &= word - 1) {
      positions.push_back(w * 64 + static_cast<uint64_t>(__builtin_ctzll(word)));
    }
  }
  return positions;
}

Status DeletedRows::Add(const DeletionVector& vector) {
  for (uint64_t position : vector.positions) {
    if (position >= file_rows_) {
      return Status::Unprocessable("deletion vector names row " + std::to_string(position) +
                                   " of a file with fewer rows");
    }
    uint64_t& word = words_[position >> 6];
    const uint64_t bit = uint64_t{1} << (position & 63);
    if (word & bit) {
      return Status::Unprocessable("row " + std::to_string(position) + " is deleted twice");
    }
    word |= bit;
    ++count_;
  }
  return Status::Ok();
}

}  // namespace lakehouse::query
