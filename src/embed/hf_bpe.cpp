// The BPE model: a word's characters merged pairwise, best-ranked merge first, as the merge list
// orders them.
#include <unordered_map>
#include <utility>

#include "embed/hf_models.h"

namespace lakehouse::embed::hf {
namespace {

using nlohmann::json;

struct Merge {
  size_t rank = 0;
  int32_t merged = 0;
};

uint64_t PairKey(int32_t a, int32_t b) {
  return (uint64_t{static_cast<uint32_t>(a)} << 32) | static_cast<uint32_t>(b);
}

std::string OptionalText(const json& spec, const char* key) {
  return spec.contains(key) && !spec[key].is_null() ? spec[key].get<std::string>() : std::string();
}

struct BpeOptions {
  std::string prefix;  // continuing_subword_prefix
  std::string suffix;  // end_of_word_suffix
  bool fuse_unk = false;
  bool byte_fallback = false;
  bool ignore_merges = false;
};

class Bpe final : public TokenModel {
 public:
  Bpe(Vocab vocab, std::optional<int32_t> unk_id, std::unordered_map<uint64_t, Merge> merges,
      BpeOptions options)
      : merges_(std::move(merges)), options_(std::move(options)) {
    vocab_ = std::move(vocab);
    unk_id_ = unk_id;
  }

  Status Tokenize(const std::string& word, std::vector<int32_t>& ids) const override {
    if (word.empty()) return Status::Ok();
    if (options_.ignore_merges) {
      auto whole = vocab_.find(word);
      if (whole != vocab_.end()) {
        ids.push_back(whole->second);
        return Status::Ok();
      }
    }
    std::vector<int32_t> symbols;
    LH_RETURN_IF_ERROR(InitialSymbols(word, symbols));
    ApplyMerges(symbols);
    ids.insert(ids.end(), symbols.begin(), symbols.end());
    return Status::Ok();
  }

 private:
  // One symbol per character (with the prefix and suffix the vocabulary spells them with); a
  // character it lacks becomes its bytes' <0xXX> tokens, or the unknown token (runs of them fused
  // into one if fuse_unk), or nothing when there is no unknown token, as tokenizers does.
  Status InitialSymbols(const std::string& word, std::vector<int32_t>& symbols) const {
    const std::vector<size_t> bounds = Utf8CharBounds(word);
    const size_t chars = bounds.size() - 1;
    bool last_was_unk = false;
    for (size_t i = 0; i < chars; ++i) {
      std::string piece = (i > 0 ? options_.prefix : std::string()) +
                          word.substr(bounds[i], bounds[i + 1] - bounds[i]) +
                          (i + 1 == chars ? options_.suffix : std::string());
      auto it = vocab_.find(piece);
      if (it != vocab_.end()) {
        symbols.push_back(it->second);
        last_was_unk = false;
      } else if (!AddByteFallback(piece, symbols)) {
        if (unk_id_ && !(options_.fuse_unk && last_was_unk)) symbols.push_back(*unk_id_);
        last_was_unk = unk_id_.has_value();
      } else {
        last_was_unk = false;
      }
    }
    return Status::Ok();
  }

  bool AddByteFallback(const std::string& piece, std::vector<int32_t>& symbols) const {
    return options_.byte_fallback && AppendByteTokens(piece, symbols);
  }

  // Repeatedly merges the adjacent pair of lowest rank, the leftmost of equals.
  void ApplyMerges(std::vector<int32_t>& symbols) const {
    while (symbols.size() > 1) {
      size_t best_at = 0;
      const Merge* best = nullptr;
      for (size_t i = 0; i + 1 < symbols.size(); ++i) {
        auto it = merges_.find(PairKey(symbols[i], symbols[i + 1]));
        if (it != merges_.end() && (best == nullptr || it->second.rank < best->rank)) {
          best = &it->second;
          best_at = i;
        }
      }
      if (best == nullptr) return;
      symbols[best_at] = best->merged;
      symbols.erase(symbols.begin() + static_cast<std::ptrdiff_t>(best_at) + 1);
    }
  }

  std::unordered_map<uint64_t, Merge> merges_;
  BpeOptions options_;
};

Result<std::pair<std::string, std::string>> MergeParts(const json& merge) {
  if (merge.is_array() && merge.size() == 2) {
    return std::make_pair(merge[0].get<std::string>(), merge[1].get<std::string>());
  }
  if (merge.is_string()) {
    const std::string text = merge.get<std::string>();
    const size_t space = text.find(' ');
    if (space != std::string::npos && text.find(' ', space + 1) == std::string::npos) {
      return std::make_pair(text.substr(0, space), text.substr(space + 1));
    }
  }
  return Status::InvalidArgument("model BPE merge " + merge.dump() +
                                 " is neither \"a b\" nor [\"a\", \"b\"]");
}

Result<std::unordered_map<uint64_t, Merge>> ReadMerges(const json& list, const Vocab& vocab,
                                                       const std::string& prefix) {
  std::unordered_map<uint64_t, Merge> merges;
  auto id_of = [&](const std::string& token) -> Result<int32_t> {
    auto it = vocab.find(token);
    if (it == vocab.end()) {
      return Status::InvalidArgument("model BPE merge part \"" + token + "\" is not in the vocab");
    }
    return it->second;
  };
  for (size_t rank = 0; rank < list.size(); ++rank) {
    LH_ASSIGN_OR_RETURN(auto parts, MergeParts(list[rank]));
    LH_ASSIGN_OR_RETURN(int32_t a, id_of(parts.first));
    LH_ASSIGN_OR_RETURN(int32_t b, id_of(parts.second));
    std::string second = parts.second;
    if (!prefix.empty() && second.starts_with(prefix)) second.erase(0, prefix.size());
    LH_ASSIGN_OR_RETURN(int32_t merged, id_of(parts.first + second));
    merges[PairKey(a, b)] = Merge{rank, merged};  // a repeated pair takes its last rank, as there
  }
  return merges;
}

}  // namespace

Result<std::unique_ptr<TokenModel>> MakeBpe(const json& spec) {
  if (spec.contains("dropout") && !spec["dropout"].is_null() &&
      spec["dropout"].get<double>() != 0.0) {
    return Status::InvalidArgument("model BPE dropout is not supported (it makes tokens random)");
  }
  LH_ASSIGN_OR_RETURN(Vocab vocab, ReadVocabObject(spec.at("vocab")));
  LH_ASSIGN_OR_RETURN(std::optional<int32_t> unk_id, OptionalTokenId(spec, "unk_token", vocab));
  BpeOptions options;
  options.prefix = OptionalText(spec, "continuing_subword_prefix");
  options.suffix = OptionalText(spec, "end_of_word_suffix");
  options.fuse_unk = spec.value("fuse_unk", false);
  options.byte_fallback = spec.value("byte_fallback", false);
  options.ignore_merges = spec.value("ignore_merges", false);
  LH_ASSIGN_OR_RETURN(auto merges, ReadMerges(spec.at("merges"), vocab, options.prefix));
  return std::unique_ptr<TokenModel>(
      new Bpe(std::move(vocab), unk_id, std::move(merges), std::move(options)));
}

}  // namespace lakehouse::embed::hf
