// Terminal width of UTF-8 text through utf8proc, and padding to a width.
#include "cli/display_width.h"

#include <utf8proc.h>

namespace lakehouse::cli {

size_t DisplayWidth(std::string_view text) {
  const auto* bytes = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  const auto length = static_cast<utf8proc_ssize_t>(text.size());
  size_t width = 0;
  for (utf8proc_ssize_t at = 0; at < length;) {
    utf8proc_int32_t codepoint = 0;
    utf8proc_ssize_t used = utf8proc_iterate(bytes + at, length - at, &codepoint);
    if (used <= 0) {
      // One bad byte, then resynchronise on the next: the rest of the cell
      // still lines up.
      ++width;
      ++at;
      continue;
    }
    width += static_cast<size_t>(utf8proc_charwidth(codepoint));
    at += used;
  }
  return width;
}

std::string PadRight(std::string_view text, size_t width) {
  std::string out(text);
  size_t have = DisplayWidth(text);
  if (have < width) out.append(width - have, ' ');
  return out;
}

std::string PadLeft(std::string_view text, size_t width) {
  size_t have = DisplayWidth(text);
  std::string out(have < width ? width - have : 0, ' ');
  out.append(text);
  return out;
}

}  // namespace lakehouse::cli
