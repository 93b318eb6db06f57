// Percent-encoding (RFC 3986) of text placed in a URL: the project's one encoder.
#pragma once

#include <string>
#include <string_view>

namespace lakehouse {

// Whether '/' is encoded: a path keeps its separators, a query value or a
// single path segment must not.
enum class Slash { kEncode, kKeep };

// Keeps RFC 3986's unreserved bytes (A-Z a-z 0-9 - . _ ~), and '/' when
// asked; every other byte becomes %XX with upper-case hex, so a space is
// "%20", never '+'. Bytes of UTF-8 are encoded one by one.
std::string PercentEncode(std::string_view text, Slash slash = Slash::kEncode);

}  // namespace lakehouse
