// What StaticEmbedder reads from a model folder besides the matrix: config.json's normalize flag
// and the median token length model2vec cuts long texts by. Pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace lakehouse::embed {

// config.json's "normalize" (true when the file or the key is absent); kInvalidArgument naming
// the file when it is not a JSON object or normalize is not a boolean.
Result<bool> ReadNormalizeFlag(const std::string& config_path);

// The median length in characters of the tokens, taken in id order, as model2vec computes it
// (int(numpy.median(...)), at least 1).
size_t MedianTokenChars(const std::vector<std::pair<std::string, int32_t>>& vocabulary);

// The first `max_chars` characters of UTF-8 `text`.
std::string_view FirstChars(std::string_view text, size_t max_chars);

}  // namespace lakehouse::embed
