// Quoting by doubling the quote character, the one escape SQL string literals and identifiers
// share.
#include "common/sql_quote.h"

namespace lakehouse {
namespace {

std::string Quote(std::string_view text, char quote) {
  std::string out(1, quote);
  out.reserve(text.size() + 2);
  for (char c : text) {
    if (c == quote) out += quote;
    out += c;
  }
  out += quote;
  return out;
}

}  // namespace

std::string SqlString(std::string_view text) { return Quote(text, '\''); }

std::string SqlIdentifier(std::string_view text) { return Quote(text, '"'); }

}  // namespace lakehouse
