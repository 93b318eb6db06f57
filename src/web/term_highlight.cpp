// Cuts a shown value into pieces, marking the words a search's terms start.
#include "web/term_highlight.h"

#include <algorithm>
#include <cctype>

namespace lakehouse::web {
namespace {

// Bytes of a multi-byte UTF-8 character count as word bytes, so a word is
// never cut inside a character and "café" stays one word.
bool IsWordByte(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte >= 0x80 || std::isalnum(byte) != 0;
}

bool StartsWithFolded(std::string_view value, size_t at, std::string_view term) {
  if (value.size() - at < term.size()) return false;
  for (size_t i = 0; i < term.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(value[at + i])) !=
        std::tolower(static_cast<unsigned char>(term[i]))) {
      return false;
    }
  }
  return true;
}

// The length of the longest term at `at`, 0 for none. A term may hold
// symbols ("c++", "node.js") and so run past the word's end.
size_t LongestTermAt(std::string_view value, size_t at, const std::vector<std::string>& terms) {
  size_t longest = 0;
  for (const auto& term : terms) {
    if (term.size() > longest && StartsWithFolded(value, at, term)) longest = term.size();
  }
  return longest;
}

void Append(std::vector<TextPiece>& pieces, std::string_view text, bool marked) {
  if (text.empty()) return;
  if (!marked && !pieces.empty() && !pieces.back().marked) {
    pieces.back().text += text;
    return;
  }
  pieces.push_back({std::string(text), marked});
}

}  // namespace

std::vector<TextPiece> HighlightTerms(std::string_view value,
                                      const std::vector<std::string>& terms) {
  std::vector<TextPiece> pieces;
  size_t plain_from = 0;
  size_t at = 0;
  while (at < value.size()) {
    if (!IsWordByte(value[at])) {
      ++at;
      continue;
    }
    size_t end = at;
    while (end < value.size() && IsWordByte(value[end])) ++end;
    const size_t term = LongestTermAt(value, at, terms);
    if (term > 0) {
      end = std::max(end, at + term);
      Append(pieces, value.substr(plain_from, at - plain_from), false);
      Append(pieces, value.substr(at, end - at), true);
      plain_from = end;
    }
    at = end;
  }
  Append(pieces, value.substr(plain_from), false);
  return pieces;
}

}  // namespace lakehouse::web
