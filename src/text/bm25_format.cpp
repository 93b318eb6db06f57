// LHT1 images of a BM25 index: framing, checksum and a bounds-checked reader.
#include "text/bm25_format.h"

#include <bit>
#include <cstdint>
#include <optional>

#include "common/sha256.h"

namespace lakehouse::text::lht1 {
namespace {

constexpr size_t kHeadBytes = 4 + 4 + 8 + 8 + 1 + 8;
constexpr size_t kSumBytes = 64;

Status Bad(const std::string& why) { return Status::Unprocessable("LHT1: " + why); }

void Put(std::string& out, uint64_t value, int bytes) {
  for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((value >> shift) & 0xff));
  }
}

void PutString(std::string& out, std::string_view s) {
  Put(out, s.size(), 4);
  out += s;
}

// Reads the body front to back; every read says whether the bytes were there.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}

  std::optional<uint64_t> Number(int bytes) {
    if (bytes_.size() - at_ < static_cast<size_t>(bytes)) return std::nullopt;
    uint64_t value = 0;
    for (int i = 0; i < bytes; ++i) {
      value = (value << 8) | static_cast<unsigned char>(bytes_[at_ + static_cast<size_t>(i)]);
    }
    at_ += static_cast<size_t>(bytes);
    return value;
  }

  std::optional<std::string> String() {
    auto length = Number(4);
    if (!length || bytes_.size() - at_ < *length) return std::nullopt;
    std::string out(bytes_.substr(at_, *length));
    at_ += *length;
    return out;
  }

  size_t left() const { return bytes_.size() - at_; }

 private:
  std::string_view bytes_;
  size_t at_ = 0;
};

Result<Bm25Params> ParamsOf(Reader& in) {
  auto version = in.Number(4);
  auto k1 = in.Number(8);
  auto b = in.Number(8);
  auto stemming = in.Number(1);
  if (!version || !k1 || !b || !stemming) return Bad("header cut short");
  if (*version < kOldestFormatVersion || *version > kFormatVersion) {
    return Bad("format version " + std::to_string(*version) + " is not supported");
  }
  if (*stemming > 1) return Bad("unknown stemming " + std::to_string(*stemming));
  Bm25Params params{std::bit_cast<double>(*k1), std::bit_cast<double>(*b),
                    *stemming == 1 ? Stemming::kEnglish : Stemming::kNone};
  if (Status valid = ValidateParams(params); !valid.ok()) return Bad(valid.message());
  return params;
}

Result<AnalyzedDoc> DocOf(Reader& in, uint64_t position) {
  const std::string where = "document " + std::to_string(position);
  AnalyzedDoc doc;
  auto id = in.String();
  auto terms = in.Number(4);
  if (!id || !terms) return Bad(where + " cut short");
  doc.id = std::move(*id);
  // Each term takes at least 9 bytes, which bounds what a damaged count can reserve.
  if (*terms > in.left() / 9) return Bad(where + " claims more terms than the object holds");
  doc.terms.reserve(*terms);
  for (uint64_t i = 0; i < *terms; ++i) {
    auto term = in.String();
    auto count = in.Number(4);
    if (!term || !count) return Bad(where + " cut short");
    doc.terms.emplace_back(std::move(*term), static_cast<uint32_t>(*count));
  }
  return doc;
}

}  // namespace

Result<std::string> Encode(const Bm25Index& index) {
  const std::vector<AnalyzedDoc> docs = index.Documents();
  const Bm25Params& params = index.params();
  std::string out(kMagic);
  Put(out, kFormatVersion, 4);
  Put(out, std::bit_cast<uint64_t>(params.k1), 8);
  Put(out, std::bit_cast<uint64_t>(params.b), 8);
  Put(out, params.stemming == Stemming::kEnglish ? 1 : 0, 1);
  Put(out, docs.size(), 8);
  for (const auto& doc : docs) {
    PutString(out, doc.id);
    Put(out, doc.terms.size(), 4);
    for (const auto& [term, count] : doc.terms) {
      PutString(out, term);
      Put(out, count, 4);
    }
  }
  LH_ASSIGN_OR_RETURN(std::string sum, Sha256Hex(out));
  return out + sum;
}

Result<std::unique_ptr<Bm25Index>> Decode(std::string_view bytes) {
  if (bytes.size() < kHeadBytes + kSumBytes) {
    return Bad("shorter than its header and checksum (" + std::to_string(bytes.size()) +
               " bytes; truncated?)");
  }
  if (bytes.substr(0, kMagic.size()) != kMagic) return Bad("wrong magic");
  const std::string_view body = bytes.substr(0, bytes.size() - kSumBytes);
  LH_ASSIGN_OR_RETURN(std::string sum, Sha256Hex(body));
  if (sum != bytes.substr(body.size())) return Bad("checksum mismatch (truncated or damaged)");
  Reader in(body.substr(kMagic.size()));
  LH_ASSIGN_OR_RETURN(Bm25Params params, ParamsOf(in));
  auto count = in.Number(8);
  if (!count) return Bad("header cut short");
  auto index = std::make_unique<Bm25Index>(params);
  std::string previous;
  for (uint64_t i = 0; i < *count; ++i) {
    LH_ASSIGN_OR_RETURN(AnalyzedDoc doc, DocOf(in, i));
    // Ascending ids also rule out a repeated id silently replacing another.
    if (i > 0 && !(previous < doc.id)) return Bad("document ids out of order or repeated");
    previous = doc.id;
    if (Status added = index->AddAnalyzed(std::move(doc)); !added.ok()) {
      return Bad(added.message());
    }
  }
  if (in.left() != 0) return Bad(std::to_string(in.left()) + " bytes after the last document");
  return index;
}

}  // namespace lakehouse::text::lht1
