// GPT-2's byte-level pre-tokenization: its regular expression and its map from bytes to printable
// characters, by which byte-level BPE vocabularies spell every byte. Pure; thread-safe.
#pragma once

#include <string>

#include "embed/hf_split.h"

namespace lakehouse::embed::hf {

// The matches of 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+,
// found by hand (no regex engine): they cover the whole text.
std::vector<Span> ByteLevelMatches(const std::u32string& text);

// The UTF-8 bytes of `text`, each as its GPT-2 character.
std::u32string BytesToChars(const std::u32string& text);

}  // namespace lakehouse::embed::hf
