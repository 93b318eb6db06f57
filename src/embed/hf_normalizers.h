// The normalizers a Hugging Face tokenizer.json may declare, built from its "normalizer" value.
//
// Supported: BertNormalizer, Lowercase, NFC, NFD, NFKC, NFKD, StripAccents, Strip, Replace (with
// a plain String pattern), Prepend, Precompiled and Sequence. Precompiled carries SentencePiece's
// compiled normalisation map; it is applied as NFKC, which is what that map was compiled from
// (the map's few extra rules, such as folding some whitespace, are not reproduced). Lowercase maps
// each character to its simple lowercase (utf8proc), where Rust's full mapping differs only for a
// handful of characters such as U+0130.
#pragma once

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace lakehouse::embed::hf {

using Normalizer = std::function<std::u32string(std::u32string)>;

// The identity for null. kInvalidArgument "normalizer type \"X\" is not supported" (or which
// option is not) for anything else; a value of the wrong JSON type throws nlohmann's exception,
// which the tokenizer loader turns into an error naming the file.
Result<Normalizer> MakeNormalizer(const nlohmann::json& spec);

}  // namespace lakehouse::embed::hf
