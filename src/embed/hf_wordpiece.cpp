// The WordPiece model: each word split greedily into the longest pieces the vocabulary holds.
#include <algorithm>
#include <utility>

#include "embed/hf_models.h"

namespace lakehouse::embed::hf {
namespace {

using nlohmann::json;

class WordPiece final : public TokenModel {
 public:
  WordPiece(Vocab vocab, int32_t unk_id, std::string prefix, size_t max_chars)
      : prefix_(std::move(prefix)), max_chars_(max_chars) {
    vocab_ = std::move(vocab);
    unk_id_ = unk_id;
    for (const auto& [token, id] : vocab_)
      max_token_bytes_ = std::max(max_token_bytes_, token.size());
  }

  Status Tokenize(const std::string& word, std::vector<int32_t>& ids) const override {
    const std::vector<size_t> bounds = Utf8CharBounds(word);
    const size_t chars = bounds.size() - 1;
    if (chars > max_chars_) {
      ids.push_back(*unk_id_);
      return Status::Ok();
    }
    std::vector<int32_t> pieces;
    for (size_t start = 0; start < chars;) {
      const size_t end = LongestPiece(word, bounds, start, pieces);
      // A word with any stretch the vocabulary cannot spell is one unknown token, whole.
      if (end == start) {
        ids.push_back(*unk_id_);
        return Status::Ok();
      }
      start = end;
    }
    ids.insert(ids.end(), pieces.begin(), pieces.end());
    return Status::Ok();
  }

 private:
  // The end (in characters) of the longest vocabulary piece starting at `start`, whose id is
  // appended; `start` when there is none.
  size_t LongestPiece(const std::string& word, const std::vector<size_t>& bounds, size_t start,
                      std::vector<int32_t>& pieces) const {
    std::string candidate = start > 0 ? prefix_ : std::string();
    const size_t prefix_bytes = candidate.size();
    for (size_t end = bounds.size() - 1; end > start; --end) {
      // No token is longer than the longest in the vocabulary: skip those lookups.
      if (prefix_bytes + bounds[end] - bounds[start] > max_token_bytes_) continue;
      candidate.resize(prefix_bytes);
      candidate.append(word, bounds[start], bounds[end] - bounds[start]);
      auto it = vocab_.find(candidate);
      if (it != vocab_.end()) {
        pieces.push_back(it->second);
        return end;
      }
    }
    return start;
  }

  std::string prefix_;
  size_t max_chars_;
  size_t max_token_bytes_ = 0;
};

}  // namespace

Result<std::unique_ptr<TokenModel>> MakeWordPiece(const json& spec) {
  LH_ASSIGN_OR_RETURN(Vocab vocab, ReadVocabObject(spec.at("vocab")));
  const std::string unk = spec.value("unk_token", std::string("[UNK]"));
  auto unk_it = vocab.find(unk);
  if (unk_it == vocab.end()) {
    return Status::InvalidArgument("model WordPiece unk_token \"" + unk + "\" is not in the vocab");
  }
  const int32_t unk_id = unk_it->second;
  const int64_t max_chars = spec.value("max_input_chars_per_word", int64_t{100});
  if (max_chars < 0) {
    return Status::InvalidArgument("model WordPiece max_input_chars_per_word must not be negative");
  }
  return std::unique_ptr<TokenModel>(new WordPiece(std::move(vocab), unk_id,
                                                   spec.value("continuing_subword_prefix", "##"),
                                                   static_cast<size_t>(max_chars)));
}

}  // namespace lakehouse::embed::hf
