// Chooses the tokenization model tokenizer.json declares, and what the models share: vocabulary
// reading, byte fallback and UTF-8 character walking.
#include "embed/hf_models.h"

#include <cstdio>
#include <limits>

namespace lakehouse::embed::hf {

using nlohmann::json;

Result<std::unique_ptr<TokenModel>> MakeModel(const json& spec) {
  if (!spec.is_object() || !spec.contains("type")) {
    return Status::InvalidArgument("model has no \"type\"");
  }
  const std::string type = spec["type"].get<std::string>();
  if (type == "WordPiece") return MakeWordPiece(spec);
  if (type == "BPE") return MakeBpe(spec);
  if (type == "Unigram") return MakeUnigram(spec);
  if (type == "WordLevel") return MakeWordLevel(spec);
  return Status::InvalidArgument("model type \"" + type + "\" is not supported");
}

bool TokenModel::AppendByteTokens(const std::string& piece, std::vector<int32_t>& ids) const {
  std::vector<int32_t> bytes;
  for (unsigned char byte : piece) {
    char name[8];
    std::snprintf(name, sizeof name, "<0x%02X>", byte);
    auto it = vocab_.find(name);
    if (it == vocab_.end()) return false;
    bytes.push_back(it->second);
  }
  ids.insert(ids.end(), bytes.begin(), bytes.end());
  return true;
}

Result<Vocab> ReadVocabObject(const json& vocab) {
  if (!vocab.is_object()) return Status::InvalidArgument("model vocab must be an object");
  Vocab out;
  out.reserve(vocab.size());
  for (const auto& [token, id] : vocab.items()) {
    const int64_t value = id.get<int64_t>();
    if (value < 0 || value > std::numeric_limits<int32_t>::max()) {
      return Status::InvalidArgument("model vocab id " + std::to_string(value) + " of \"" + token +
                                     "\" is out of range");
    }
    out.emplace(token, static_cast<int32_t>(value));
  }
  return out;
}

Result<std::optional<int32_t>> OptionalTokenId(const json& spec, const std::string& key,
                                               const Vocab& vocab) {
  if (!spec.contains(key) || spec[key].is_null()) return std::optional<int32_t>();
  const std::string token = spec[key].get<std::string>();
  auto it = vocab.find(token);
  if (it == vocab.end()) {
    return Status::InvalidArgument("model " + key + " \"" + token + "\" is not in the vocab");
  }
  return std::optional<int32_t>(it->second);
}

std::vector<size_t> Utf8CharBounds(const std::string& word) {
  std::vector<size_t> bounds;
  bounds.reserve(word.size() + 1);
  for (size_t at = 0; at < word.size(); ++at) {
    if ((static_cast<unsigned char>(word[at]) & 0xC0) != 0x80) bounds.push_back(at);
  }
  bounds.push_back(word.size());
  return bounds;
}

}  // namespace lakehouse::embed::hf
