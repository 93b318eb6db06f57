// How many terminal columns UTF-8 text takes, so that tables line up whatever
// the names in them: accents, combining marks, wide CJK characters.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace lakehouse::cli {

// The columns `text` takes on a terminal: an East Asian wide character
// counts 2, a combining mark or other zero-width character 0, anything else
// 1. A byte that does not begin valid UTF-8 counts 1, as a terminal shows
// it as one replacement character.
size_t DisplayWidth(std::string_view text);

// `text` with spaces after (PadRight) or before (PadLeft) it up to `width`
// columns; text already that wide or wider comes back unchanged.
std::string PadRight(std::string_view text, size_t width);
std::string PadLeft(std::string_view text, size_t width);

}  // namespace lakehouse::cli
