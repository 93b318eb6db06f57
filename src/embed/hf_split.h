// How the Hugging Face tokenizer cuts a text at matches (tokenizers' SplitDelimiterBehavior):
// the one primitive every pre-tokenizer is built from. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace lakehouse::embed::hf {

using Pieces = std::vector<std::u32string>;

enum class SplitBehavior { kRemoved, kIsolated, kMergedWithPrevious, kMergedWithNext, kContiguous };

// "Removed", "Isolated", ... as tokenizer.json spells them; kInvalidArgument otherwise.
Result<SplitBehavior> ParseSplitBehavior(std::string_view name);

struct Span {
  size_t begin = 0;
  size_t end = 0;
};

// Every character for which `matches` holds, each a match of its own.
std::vector<Span> CharMatches(const std::u32string& text, bool (*matches)(char32_t));
// Every non-overlapping occurrence of `pattern`, left to right.
std::vector<Span> StringMatches(const std::u32string& text, const std::u32string& pattern);

// Cuts `text` at `matches` (sorted, disjoint): `invert` makes the text between the matches the
// delimiters instead. Empty pieces are dropped, as tokenizers drops them.
Pieces SplitAt(const std::u32string& text, const std::vector<Span>& matches, SplitBehavior behavior,
               bool invert = false);

}  // namespace lakehouse::embed::hf
