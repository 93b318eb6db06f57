// Percent-encoding (RFC 3986) for URL paths and query values, byte-exact as SigV4 signs it.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace lakehouse {

// Keeps the unreserved A-Z a-z 0-9 - . _ ~ and writes every other byte as %XX
// with upper-case hex: the form SigV4 signs, so S3 requests depend on it.
std::string PercentEncode(std::string_view text);

// As PercentEncode but keeps '/', for a path whose segments are encoded in one go.
std::string PercentEncodePath(std::string_view text);

// Appends one byte as %XX (upper-case hex), for escapings other than RFC 3986's.
void AppendPercentEscape(std::string& out, unsigned char byte);

// Decodes %XX of either case (and '+' as a space when `plus_is_space`, as in
// form and S3 listing encodings). A '%' without two hex digits after it is
// kInvalidArgument naming its offset.
Result<std::string> PercentDecode(std::string_view text, bool plus_is_space);

}  // namespace lakehouse
