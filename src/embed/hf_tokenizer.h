// A Hugging Face tokenizer, loaded from its tokenizer.json: texts to token ids exactly as the
// `tokenizers` library encodes them with add_special_tokens=false (added tokens in the text are
// still found; nothing is added around it). What each stage supports is listed in
// hf_normalizers.h, hf_pre_tokenizers.h, hf_models.h and hf_added_tokens.h; a file declaring
// anything else fails to load with an error naming the file and the component, so tokens are
// never silently wrong. The post-processor and decoder only add special tokens or turn ids back
// into text, so they are not read; "padding" is ignored (it would make a text's ids depend on the
// other texts of its batch); "truncation" is honoured (its max_length and direction).
//
// Immutable once loaded: Encode may be called from any number of threads. Movable, not copyable.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "embed/hf_added_tokens.h"
#include "embed/hf_models.h"
#include "embed/hf_normalizers.h"
#include "embed/hf_pre_tokenizers.h"

namespace lakehouse::embed {

class HfTokenizer {
 public:
  // kNotFound if the file is missing; kInvalidArgument naming the file and what is wrong or
  // unsupported otherwise.
  static Result<HfTokenizer> Load(const std::string& path);
  // The same from the file's text; `source` names it in errors.
  static Result<HfTokenizer> FromJson(std::string_view json_text, const std::string& source);

  // The ids of `text`. Fails (kInvalidArgument) only when the model has no unknown token for a
  // character its vocabulary cannot spell.
  Result<std::vector<int32_t>> Encode(std::string_view text) const;

  // Every token and its id: the model's vocabulary and the added tokens (tokenizers' get_vocab).
  std::vector<std::pair<std::string, int32_t>> Vocabulary() const;
  std::optional<int32_t> unk_id() const { return model_->unk_id(); }

 private:
  HfTokenizer() = default;
  Status EncodeSegment(const std::u32string& text, bool at_text_start,
                       std::vector<int32_t>& ids) const;
  Status EncodeWords(const std::u32string& normalized, bool at_text_start,
                     std::vector<int32_t>& ids) const;
  void Truncate(std::vector<int32_t>& ids) const;

  hf::AddedTokens added_;
  hf::Normalizer normalizer_;
  hf::PreTokenizer pre_tokenizer_;
  std::unique_ptr<hf::TokenModel> model_;
  std::optional<size_t> max_length_;  // "truncation"
  bool truncate_left_ = false;
};

}  // namespace lakehouse::embed
