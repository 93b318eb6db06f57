// Bounds the nesting of JSON text before it is parsed. nlohmann parses and
// frees deep documents iteratively but serialises them recursively, so a
// deeply nested value taken in and later dumped could exhaust the stack.
#pragma once

#include <cstddef>
#include <string_view>

namespace lakehouse {

// The deepest nesting of arrays and objects in `text`, counting only
// brackets outside strings. Stops counting once past `limit`.
size_t JsonNestingDepth(std::string_view text, size_t limit);

inline constexpr size_t kMaxJsonDepth = 64;

}  // namespace lakehouse
