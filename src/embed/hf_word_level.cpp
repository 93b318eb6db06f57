// The WordLevel model: a word is one vocabulary entry, or the unknown token.
#include <utility>

#include "embed/hf_models.h"

namespace lakehouse::embed::hf {
namespace {

class WordLevel final : public TokenModel {
 public:
  WordLevel(Vocab vocab, std::optional<int32_t> unk_id) {
    vocab_ = std::move(vocab);
    unk_id_ = unk_id;
  }

  Status Tokenize(const std::string& word, std::vector<int32_t>& ids) const override {
    auto it = vocab_.find(word);
    if (it != vocab_.end()) {
      ids.push_back(it->second);
    } else if (unk_id_) {
      ids.push_back(*unk_id_);
    } else {
      return Status::InvalidArgument("WordLevel: \"" + word +
                                     "\" is not in the vocab and there is no unk_token");
    }
    return Status::Ok();
  }
};

}  // namespace

Result<std::unique_ptr<TokenModel>> MakeWordLevel(const nlohmann::json& spec) {
  LH_ASSIGN_OR_RETURN(Vocab vocab, ReadVocabObject(spec.at("vocab")));
  LH_ASSIGN_OR_RETURN(std::optional<int32_t> unk_id, OptionalTokenId(spec, "unk_token", vocab));
  return std::unique_ptr<TokenModel>(new WordLevel(std::move(vocab), unk_id));
}

}  // namespace lakehouse::embed::hf
