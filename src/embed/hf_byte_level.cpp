// GPT-2's pre-tokenizing expression, matched by hand, and its byte-to-character map.
#include "embed/hf_byte_level.h"

#include <array>

#include "embed/hf_unicode.h"

namespace lakehouse::embed::hf {
namespace {

// Printable Latin-1 bytes stand for themselves; the others take the characters from U+0100 on,
// in byte order.
std::array<char32_t, 256> MakeByteMap() {
  std::array<char32_t, 256> map{};
  char32_t next = 256;
  for (int b = 0; b < 256; ++b) {
    const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
    map[static_cast<size_t>(b)] = printable ? static_cast<char32_t>(b) : next++;
  }
  return map;
}

bool IsOtherSymbol(char32_t c) { return !IsWhitespace(c) && !IsLetter(c) && !IsNumeric(c); }

// The length of 's 't 're 've 'm 'll 'd at `at`, or 0.
size_t ContractionAt(const std::u32string& text, size_t at) {
  if (text[at] != U'\'' || at + 1 >= text.size()) return 0;
  const char32_t a = text[at + 1];
  if (a == U's' || a == U't' || a == U'm' || a == U'd') return 2;
  if (at + 2 >= text.size()) return 0;
  const char32_t b = text[at + 2];
  if ((a == U'r' && b == U'e') || (a == U'v' && b == U'e') || (a == U'l' && b == U'l')) return 3;
  return 0;
}

// " ?" then a run of one class: letters, numbers or other symbols, tried in that order.
size_t ClassRunAt(const std::u32string& text, size_t at) {
  const size_t start = text[at] == U' ' ? at + 1 : at;
  if (start >= text.size()) return 0;
  for (bool (*in_class)(char32_t) : {IsLetter, IsNumeric, IsOtherSymbol}) {
    size_t end = start;
    while (end < text.size() && in_class(text[end])) ++end;
    if (end > start) return end - at;
  }
  return 0;
}

// \s+(?!\S) then \s+: a run of whitespace leaves its last space to the word that follows it.
size_t WhitespaceAt(const std::u32string& text, size_t at) {
  size_t end = at;
  while (end < text.size() && IsWhitespace(text[end])) ++end;
  const size_t run = end - at;
  if (run == 0) return 0;
  if (end == text.size() || run == 1) return run;
  return run - 1;
}

}  // namespace

std::vector<Span> ByteLevelMatches(const std::u32string& text) {
  std::vector<Span> out;
  size_t at = 0;
  while (at < text.size()) {
    size_t n = ContractionAt(text, at);
    if (n == 0) n = ClassRunAt(text, at);
    if (n == 0) n = WhitespaceAt(text, at);
    if (n == 0) n = 1;  // unreachable: every character is in one of the classes
    out.push_back({at, at + n});
    at += n;
  }
  return out;
}

std::u32string BytesToChars(const std::u32string& text) {
  static const std::array<char32_t, 256> kMap = MakeByteMap();
  std::u32string out;
  for (unsigned char byte : EncodeUtf8(text)) out.push_back(kMap[byte]);
  return out;
}

}  // namespace lakehouse::embed::hf
