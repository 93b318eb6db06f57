// The pre-tokenizers a Hugging Face tokenizer.json may declare, built from its "pre_tokenizer"
// value: each cuts the normalised text into the words the model then tokenizes one by one.
//
// Supported: BertPreTokenizer, Whitespace, WhitespaceSplit, Punctuation, CharDelimiterSplit,
// Metaspace (replacement, prepend_scheme or add_prefix_space, split), ByteLevel (GPT-2's byte to
// character map, add_prefix_space, its regular expression), Digits, Split (a plain String
// pattern, any behavior, invert) and Sequence. Metaspace's prepend_scheme "first" prepends to the
// first word of a text that starts at the text's beginning (not after an added token).
#pragma once

#include <functional>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "embed/hf_split.h"

namespace lakehouse::embed::hf {

// Cuts `pieces` further; `at_text_start` says the first piece begins the whole text.
using PreTokenizer = std::function<Pieces(const Pieces& pieces, bool at_text_start)>;

// One piece for null (the whole text is one word). kInvalidArgument naming the pre-tokenizer type
// or option that is not supported; a wrong JSON type throws nlohmann's exception (see
// MakeNormalizer).
Result<PreTokenizer> MakePreTokenizer(const nlohmann::json& spec);

}  // namespace lakehouse::embed::hf
