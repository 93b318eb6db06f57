// The Unigram model: the segmentation of a word into vocabulary pieces with the best total score
// (Viterbi), unknown characters scored below every piece.
#include <algorithm>
#include <limits>
#include <utility>

#include "embed/hf_models.h"

namespace lakehouse::embed::hf {
namespace {

using nlohmann::json;

// What tokenizers (after SentencePiece) scores an unknown character below the worst piece.
constexpr double kUnkPenalty = 10.0;

struct PathEnd {
  double score = 0;
  size_t start = 0;  // byte where the best piece ending here starts
  int32_t id = -1;   // -1: nothing reaches here yet
};

class Unigram final : public TokenModel {
 public:
  Unigram(Vocab vocab, std::vector<double> scores, std::optional<int32_t> unk_id,
          bool byte_fallback)
      : scores_(std::move(scores)), byte_fallback_(byte_fallback) {
    vocab_ = std::move(vocab);
    unk_id_ = unk_id;
    for (const auto& [piece, id] : vocab_)
      max_piece_bytes_ = std::max(max_piece_bytes_, piece.size());
    min_score_ = scores_.empty() ? 0 : *std::min_element(scores_.begin(), scores_.end());
  }

  Status Tokenize(const std::string& word, std::vector<int32_t>& ids) const override {
    std::vector<PathEnd> best(word.size() + 1);
    best[0].id = 0;
    for (size_t start = 0; start < word.size(); start = NextChar(word, start)) {
      LH_RETURN_IF_ERROR(Extend(word, start, best));
    }
    return Emit(word, BestPieces(best), ids);
  }

 private:
  static size_t NextChar(const std::string& word, size_t at) {
    ++at;
    while (at < word.size() && (static_cast<unsigned char>(word[at]) & 0xC0) == 0x80) ++at;
    return at;
  }

  static void Offer(PathEnd& end, double score, size_t start, int32_t id) {
    if (end.id < 0 || score > end.score) end = {score, start, id};
  }

  // Every piece starting at `start`, shortest first, improves the paths it reaches; a character
  // no one-character piece spells is offered as the unknown token.
  Status Extend(const std::string& word, size_t start, std::vector<PathEnd>& best) const {
    const double here = best[start].score;
    const size_t char_end = NextChar(word, start);
    bool has_single = false;
    const size_t limit = std::min(word.size(), start + max_piece_bytes_);
    for (size_t end = char_end; end <= limit; end = NextChar(word, end)) {
      auto it = vocab_.find(word.substr(start, end - start));
      if (it != vocab_.end()) {
        Offer(best[end], here + scores_[static_cast<size_t>(it->second)], start, it->second);
        has_single = has_single || end == char_end;
      }
      if (end == word.size()) break;
    }
    if (has_single) return Status::Ok();
    if (!unk_id_) {
      return Status::InvalidArgument("Unigram: \"" + word.substr(start, char_end - start) +
                                     "\" is not in the vocab and there is no unk_id");
    }
    Offer(best[char_end], here + min_score_ - kUnkPenalty, start, *unk_id_);
    return Status::Ok();
  }

  // The pieces of the best path as byte ranges, unknown characters side by side fused into one.
  std::vector<std::pair<size_t, size_t>> BestPieces(const std::vector<PathEnd>& best) const {
    std::vector<std::pair<size_t, size_t>> pieces;
    bool previous_unk = false;
    for (size_t end = best.size() - 1; end > 0; end = best[end].start) {
      const bool unk = unk_id_ && best[end].id == *unk_id_;
      if (unk && previous_unk) {
        pieces.back().first = best[end].start;
      } else {
        pieces.emplace_back(best[end].start, end);
      }
      previous_unk = unk;
    }
    std::reverse(pieces.begin(), pieces.end());
    return pieces;
  }

  Status Emit(const std::string& word, const std::vector<std::pair<size_t, size_t>>& pieces,
              std::vector<int32_t>& ids) const {
    for (const auto& [begin, end] : pieces) {
      const std::string piece = word.substr(begin, end - begin);
      auto it = vocab_.find(piece);
      if (it != vocab_.end()) {
        ids.push_back(it->second);
      } else if (!AddByteFallback(piece, ids)) {
        ids.push_back(*unk_id_);  // only unknown pieces miss the vocab, so unk_id is set
      }
    }
    return Status::Ok();
  }

  bool AddByteFallback(const std::string& piece, std::vector<int32_t>& ids) const {
    return byte_fallback_ && AppendByteTokens(piece, ids);
  }

  std::vector<double> scores_;
  bool byte_fallback_;
  size_t max_piece_bytes_ = 0;
  double min_score_ = 0;
};

}  // namespace

Result<std::unique_ptr<TokenModel>> MakeUnigram(const json& spec) {
  const json& list = spec.at("vocab");
  if (!list.is_array()) return Status::InvalidArgument("model Unigram vocab must be an array");
  Vocab vocab;
  std::vector<double> scores;
  for (const json& entry : list) {
    if (!entry.is_array() || entry.size() != 2) {
      return Status::InvalidArgument("model Unigram vocab entries must be [piece, score]");
    }
    // The ids follow the list; a repeated piece answers to its last id, as in tokenizers.
    vocab[entry[0].get<std::string>()] = static_cast<int32_t>(scores.size());
    scores.push_back(entry[1].get<double>());
  }
  std::optional<int32_t> unk_id;
  if (spec.contains("unk_id") && !spec["unk_id"].is_null()) {
    const int64_t id = spec["unk_id"].get<int64_t>();
    if (id < 0 || static_cast<size_t>(id) >= scores.size()) {
      return Status::InvalidArgument("model Unigram unk_id " + std::to_string(id) +
                                     " is not an id of its vocab");
    }
    unk_id = static_cast<int32_t>(id);
  }
  if (scores.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    return Status::InvalidArgument("model Unigram vocab is too large");
  }
  return std::unique_ptr<TokenModel>(
      new Unigram(std::move(vocab), std::move(scores), unk_id, spec.value("byte_fallback", false)));
}

}  // namespace lakehouse::embed::hf
