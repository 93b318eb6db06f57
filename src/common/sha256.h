// SHA-256 of bytes as 64 lowercase hex digits (OpenSSL underneath): names
// cached files by their key, checks LHV1 graph bytes.
#pragma once

#include <string>
#include <string_view>

namespace lakehouse {

std::string Sha256Hex(std::string_view bytes);

}  // namespace lakehouse
