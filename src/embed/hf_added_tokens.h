// The added tokens of a Hugging Face tokenizer.json ("added_tokens": [CLS], <mask>, ...): found in
// a text before the model sees it, each becoming its own id, as tokenizers does even with
// add_special_tokens=false. Those with "normalized": false are matched in the raw text, the others
// in the normalised text. Matching is leftmost, longest first; single_word, lstrip and rstrip are
// honoured. Immutable once built; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "embed/hf_normalizers.h"

namespace lakehouse::embed::hf {

// A stretch of text: an added token's id, or text (id < 0) for the normalizer and model.
struct Segment {
  std::u32string text;
  int32_t id = -1;
};

class AddedTokens {
 public:
  struct Token {
    std::u32string content;
    int32_t id = 0;
    bool normalized = false;
    bool single_word = false;
    bool lstrip = false;
    bool rstrip = false;
  };

  // kInvalidArgument for an entry without content or with a negative id. The contents of the
  // "normalized" tokens are passed through `normalizer`, as tokenizers does, since they are
  // matched in normalised text.
  static Result<AddedTokens> FromJson(const nlohmann::json& list, const Normalizer& normalizer);

  // Splits `text` at the tokens whose `normalized` flag equals `normalized`.
  std::vector<Segment> Split(const std::u32string& text, bool normalized) const;
  const std::vector<Token>& tokens() const { return tokens_; }

 private:
  size_t MatchAt(const std::u32string& text, size_t at, const Token& token) const;

  std::vector<Token> tokens_;  // longest content first, so the first match is the longest
};

}  // namespace lakehouse::embed::hf
