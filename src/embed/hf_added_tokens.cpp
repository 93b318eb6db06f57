// Finding tokenizer.json's added tokens in a text.
#include "embed/hf_added_tokens.h"

#include <algorithm>
#include <utility>

#include "embed/hf_unicode.h"

namespace lakehouse::embed::hf {

Result<AddedTokens> AddedTokens::FromJson(const nlohmann::json& list,
                                          const Normalizer& normalizer) {
  AddedTokens out;
  if (list.is_null()) return out;
  for (const nlohmann::json& entry : list) {
    Token token;
    token.content = DecodeUtf8(entry.at("content").get<std::string>());
    const int64_t id = entry.at("id").get<int64_t>();
    if (token.content.empty() || id < 0 || id > INT32_MAX) {
      return Status::InvalidArgument("added_tokens entry " + entry.dump() +
                                     " needs content and an id in range");
    }
    token.id = static_cast<int32_t>(id);
    token.normalized = entry.value("normalized", false);
    token.single_word = entry.value("single_word", false);
    token.lstrip = entry.value("lstrip", false);
    token.rstrip = entry.value("rstrip", false);
    if (token.normalized) token.content = normalizer(token.content);
    if (token.content.empty()) {
      return Status::InvalidArgument("added_tokens entry " + entry.dump() +
                                     " normalizes to nothing");
    }
    out.tokens_.push_back(std::move(token));
  }
  std::stable_sort(out.tokens_.begin(), out.tokens_.end(), [](const Token& a, const Token& b) {
    return a.content.size() > b.content.size();
  });
  return out;
}

// The length of `token` at `at` (0 if absent or, for a single word, inside a word).
size_t AddedTokens::MatchAt(const std::u32string& text, size_t at, const Token& token) const {
  if (text.compare(at, token.content.size(), token.content) != 0) return 0;
  const size_t end = at + token.content.size();
  if (token.single_word &&
      ((at > 0 && IsWordChar(text[at - 1])) || (end < text.size() && IsWordChar(text[end])))) {
    return 0;
  }
  return token.content.size();
}

std::vector<Segment> AddedTokens::Split(const std::u32string& text, bool normalized) const {
  std::vector<Segment> out;
  std::u32string pending;
  auto flush = [&] {
    if (!pending.empty()) out.push_back({std::move(pending), -1});
    pending.clear();
  };
  for (size_t at = 0; at < text.size();) {
    const Token* found = nullptr;
    for (const Token& token : tokens_) {
      if (token.normalized == normalized && MatchAt(text, at, token) > 0) {
        found = &token;
        break;
      }
    }
    if (found == nullptr) {
      pending.push_back(text[at++]);
      continue;
    }
    while (found->lstrip && !pending.empty() && IsWhitespace(pending.back())) pending.pop_back();
    flush();
    out.push_back({{}, found->id});
    at += found->content.size();
    while (found->rstrip && at < text.size() && IsWhitespace(text[at])) ++at;
  }
  flush();
  return out;
}

}  // namespace lakehouse::embed::hf
