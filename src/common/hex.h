// Lower-case hex of bytes, the one form digests, signatures and token hashes take here.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace lakehouse {

std::string HexEncode(std::span<const unsigned char> bytes);
std::string HexEncode(std::string_view bytes);

// The value of one hex digit of either case, or -1 for any other character.
int HexDigitValue(char c);

}  // namespace lakehouse
