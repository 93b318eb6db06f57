// HashingEmbedder: words, pairs and 3-grams hashed into signed buckets; IDF fit, saved, loaded.
#include "embed/hashing_embedder.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>

#include "common/splitmix64.h"

namespace lakehouse::embed {
namespace {

// FNV-1a, 64-bit: stable across machines and builds, which the saved IDF
// table and every stored vector depend on.
uint64_t Fnv1a(std::string_view bytes, uint64_t seed) {
  uint64_t h = 1469598103934665603ull ^ seed;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

bool IsWordByte(unsigned char c) {
  // Letters and digits of ASCII, and every byte of a multi-byte UTF-8
  // character, so words in any script stay whole.
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

constexpr uint64_t kWordSeed = 1, kPairSeed = 2, kGramSeed = 3;
// The kinds' weights (the header says why pairs weigh less).
constexpr float kWordWeight = 1.0f, kPairWeight = 0.5f, kGramWeight = 1.0f;

struct Occurrence {
  uint64_t feature;
  float kind_weight;
};

}  // namespace

HashingEmbedder::HashingEmbedder(size_t dim) : dim_(dim) {}

template <typename Visit>
void HashingEmbedder::ForEachFeature(std::string_view text, Visit visit) {
  std::string word;
  std::string previous;
  std::string padded;
  auto finish_word = [&] {
    if (word.empty()) return;
    visit(Mix64(Fnv1a(word, kWordSeed)), kWordWeight);
    if (!previous.empty()) {
      std::string pair = previous + ' ' + word;
      visit(Mix64(Fnv1a(pair, kPairSeed)), kPairWeight);
    }
    padded = '<' + word + '>';
    for (size_t i = 0; i + 3 <= padded.size(); ++i) {
      visit(Mix64(Fnv1a(std::string_view(padded).substr(i, 3), kGramSeed)), kGramWeight);
    }
    previous = std::move(word);
    word.clear();
  };
  for (unsigned char c : text) {
    if (IsWordByte(c)) {
      word.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a')
                                          : static_cast<char>(c));
    } else {
      finish_word();
    }
  }
  finish_word();
}

std::vector<float> HashingEmbedder::EmbedOne(std::string_view text) const {
  // Every occurrence, sorted so a feature's occurrences are adjacent: its
  // run length is its term frequency (cheaper than a hash map for the few
  // hundred features of a short text).
  std::vector<Occurrence> occurrences;
  occurrences.reserve(text.size() * 2);
  ForEachFeature(text, [&](uint64_t feature, float kind_weight) {
    occurrences.push_back({feature, kind_weight});
  });
  std::sort(occurrences.begin(), occurrences.end(),
            [](const Occurrence& a, const Occurrence& b) { return a.feature < b.feature; });
  std::vector<std::pair<float, uint64_t>> weighted;  // (weight, feature)
  for (size_t i = 0; i < occurrences.size();) {
    size_t end = i + 1;
    while (end < occurrences.size() && occurrences[end].feature == occurrences[i].feature) ++end;
    const uint64_t feature = occurrences[i].feature;
    const float tf = 1.0f + std::log(static_cast<float>(end - i));
    const float idf = idf_.empty() ? 1.0f : idf_[feature % kIdfBuckets];
    weighted.emplace_back(occurrences[i].kind_weight * tf * idf, feature);
    i = end;
  }
  if (weighted.size() > kMaxFeatures) {
    // The heaviest kMaxFeatures, ties by feature so the choice is
    // deterministic.
    std::nth_element(weighted.begin(), weighted.begin() + kMaxFeatures, weighted.end(),
                     [](const auto& a, const auto& b) {
                       return a.first != b.first ? a.first > b.first : a.second < b.second;
                     });
    weighted.resize(kMaxFeatures);
  }
  std::vector<float> v(dim_, 0.0f);
  for (const auto& [weight, feature] : weighted) {
    const float sign = (feature >> 63) ? -1.0f : 1.0f;
    v[(feature >> 16) % dim_] += sign * weight;
  }
  double norm = 0;
  for (float x : v) norm += static_cast<double>(x) * x;
  if (norm > 0) {
    const float scale = static_cast<float>(1.0 / std::sqrt(norm));
    for (float& x : v) x *= scale;
  } else {
    // An empty text still gets a unit vector (cosine needs a direction); all
    // empty texts share it and are far from any real text.
    v[0] = 1.0f;
  }
  return v;
}
Result<std::vector<std::vector<float>>> HashingEmbedder::Embed(std::span<const std::string> texts) {
  std::vector<std::vector<float>> out;
  out.reserve(texts.size());
  for (const auto& text : texts) out.push_back(EmbedOne(text));
  return out;
}

void HashingEmbedder::Fit(std::span<const std::string> corpus) {
  document_frequency_.assign(kIdfBuckets, 0);
  documents_ = corpus.size();
  std::vector<uint32_t> seen_in(kIdfBuckets, 0);  // last document (1-based) that counted a bucket
  uint32_t document = 0;
  for (const auto& text : corpus) {
    ++document;
    ForEachFeature(text, [&](uint64_t feature, float) {
      size_t bucket = feature % kIdfBuckets;
      if (seen_in[bucket] != document) {
        seen_in[bucket] = document;
        ++document_frequency_[bucket];
      }
    });
  }
  DeriveIdf();
}

void HashingEmbedder::DeriveIdf() {
  idf_.resize(kIdfBuckets);
  for (size_t b = 0; b < kIdfBuckets; ++b) {
    idf_[b] = static_cast<float>(
        std::log((1.0 + static_cast<double>(documents_)) / (1.0 + document_frequency_[b])) + 1.0);
  }
}

std::string HashingEmbedder::Save() const {
  // dim (u32), documents (u64), then the document frequencies (u32 each),
  // little-endian as this machine stores them.
  std::string bytes(4 + 8 + document_frequency_.size() * 4, '\0');
  const auto dim = static_cast<uint32_t>(dim_);
  std::memcpy(bytes.data(), &dim, 4);
  std::memcpy(bytes.data() + 4, &documents_, 8);
  if (!document_frequency_.empty()) {
    std::memcpy(bytes.data() + 12, document_frequency_.data(), document_frequency_.size() * 4);
  }
  return bytes;
}

Result<std::unique_ptr<HashingEmbedder>> HashingEmbedder::Load(std::string_view bytes) {
  if (bytes.size() != 12 && bytes.size() != 12 + kIdfBuckets * 4) {
    return Status::Unprocessable("embedder state has " + std::to_string(bytes.size()) +
                                 " bytes; expected 12 or " + std::to_string(12 + kIdfBuckets * 4));
  }
  uint32_t dim;
  uint64_t documents;
  std::memcpy(&dim, bytes.data(), 4);
  std::memcpy(&documents, bytes.data() + 4, 8);
  if (dim < 1 || dim > 4096) return Status::Unprocessable("embedder dimension out of range");
  auto embedder = std::make_unique<HashingEmbedder>(dim);
  if (bytes.size() == 12) return embedder;
  embedder->document_frequency_.resize(kIdfBuckets);
  std::memcpy(embedder->document_frequency_.data(), bytes.data() + 12, kIdfBuckets * 4);
  for (uint32_t df : embedder->document_frequency_) {
    if (df > documents) return Status::Unprocessable("embedder state: a frequency exceeds N");
  }
  embedder->documents_ = documents;
  embedder->DeriveIdf();
  return embedder;
}

std::shared_ptr<Embedder> HashingEmbedder::FittedTo(std::span<const std::string> corpus) const {
  auto fitted = std::make_shared<HashingEmbedder>(dim_);
  fitted->Fit(corpus);
  return fitted;
}

Result<std::shared_ptr<Embedder>> HashingEmbedder::WithLearnedState(std::string_view state) const {
  LH_ASSIGN_OR_RETURN(auto loaded, Load(state));
  if (loaded->dim() != dim_) {
    return Status::InvalidArgument("the learned state is for " + std::to_string(loaded->dim()) +
                                   " dimensions, not " + std::to_string(dim_));
  }
  return std::shared_ptr<Embedder>(std::move(loaded));
}

}  // namespace lakehouse::embed
