// The tokenization models a Hugging Face tokenizer.json may declare ("model"): each turns one
// pre-tokenized word into vocabulary ids.
//
// Supported: WordPiece (greedy longest match, continuing_subword_prefix, max_input_chars_per_word,
// unk_token), BPE (merges as "a b" strings or [a, b] pairs, unk_token with fuse_unk,
// continuing_subword_prefix, end_of_word_suffix, byte_fallback, ignore_merges; no dropout),
// Unigram (Viterbi best segmentation, unk_id, fused unknowns, byte_fallback) and WordLevel.
// Built models are immutable: Tokenize may be called from any number of threads.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace lakehouse::embed::hf {

using Vocab = std::unordered_map<std::string, int32_t>;

class TokenModel {
 public:
  virtual ~TokenModel() = default;
  // Appends the ids of `word` (UTF-8) to `ids`. kInvalidArgument only for a character the
  // vocabulary cannot spell when the model has no unknown token to stand for it.
  virtual Status Tokenize(const std::string& word, std::vector<int32_t>& ids) const = 0;

  const Vocab& vocab() const { return vocab_; }
  std::optional<int32_t> unk_id() const { return unk_id_; }

 protected:
  // SentencePiece's byte fallback: appends the ids of `piece`'s bytes as the
  // tokens <0x00>..<0xFF>, or nothing and false when the vocabulary lacks one.
  bool AppendByteTokens(const std::string& piece, std::vector<int32_t>& ids) const;

  Vocab vocab_;
  std::optional<int32_t> unk_id_;
};

// kInvalidArgument naming the model type or the option that is unsupported or inconsistent (an
// unk_token or merge part not in the vocabulary, a negative id).
Result<std::unique_ptr<TokenModel>> MakeModel(const nlohmann::json& spec);

// One per model type, called by MakeModel.
Result<std::unique_ptr<TokenModel>> MakeWordPiece(const nlohmann::json& spec);
Result<std::unique_ptr<TokenModel>> MakeBpe(const nlohmann::json& spec);
Result<std::unique_ptr<TokenModel>> MakeUnigram(const nlohmann::json& spec);
Result<std::unique_ptr<TokenModel>> MakeWordLevel(const nlohmann::json& spec);

// A {"token": id, ...} object, checked for ids in 0..2^31.
Result<Vocab> ReadVocabObject(const nlohmann::json& vocab);
// The id of an optional token given by name ("unk_token"): none for null or absent, an error if
// the vocabulary lacks it.
Result<std::optional<int32_t>> OptionalTokenId(const nlohmann::json& spec, const std::string& key,
                                               const Vocab& vocab);
// Where each UTF-8 character of `word` starts, then word.size(): character i is the bytes
// [bounds[i], bounds[i + 1]).
std::vector<size_t> Utf8CharBounds(const std::string& word);

}  // namespace lakehouse::embed::hf
